"""Debian's headless Chromium, as every browser test launches it (no browser download)."""

from __future__ import annotations

CHROMIUM = '/usr/bin/chromium'

#: Flags that work headless as root on these machines (runtime-facts.md, pitfall 8).
CHROMIUM_ARGS = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
]
