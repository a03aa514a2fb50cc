"""Sub-commands of the ``rbconfig`` CLI, one module each, imported on use."""
