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
    # Pages "from" public sites (served by Playwright's request routing) talk to servers on
    # 127.0.0.1: without this, Chromium's local network access rules would refuse them before
    # the server has a say (tests/runtime/test_socket_browser.py).
    '--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests,'
    'PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults',
]
