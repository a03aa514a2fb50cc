"""Custom types for ``is`` / ``is_not`` checks: made once, then called with each value."""

from __future__ import annotations

import re


class Email:
    """An e-mail address (roughly): ``Email()(value)`` is True, or raises ValueError."""

    pattern = re.compile(r'^"?[^@\s"]+@[^@\s"]+\.[^@\s"]+"?$')

    def __call__(self, value: str | bytes) -> bool:
        text = value.decode() if isinstance(value, bytes) else value
        if not self.pattern.match(text.strip()):
            raise ValueError(f'{text!r} is not an e-mail address')
        return True
