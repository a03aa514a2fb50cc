"""The code behind apps/reference/service.yaml: one small example of each kind of handler.

The spec documents the format (docs/spec-format.md); this package is there so that every
location it names resolves, and ``rbconfig validate`` checks it like any other app.
"""
