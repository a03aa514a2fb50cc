"""The chat of the 2011 post, in two (then three) real Chromium pages.

The YAML spec and its ``.rbr`` and ``.toml`` twins are served in turn by
``rbconfig run``; each must behave the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.helpers.server import Server, start_server

from .chat_support import joined, messages, say
from .conftest import APP_ENV, APPS, assert_quiet, on_websocket, screenshot

SPECS = ['chat.yaml', 'chat.rbr', 'chat.toml']


@pytest.fixture(params=SPECS)
def chat(request: pytest.FixtureRequest) -> Iterator[Server]:
    """The chat app served from one of its three specs."""
    with start_server(APPS / 'chat' / request.param, env=APP_ENV) as server:
        yield server
        assert_quiet(server.output())


def test_two_pages_chat_both_ways(chat: Server, open_page: Callable[[str, str], Page]) -> None:
    alice = open_page(chat.url + '/', 'alice')
    alice_sid = joined(alice)
    bob = open_page(chat.url + '/', 'bob')
    bob_sid = joined(bob)
    assert alice_sid != bob_sid
    on_websocket(alice)
    on_websocket(bob)

    announcements = alice.locator('#log li.announcement')
    expect(announcements.last).to_have_text(f'{bob_sid} connected')

    say(alice, 'Hey bob, the server is melting down')
    line = bob.locator('#log li.message').last
    expect(line.locator('.text')).to_have_text('Hey bob, the server is melting down')
    expect(line.locator('.who')).to_have_text(alice_sid)
    expect(alice.locator('#log li.message.mine .text')).to_have_text(
        ['Hey bob, the server is melting down']
    )

    say(bob, "Don't you think it's fine?")
    expect(alice.locator('#log li.message').last.locator('.text')).to_have_text(
        "Don't you think it's fine?"
    )
    expect(alice.locator('#log li.message').last.locator('.who')).to_have_text(bob_sid)
    # Nobody gets their own message back from the server: one copy each.
    assert messages(alice) == ['Hey bob, the server is melting down', "Don't you think it's fine?"]
    assert messages(bob) == messages(alice)

    screenshot(alice, 'chat')

    bob.context.close()
    expect(announcements.last).to_have_text(f'{bob_sid} disconnected')


def test_user_text_is_not_html(chat: Server, open_page: Callable[[str, str], Page]) -> None:
    alice = open_page(chat.url + '/', 'alice')
    joined(alice)
    bob = open_page(chat.url + '/', 'bob')
    joined(bob)
    nasty = '<img src=x onerror="window.pwned=1"><b>bold</b> & <script>window.pwned=2</script>'
    say(alice, nasty)
    expect(bob.locator('#log li.message .text').last).to_have_text(nasty)
    for page in (alice, bob):
        assert page.locator('#log img, #log b, #log script').count() == 0
        assert page.evaluate('window.pwned') is None


def test_newcomer_gets_the_last_30_messages(
    chat: Server, open_page: Callable[[str, str], Page]
) -> None:
    alice = open_page(chat.url + '/', 'alice')
    joined(alice)
    bob = open_page(chat.url + '/', 'bob')
    joined(bob)
    for number in range(1, 36):
        say(alice, f'message {number}')
    expect(bob.locator('#log li.message')).to_have_count(35)

    carol = open_page(chat.url + '/', 'carol')
    joined(carol)
    past = carol.locator('#log li.message.past .text')
    expect(past).to_have_text([f'message {number}' for number in range(6, 36)])
    # The buffer came from the server, in the 2011 shape: one JSON text with {buffer}.
    expect(alice.locator('#log li.announcement').last).to_have_text(f'{joined(carol)} connected')
