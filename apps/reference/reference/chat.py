"""Modern socket handlers: ``handler(ctx, data)``; what they return acknowledges."""

from __future__ import annotations

from typing import Any


def joined(ctx: Any) -> None:
    """connect: say who came in."""
    ctx.broadcast('joined', {'who': ctx.sid})


def said(ctx: Any, data: Any) -> dict[str, bool]:
    """message: pass it on to the others; the sender's callback gets {'ok': True}."""
    ctx.broadcast('message', {'who': ctx.sid, 'text': str(data)[:500]})
    return {'ok': True}


def typing(ctx: Any, data: Any) -> None:
    """typing: tell the others someone is typing."""
    ctx.broadcast('typing', {'who': ctx.sid})
