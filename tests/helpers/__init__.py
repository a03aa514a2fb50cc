"""Helpers shared by the test suites (real servers on free ports)."""

from .server import (
    ROOT,
    Server,
    child_env,
    eventually,
    refused_port,
    spawn,
    start_gunicorn,
    start_server,
)
from .specs import app_specs, write_files, write_spec

__all__ = [
    'ROOT',
    'Server',
    'app_specs',
    'child_env',
    'eventually',
    'refused_port',
    'spawn',
    'start_gunicorn',
    'start_server',
    'write_files',
    'write_spec',
]
