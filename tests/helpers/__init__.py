"""Helpers shared by the test suites (real servers on free ports)."""

from .server import Server, free_port, start_server

__all__ = ['Server', 'free_port', 'start_server']
