"""A Falcon-compatible router for RBR URL templates.

Falcon's own router splits paths on ``/``, so it cannot route a placeholder
whose regex spans slashes (``/socket.io/{transport:.*?}``). This one compiles
every template to one regular expression:

* ``{name}`` matches one segment (``[^/]+``), as in Routes;
* ``{name:regex}`` matches ``regex``, which may span slashes;
* templates without placeholders are looked up in a dict (the common case
  costs one dict lookup); the others are tried in the order they were added.

It plugs into Falcon with ``falcon.App(router=Router())`` and ``add_route``
keeps working for any resource (its ``on_get``... methods), so other parts
(docs, OpenAPI) add their routes the usual way. Note the placeholder syntax is
RBR's: ``{id:int}`` means the regex ``int``, not Falcon's int converter.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from falcon.routing import map_http_methods, set_default_responders

from ..schema import parse_url_template, placeholder_names, route_key

__all__ = ['Router', 'placeholder_names', 'template_regex']

Route = tuple[object, dict[str, Callable[..., Any]], dict[str, str], str]


def template_regex(template: str) -> re.Pattern[str]:
    """The regex matching a whole path for ``template``, one named group per placeholder."""
    pattern = ''
    for part in parse_url_template(template):
        if isinstance(part, str):
            pattern += re.escape(part)
        else:
            pattern += f'(?P<{part.name}>{part.regex or "[^/]+"})'
    return re.compile(pattern, re.DOTALL)


class _Entry:
    """One route key: its regex, template and the responders added per method."""

    __slots__ = ('explicit', 'index', 'names', 'regex', 'resource', 'template')

    def __init__(self, template: str, resource: object) -> None:
        self.template = template
        self.resource = resource
        self.regex = template_regex(template)
        self.names = placeholder_names(template)
        self.explicit: dict[str, Callable[..., Any]] = {}
        #: Its place in the router's list of templates with placeholders.
        self.index = -1


class Router:
    """Routes paths to resources; see the module docstring."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}
        self._static: dict[str, Route] = {}
        self._dynamic: list[tuple[Callable[[str], re.Match[str] | None], Route]] = []

    def add_route(self, uri_template: str, resource: object, **kwargs: Any) -> None:
        """Add ``resource`` at ``uri_template``.

        Keyword Args:
            method_map: responders by method (default: the resource's ``on_*``
                methods, with ``suffix`` if given). GET also answers HEAD.

        Two templates differing only in placeholder names share one entry; the
        methods of both are allowed there, each responder getting its own names.
        """
        method_map = kwargs.get('method_map')
        if method_map is None:
            method_map = map_http_methods(resource, suffix=kwargs.get('suffix'))
        method_map = dict(method_map)
        if 'GET' in method_map and 'HEAD' not in method_map:
            method_map['HEAD'] = method_map['GET']
        key = route_key(uri_template)
        entry = self._entries.get(key)
        if entry is None:
            entry = self._entries[key] = _Entry(uri_template, resource)
        else:
            names = placeholder_names(uri_template)
            if names != entry.names:
                method_map = {
                    method: _renamed(responder, dict(zip(entry.names, names, strict=True)))
                    for method, responder in method_map.items()
                }
        entry.explicit.update(method_map)
        full = dict(entry.explicit)
        set_default_responders(full)
        route: Route = (entry.resource, full, {}, entry.template)
        if not entry.names:
            self._static[entry.template] = route
        elif entry.index < 0:
            entry.index = len(self._dynamic)
            self._dynamic.append((entry.regex.fullmatch, route))
        else:
            self._dynamic[entry.index] = (entry.regex.fullmatch, route)

    def find(self, uri: str, req: object = None) -> Route | None:
        """The route for ``uri``: (resource, method_map, params, template), or None."""
        route = self._static.get(uri)
        if route is not None:
            return route
        for match, (resource, method_map, _, template) in self._dynamic:
            found = match(uri)
            if found is not None:
                return resource, method_map, found.groupdict(), template
        return None

    @property
    def templates(self) -> list[str]:
        """Every template added, in order."""
        return [entry.template for entry in self._entries.values()]


def _renamed(responder: Callable[..., Any], names: dict[str, str]) -> Callable[..., Any]:
    def rename(req: Any, resp: Any, **params: str) -> Any:
        return responder(req, resp, **{names.get(key, key): value for key, value in params.items()})

    return rename
