"""Helpers shared by the test suites (real servers on free ports)."""

from .server import ROOT, Server, child_env, free_port, spawn, start_server

__all__ = ['ROOT', 'Server', 'child_env', 'free_port', 'spawn', 'start_server']
