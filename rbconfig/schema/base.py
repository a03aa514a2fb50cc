"""The base every spec model derives from: strict keys plus ``x-`` extensions."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import (
    BaseModel,
    ConfigDict,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    ValidatorFunctionWrapHandler,
    model_serializer,
    model_validator,
)

__all__ = ['EXTENSION_PREFIX', 'SpecModel']

EXTENSION_PREFIX = 'x-'


def _json_schema_extra(schema: dict[str, Any]) -> None:
    # Unknown keys are errors, except x- extensions, which are kept as they are.
    schema['patternProperties'] = {'^x-': {}}
    schema['additionalProperties'] = False


class SpecModel(BaseModel):
    """A part of a service spec.

    Unknown keys are errors, except ``x-`` extension keys, which are kept
    (not interpreted) and written back by every emitter. They take part in
    equality, so a round trip that loses one is caught.
    """

    model_config = ConfigDict(
        extra='forbid',
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        json_schema_extra=_json_schema_extra,
    )

    # A default, not a default_factory: pydantic inspects a factory's signature on every
    # model it builds, which made validating large specs three times slower.
    _extensions: dict[str, Any] = PrivateAttr(default={})

    #: Keys shown first, in this order, by the emitters (others follow).
    key_order: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode='wrap')
    @classmethod
    def _split_extensions(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        extensions: dict[str, Any] = {}
        if isinstance(data, dict):
            extensions = {
                key: value
                for key, value in data.items()
                if isinstance(key, str) and key.startswith(EXTENSION_PREFIX)
            }
            if extensions:
                data = {key: value for key, value in data.items() if key not in extensions}
        model = handler(data)
        if extensions:
            model._extensions = extensions
        return model

    @model_serializer(mode='wrap')
    def _join_extensions(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        data.update(self._extensions)
        return data

    @property
    def extensions(self) -> dict[str, Any]:
        """The ``x-`` keys of this part, in the order they were written."""
        return self._extensions

    def to_data(self) -> dict[str, Any]:
        """Plain data (dicts, lists, scalars) with defaults left out, for emitters."""
        return self.model_dump(by_alias=True, exclude_defaults=True)
