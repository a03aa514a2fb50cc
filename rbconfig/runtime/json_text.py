"""Standard JSON (RFC 8259) as the runtime reads it from requests.

One decoder for every JSON the runtime parses from a client: ``is json`` checks,
body schemas, the ``body`` of json-style handlers and Falcon's ``req.get_media()``.
It accepts what RFC 8259 calls JSON and nothing more:

* UTF-8 text (a leading byte order mark is ignored, as §8.1 allows); other
  encodings are refused;
* no ``NaN``, ``Infinity`` or ``-Infinity`` (Python's :mod:`json` accepts them);
* numbers that fit a double: ``1e999999`` is refused rather than read as infinity;
  integers of more than 4,300 digits are refused (Python's own limit);
* arrays and objects nested as deep as the interpreter's recursion allows (about
  900 levels): deeper is refused, never a ``RecursionError``.

Every refusal is a :class:`ValueError` whose message says what was wrong in JSON's
terms, fit for a problem's ``detail``.

:func:`to_int` and :func:`to_float` read one number written as text (a header, a URL
placeholder, a body checked with ``is int``/``is float``) by the same rules: decimal
digits, a sign, a fraction and an exponent for a float, white space around ignored;
not what else Python's ``int()``/``float()`` take (``1_000``, ``nan``, ``inf``, other
scripts' digits), and never an infinity.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

__all__ = ['loads', 'to_float', 'to_int']

_INT = re.compile(r'[+-]?[0-9]+')
_FLOAT = re.compile(r'[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?')
_SPACE = ' \t\r\n'


def _no_constant(name: str) -> Any:
    raise ValueError(f'{name} is not a JSON value')


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f'the number {text[:40]} is too large')
    return value


_DECODER = json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite)


def loads(data: bytes | str) -> Any:
    """``data`` parsed as standard JSON.

    Raises:
        ValueError: it is not (see the module docstring); the message says why.
    """
    if isinstance(data, str):
        text = data
    else:
        try:
            text = str(data, 'utf-8')
        except UnicodeDecodeError:
            raise ValueError('it is not UTF-8 text') from None
    if text.startswith('\ufeff'):
        text = text[1:]
    try:
        return _DECODER.decode(text)
    except RecursionError:
        raise ValueError('its arrays or objects are nested too deeply') from None
    except ValueError as ex:
        if 'Exceeds the limit' in str(ex):  # int(): more than sys.get_int_max_str_digits()
            raise ValueError('a number in it has too many digits') from None
        raise


def _number_text(value: str | bytes | bytearray) -> str:
    if not isinstance(value, str):
        value = bytes(value).decode('ascii', 'replace')  # a non-ASCII byte never matches
    return value.strip(_SPACE)


def to_int(value: str | bytes | bytearray) -> int:
    """``value`` as a whole number (see the module docstring).

    Raises:
        ValueError: it is not one; the message says what was expected.
    """
    text = _number_text(value)
    if _INT.fullmatch(text) is None:
        raise ValueError('expected a whole number, such as 42')
    try:
        return int(text)
    except ValueError:  # more than sys.get_int_max_str_digits() digits
        raise ValueError('the number has too many digits') from None


def to_float(value: str | bytes | bytearray) -> float:
    """``value`` as a finite number (see the module docstring).

    Raises:
        ValueError: it is not one; the message says what was expected.
    """
    text = _number_text(value)
    if _FLOAT.fullmatch(text) is None:
        raise ValueError('expected a number, such as 4.2')
    return _finite(text)
