"""Driving the chat page (apps/chat/chat.html) in Chromium, for the chat tests."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def joined(page: Page) -> str:
    """Wait until ``page`` is connected; its socket.io id."""
    expect(page.locator('#status')).to_have_class('online')
    expect(page.locator('#text')).to_be_enabled()
    return page.evaluate('document.getElementById("status").textContent').split()[-1]


def say(page: Page, text: str) -> None:
    """Type ``text`` and press Enter."""
    page.fill('#text', text)
    page.press('#text', 'Enter')
    expect(page.locator('#text')).to_have_value('')


def messages(page: Page) -> list[str]:
    """The texts of the chat messages shown on ``page``, in order."""
    return page.locator('#log li.message .text').all_text_contents()
