"""The base every spec model derives from: strict keys plus ``x-`` extensions."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

__all__ = ['EXTENSION_PREFIX', 'SpecModel', 'kind_of']

EXTENSION_PREFIX = 'x-'

#: The name of an extension key: ``x-`` and anything after it.
ExtensionKey = Annotated[str, StringConstraints(pattern=r'^x-')]


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
        extra='allow',
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        json_schema_extra=_json_schema_extra,
    )

    # Extra keys are allowed only when they match ^x- (anything else fails as an
    # unknown key); pydantic-core checks that without a Python call per model.
    __pydantic_extra__: dict[ExtensionKey, Any] = Field(init=False)

    #: Keys shown first, in this order, by the emitters (others follow).
    key_order: ClassVar[tuple[str, ...]] = ()

    @property
    def extensions(self) -> dict[str, Any]:
        """The ``x-`` keys of this part, in the order they were written."""
        extra = self.__pydantic_extra__
        if extra is None:  # pragma: no cover - models built with model_construct()
            extra = self.__pydantic_extra__ = {}
        return extra

    def to_data(self) -> dict[str, Any]:
        """Plain data (dicts, lists, scalars) with defaults left out, for emitters."""
        return self.model_dump(by_alias=True, exclude_defaults=True)


def kind_of(value: Any) -> str:
    """What kind of value ``value`` is, in words: 'a mapping', 'text', 'a number'..."""
    names = {
        dict: 'a mapping',
        list: 'a list',
        str: 'text',
        bool: 'a boolean',
        int: 'a number',
        float: 'a number',
        type(None): 'nothing',
    }
    return names.get(type(value), type(value).__name__)
