"""Spec parts said in plain words, for the docs page and the exported documents."""

from __future__ import annotations

from typing import Any

from ..document import Document
from ..schema import AlterCheck, OnErrorCheck, Spec, TypeCheck, ValidatorCheck

__all__ = ['check_sentence', 'file_stem', 'info_object', 'summary', 'title_of']


def file_stem(file: str) -> str:
    """The spec file's name without folder and ending: the default title."""
    name = file.replace('\\', '/').rsplit('/', 1)[-1]
    return name.rsplit('.', 1)[0] if '.' in name else name


def title_of(spec: Spec | Document) -> str:
    """The service's title: ``meta.title``, else the spec file's name."""
    model = spec.spec if isinstance(spec, Document) else spec
    if model.meta and model.meta.title:
        return model.meta.title
    return file_stem(spec.file) if isinstance(spec, Document) else 'rbconfig service'


def info_object(spec: Spec | Document) -> dict[str, Any]:
    """The ``info`` object of OpenAPI and AsyncAPI: title, version, description, ``x-`` keys."""
    meta = (spec.spec if isinstance(spec, Document) else spec).meta
    info: dict[str, Any] = {
        'title': title_of(spec),
        'version': meta.version if meta and meta.version else '0',
    }
    if meta and meta.description:
        info['description'] = meta.description.strip()
    if meta:
        info.update(meta.extensions)
    return info


def summary(description: str) -> str:
    """The first line of ``description``, at most 120 characters."""
    first = description.strip().splitlines()[0].strip()
    return first if len(first) <= 120 else first[:117].rstrip() + '...'


def check_sentence(check: Any, part: str = 'request') -> str:
    """A check said in plain words (used by the docs page too)."""
    subject = f'the {part} body'
    if isinstance(check, TypeCheck):
        if check.header:
            subject = f'the {check.header} header'
        if check.is_ is not None:
            return _capital(
                f'{subject} must be {_type_words(check.is_)}, otherwise {check.return_}.'
            )
        return _capital(
            f'{subject} must not be {_type_words(check.is_not)}, otherwise {check.return_}.'
        )
    if isinstance(check, ValidatorCheck):
        return _capital(
            f'the {check.header} header must pass {check.validates}, otherwise {check.return_}.'
        )
    if isinstance(check, AlterCheck):
        return _capital(f'{subject} is transformed by {check.alter}.')
    if isinstance(check, OnErrorCheck):
        return f'If the handler fails: {check.on_error}.'
    return str(check)


def _type_words(name: str | None) -> str:
    return {'json': 'JSON', 'int': 'an integer', 'float': 'a number'}.get(
        name or '', f'of type {name}'
    )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
