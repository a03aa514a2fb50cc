"""The chat, the shortener and the monitor served by two ``rbconfig run`` nodes sharing Redis.

Two Chromium chat pages, one on each node, talk both ways; a click on one node
reaches the stats pages open on the other; each monitor node pushes its samples
to its own viewers (not twice to everyone), and the viewers' chat crosses nodes.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.helpers.cluster import nodes, redis_server
from tests.helpers.peers import Peers

from .chat_support import joined, messages, say
from .conftest import APP_ENV, APPS, assert_quiet, on_websocket
from .shortener_support import http, shorten_json


def test_chat_pages_on_two_nodes_talk_both_ways(open_page: Callable[[str, str], Page]) -> None:
    with (
        redis_server() as redis,
        nodes(APPS / 'chat' / 'chat.yaml', 2, redis.url, env=APP_ENV) as (a, b),
    ):
        alice = open_page(a.url + '/', 'alice')
        alice_sid = joined(alice)
        bob = open_page(b.url + '/', 'bob')
        bob_sid = joined(bob)
        on_websocket(alice)
        on_websocket(bob)
        # socketio.broadcast() of the 2011 handler on node b reaches the page on node a.
        expect(alice.locator('#log li.announcement').last).to_have_text(f'{bob_sid} connected')

        say(alice, 'typed on node a')
        line = bob.locator('#log li.message').last
        expect(line.locator('.text')).to_have_text('typed on node a')
        expect(line.locator('.who')).to_have_text(alice_sid)
        say(bob, 'typed on node b')
        line = alice.locator('#log li.message').last
        expect(line.locator('.text')).to_have_text('typed on node b')
        expect(line.locator('.who')).to_have_text(bob_sid)
        # One copy each, in the same order on both pages.
        assert messages(alice) == ['typed on node a', 'typed on node b']
        assert messages(bob) == messages(alice)

        alice.context.close()
        expect(bob.locator('#log li.announcement').last).to_have_text(f'{alice_sid} disconnected')
        bob.context.close()  # before the nodes stop: its page would try to reconnect
        for node in (a, b):
            assert_quiet(node.output())


def test_shortener_clicks_on_one_node_reach_stats_pages_on_the_other() -> None:
    with redis_server() as redis:
        env = {**APP_ENV, 'REDIS_URL': redis.url, 'REDIS_PREFIX': 'cluster-test:'}
        spec = APPS / 'shortener' / 'shortener.yaml'
        with nodes(spec, 2, redis.url, env=env) as (a, b), Peers(a.url) as peers:
            peers.connect('stats', 'polling')
            assert peers.expect(id='stats', event='links')['args'] == [[]]
            made = shorten_json(b.url, 'https://example.org/x')
            assert made.status == 201
            link = json.loads(made.body)
            shortened = peers.expect(id='stats', event='shortened')['args'][0]
            assert shortened['id'] == link['id']
            assert http('GET', f'{b.url}/r/{link["id"]}').status == 303
            click = peers.expect(id='stats', event='click')['args'][0]
            assert (click['id'], click['clicks']) == (link['id'], 1)


def test_monitor_samples_stay_on_their_node_and_the_chat_crosses() -> None:
    with redis_server() as redis:
        spec = APPS / 'monitor' / 'monitor.yaml'
        with nodes(spec, 2, redis.url, env=APP_ENV) as (a, b), Peers(a.url) as peers:
            peers.connect('ann')
            peers.connect('bob', 'polling', url=b.url)
            for name in ('ann', 'bob'):
                peers.expect(id=name, event='hello')
                times = [peers.expect(id=name, event='sample')['args'][0]['t'] for _ in range(5)]
                # One sampler per viewer: 0.5 s apart on average (the spec's interval).
                # Both nodes' samples would come in between, 0.25 s apart on average.
                assert (times[-1] - times[0]) / (len(times) - 1) > 0.375, times
            peers.emit('ann', 'chat', {'name': 'ann', 'text': 'hot in here?'}, ack='c')
            assert peers.expect(id='ann', type='ack')['args'] == [{'ok': True}]
            said = peers.expect(id='bob', event='chat')['args'][0]
            assert (said['name'], said['text']) == ('ann', 'hot in here?')
