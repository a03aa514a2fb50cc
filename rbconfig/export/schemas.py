"""The JSON Schemas a spec gives (bodies, socket messages), for OpenAPI and AsyncAPI.

An inline schema is used as it is. A ``python:`` one names a Pydantic model
(or any type :class:`pydantic.TypeAdapter` takes), imported relative to the
spec's folder the way the runtime imports handlers; that needs the
:class:`~rbconfig.document.Document`. Models it refers to go to the
document's ``components.schemas`` (both formats keep them there). Without the
document, or when the model cannot be imported and warnings are wanted, the
schema is only ``{'x-rbconfig-schema': 'python:...'}``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal

from ..document import Document
from ..errors import Loc, Problem, StartupError
from ..schema import Schema, Spec

__all__ = ['REF_TEMPLATE', 'Mode', 'SchemaSource']

#: Where models go in both OpenAPI 3.1 and AsyncAPI 3.0.
REF_TEMPLATE = '#/components/schemas/{model}'

#: Pydantic's JSON Schema modes: what is received validates, what is sent serializes.
Mode = Literal['validation', 'serialization']


class SchemaSource:
    """Turns the schemas of one spec into JSON Schemas, collecting the components.

    Args:
        spec: the spec, or its loaded document (needed to import ``python:`` models).
        warnings: when given, a model that cannot be imported adds a warning
            here instead of raising.
    """

    def __init__(self, spec: Spec | Document, warnings: list[Problem] | None = None) -> None:
        self.document = spec if isinstance(spec, Document) else None
        self.warnings = warnings
        #: Models referred to, by name: the document's ``components.schemas``.
        self.components: dict[str, Any] = {}

    def schema(self, schema: Schema | None, loc: Loc, mode: Mode) -> dict[str, Any] | None:
        """The JSON Schema written at ``loc`` (the ``schema`` key), or None without one.

        Raises:
            StartupError: a model cannot be imported or described (unless
                warnings are wanted).
        """
        if schema is None:
            return None
        if isinstance(schema, dict):
            return schema
        if self.document is None:
            return {'x-rbconfig-schema': schema}
        try:
            found = self._model_schema(self.document, schema, loc, mode)
        except StartupError as ex:
            if self.warnings is None:
                raise
            for problem in ex.problems:
                warning = replace(problem, severity='warning')
                if warning not in self.warnings:
                    self.warnings.append(warning)
            return {'x-rbconfig-schema': schema}
        self.components.update(found.pop('$defs', {}))
        return found

    @staticmethod
    def _model_schema(document: Document, location: str, loc: Loc, mode: Mode) -> dict[str, Any]:
        from pydantic import BaseModel, TypeAdapter

        from ..document.resolve import resolve

        model = resolve(document, loc, location)
        try:
            if isinstance(model, type) and issubclass(model, BaseModel):
                return model.model_json_schema(ref_template=REF_TEMPLATE, mode=mode)
            return TypeAdapter(model).json_schema(ref_template=REF_TEMPLATE, mode=mode)
        except Exception as ex:  # a model Pydantic cannot describe
            raise StartupError.at(document, loc, f'{location}: no JSON Schema for it: {ex}') from ex
