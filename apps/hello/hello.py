"""The smallest rbconfig service: one path, one plain function."""


def hello() -> str:
    """Answer a greeting (a plain function: its return value is the body)."""
    return 'Hello, World!'
