"""The shortener and the monitor served by two ``rbconfig run`` nodes sharing Redis.

A click on one node reaches the stats pages open on the other; each monitor
node pushes its samples to its own viewers (not twice to everyone), and the
viewers' chat crosses nodes.
"""

from __future__ import annotations

import json

from tests.helpers.cluster import nodes, redis_server
from tests.helpers.peers import Peers

from .conftest import APP_ENV, APPS
from .shortener_support import http, shorten_json


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
