"""The runtime: a validated spec becomes a Falcon WSGI app."""

from .errors import StartupError

__all__ = ['StartupError', 'build_app', 'build_globals', 'resolve']


def __getattr__(name: str):  # noqa: ANN202 - lazy imports keep `import rbconfig.runtime` light
    if name == 'build_app':
        from .app import build_app

        return build_app
    if name == 'build_globals':
        from .globs import build_globals

        return build_globals
    if name == 'resolve':
        from .resolve import resolve

        return resolve
    raise AttributeError(name)
