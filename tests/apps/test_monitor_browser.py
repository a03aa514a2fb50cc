"""The live server monitor in real Chromium pages: charts that keep growing, and its chat."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.helpers.server import Server, start_server

from .conftest import APP_ENV, APPS, UPDATING_SCREENSHOTS, assert_quiet, on_websocket, screenshot

PERCENT = re.compile(r'^\d{1,3}\.\d %$')


@pytest.fixture(scope='module')
def monitor() -> Iterator[Server]:
    """The monitor app, served by ``rbconfig run`` (one server: its history builds up)."""
    with start_server(APPS / 'monitor' / 'monitor.yaml', env=APP_ENV) as server:
        yield server
        assert_quiet(server.output())


def chart(page: Page, name: str) -> dict:
    """What the page's chart ``name`` holds and drew last: points, values, draw count."""
    return page.evaluate(
        """(name) => {
            const c = window.monitor[name];
            return {points: c.points.length, drawn: c.drawn, draws: c.draws,
                    values: c.points.map((p) => p.v), times: c.points.map((p) => p.t)};
        }""",
        name,
    )


def wait_points(page: Page, name: str, more_than: int, timeout: float = 10) -> dict:
    """Wait until chart ``name`` has drawn more than ``more_than`` points."""
    page.wait_for_function(
        '([name, n]) => window.monitor && window.monitor[name].drawn > n',
        arg=[name, more_than],
        timeout=timeout * 1000,
    )
    return chart(page, name)


def test_charts_keep_growing_with_values_in_range(
    monitor: Server, open_page: Callable[[str, str], Page]
) -> None:
    page = open_page(monitor.url + '/', 'viewer')
    expect(page.locator('#live')).to_have_text('live')
    on_websocket(page)
    first = {name: wait_points(page, name, 0) for name in ('cpu', 'mem')}
    for name in ('cpu', 'mem'):
        # Two samples a second: 4 more arrive in about two seconds.
        later = wait_points(page, name, first[name]['drawn'] + 3)
        assert later['draws'] > first[name]['draws']
        assert later['points'] == later['drawn']
        assert all(0 <= value <= 100 for value in later['values']), later['values']
        times = later['times']
        assert times == sorted(times) and len(set(times)) == len(times)
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        assert 0.3 < sum(gaps) / len(gaps) < 0.8, gaps
    # Memory use is never 0 on a running machine; the readout shows the last value.
    assert chart(page, 'mem')['values'][-1] > 0
    expect(page.locator('#cpu-value')).to_have_text(PERCENT)
    expect(page.locator('#mem-value')).to_have_text(PERCENT)
    # The canvas really has ink on it, not just numbers in an array.
    inked = page.evaluate(
        """() => {
            const c = document.getElementById('mem-chart');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0;
            for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
            return n;
        }"""
    )
    assert inked > 1000


def test_a_late_viewer_gets_the_history(
    monitor: Server, open_page: Callable[[str, str], Page]
) -> None:
    early = open_page(monitor.url + '/', 'early')
    wait_points(early, 'cpu', 6)
    late = open_page(monitor.url + '/', 'late')
    # The history arrives with the hello: the late page starts with as many points.
    late_chart = wait_points(late, 'cpu', 5)
    early_chart = chart(early, 'cpu')
    assert late_chart['times'][0] <= early_chart['times'][0] + 0.01
    expect(late.locator('#viewers')).to_have_text('2 watching')
    expect(early.locator('#viewers')).to_have_text('2 watching')
    # Both viewers get every new sample from the one sampler, at the same times.
    early_now, late_now = chart(early, 'mem'), chart(late, 'mem')
    wait_points(early, 'mem', early_now['drawn'] + 2)
    wait_points(late, 'mem', late_now['drawn'] + 2)
    newest = max(early_now['times'][-1], late_now['times'][-1])
    fresh_early = [t for t in chart(early, 'mem')['times'] if t > newest]
    fresh_late = [t for t in chart(late, 'mem')['times'] if t > newest]
    shared = min(len(fresh_early), len(fresh_late))
    assert shared >= 2 and fresh_early[:shared] == fresh_late[:shared]
    late.context.close()
    expect(early.locator('#viewers')).to_have_text('1 watching')


def test_viewers_chat_beside_the_charts(
    monitor: Server, open_page: Callable[[str, str], Page]
) -> None:
    alice = open_page(monitor.url + '/', 'alice')
    bob = open_page(monitor.url + '/', 'bob')
    for page, name in ((alice, 'alice'), (bob, 'bob')):
        expect(page.locator('#text')).to_be_enabled()
        page.fill('#name', name)
    alice.fill('#text', "Hey bob, the server is melting down, don't you think?")
    alice.press('#text', 'Enter')
    theirs = bob.locator('#log li.theirs').last
    expect(theirs.locator('.who')).to_have_text('alice')
    expect(theirs.locator('.text')).to_have_text(
        "Hey bob, the server is melting down, don't you think?"
    )
    # The sender shows its own line once the server acknowledged it.
    expect(alice.locator('#log li.mine .text')).to_have_text(
        ["Hey bob, the server is melting down, don't you think?"]
    )

    bob.fill('#text', '<b>nope</b>, it is fine')
    bob.press('#text', 'Enter')
    expect(alice.locator('#log li.theirs .text').last).to_have_text('<b>nope</b>, it is fine')
    assert alice.locator('#log b').count() == 0
    assert alice.locator('#log li.theirs').count() == 1
    assert bob.locator('#log li.theirs').count() == 1

    if UPDATING_SCREENSHOTS:  # the README's picture shows some history: 20 seconds
        wait_points(alice, 'cpu', 40, timeout=30)
    screenshot(alice, 'monitor')
