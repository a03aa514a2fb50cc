"""Settings of the HTTP server that ``rbconfig run`` starts."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from .base import SpecModel

__all__ = ['ServerSettings']


class ServerSettings(SpecModel):
    """Time limits of the HTTP server that rbconfig run starts (gunicorn has its own)."""

    key_order: ClassVar[tuple[str, ...]] = ('header_timeout', 'idle_timeout')

    header_timeout: float = Field(
        default=10,
        gt=0,
        le=3600,
        description="Seconds from a request's first byte to the end of its headers; "
        'a slower client gets 408 and the connection closes.',
    )
    idle_timeout: float = Field(
        default=15,
        gt=0,
        le=86400,
        description='Seconds a client may stay silent while the server waits for it: '
        'an idle keep-alive connection is then closed, a stalled body or an unread '
        'response ends the request.',
    )
