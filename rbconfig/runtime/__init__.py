"""The runtime: a validated spec becomes a Falcon WSGI app."""

__all__ = ['build_app', 'build_globals']


def __getattr__(name: str) -> object:  # lazy imports keep `import rbconfig.runtime` light
    if name == 'build_app':
        from .app import build_app

        return build_app
    if name == 'build_globals':
        from .globs import build_globals

        return build_globals
    raise AttributeError(name)
