"""Socket.IO across processes: two ``rbconfig run`` nodes sharing a real Redis (or RabbitMQ).

Everything a handler can do reaches clients of the other node: broadcasts,
emits to a room or to one client, ``hub.disconnect``, HTTP handlers and the
2011 API; ``send`` and acks stay with their client. Each test has its own
``redis-server`` (tests/helpers/cluster.py); the AMQP runs share the RabbitMQ
that ``make test`` starts, each on a channel of its own.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.helpers.cluster import QUEUE_ENV, nodes, rabbitmq, redis_server, unused_port
from tests.helpers.peers import Peers
from tests.helpers.server import (
    ROOT,
    child_env,
    eventually,
    spawn,
    start_command,
    start_gunicorn,
    start_server,
)

SPECS = Path(__file__).resolve().parent / 'socket_specs'
EVENTS = SPECS / 'events.yaml'
CHAT = SPECS / 'chat2011.yaml'


@contextmanager
def queue(kind: str, tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """(the events spec, a queue URL): a Redis of the test's own (``redis://``, or
    ``valkey://`` through the Valkey client), or the shared RabbitMQ.

    On RabbitMQ the spec gets a channel (a fanout exchange) of its own, so no
    other test hears it.
    """
    if kind in ('redis', 'valkey'):  # the Valkey client speaks to a redis-server as to Valkey
        with redis_server() as redis:
            yield EVENTS, redis.url.replace('redis://', f'{kind}://', 1)
        return
    specs = tmp_path / 'specs'
    shutil.copytree(SPECS, specs, ignore=shutil.ignore_patterns('__pycache__'))
    spec = specs / EVENTS.name
    channel = f'rbconfig-test-{uuid.uuid4().hex}'
    spec.write_text(
        spec.read_text().replace('socketio:\n', f'socketio:\n  channel: {channel}\n', 1)
    )
    yield spec, rabbitmq()


@pytest.mark.parametrize(
    ('kind', 'transport'),
    [('redis', 'websocket'), ('redis', 'polling'), ('valkey', 'websocket'), ('amqp', 'websocket')],
)
def test_broadcasts_rooms_and_acks_cross_nodes(kind: str, transport: str, tmp_path: Path) -> None:
    with (
        queue(kind, tmp_path) as (spec, url),
        nodes(spec, 2, url) as (a, b),
        Peers(a.url) as peers,
    ):
        peers.connect('ann', transport, auth={'name': 'ann'})
        peers.connect('bob', transport, auth={'name': 'bob'}, url=b.url)
        peers.connect('cid', transport, auth={'name': 'cid'}, url=b.url)
        # connect handlers broadcast: bob's arrival (on b) reaches ann (on a).
        assert peers.expect(id='ann', event='joined', where=lambda e: e['args'] == ['bob'])

        # A broadcast from b reaches a; the ack comes back to its sender only.
        peers.emit('bob', 'chat', 'hi all', ack='c1')
        assert peers.expect(id='bob', type='ack')['args'] == ['ok']
        assert peers.expect(id='ann', event='chat')['args'] == [{'from': 'bob', 'text': 'hi all'}]
        assert peers.expect(id='cid', event='chat')['args'] == [{'from': 'bob', 'text': 'hi all'}]
        assert peers.events(id='bob', event='chat') == []

        # A room with members on both nodes.
        for name in ('ann', 'bob'):
            peers.emit(name, 'join', 'g', ack='j')
            assert peers.expect(id=name, type='ack')['args'] == [['g']]
        peers.emit('ann', 'to_room', 'g', 'in g')
        assert peers.expect(id='bob', event='room')['args'] == [{'room': 'g', 'text': 'in g'}]
        # bob leaves; what ann says in g next reaches nobody on b: the chat
        # broadcast after it comes through the same channel, in order.
        peers.emit('bob', 'leave', 'g', ack='l')
        assert peers.expect(id='bob', type='ack')['args'] == [[]]
        peers.emit('ann', 'to_room', 'g', 'after bob left')
        peers.emit('ann', 'chat', 'marker')
        peers.expect(id='bob', event='chat', where=lambda e: e['args'][0]['text'] == 'marker')
        peers.expect(id='cid', event='chat', where=lambda e: e['args'][0]['text'] == 'marker')
        assert [e['args'] for e in peers.events(id='bob', event='room')] == [
            [{'room': 'g', 'text': 'in g'}]
        ]
        assert peers.events(id='cid', event='room') == []

        # ctx.emit(to=sid) reaches one client of the other node.
        cid = peers.events(id='cid', type='connect')[0]['sid']
        peers.emit('ann', 'kick', cid)
        assert peers.expect(id='cid', event='kicked')['args'] == [
            peers.events(id='ann', type='connect')[0]['sid']
        ]
        assert peers.events(id='bob', event='kicked') == []


@pytest.mark.parametrize('kind', ['redis', 'amqp'])
def test_a_node_serves_once_it_hears_the_queue(kind: str, tmp_path: Path) -> None:
    """Subscribed (Redis), or its queue bound to the channel (AMQP), before it accepts a client.

    python-socketio would subscribe at the first client's connection: what another node
    published meanwhile would be lost for that client.
    """
    with queue(kind, tmp_path) as (spec, url):
        command = [sys.executable, '-m', 'rbconfig.cli', '-v', 'run', str(spec), '--port', '0']
        with start_command(command, env={QUEUE_ENV: url}) as node:
            output = node.output()
    subscribed = output.find('subscribed to channel')
    assert 0 <= subscribed < output.index('serving on'), output


@pytest.mark.parametrize('kind', ['redis', 'amqp'])
def test_disconnect_a_client_of_another_node(kind: str, tmp_path: Path) -> None:
    with (
        queue(kind, tmp_path) as (spec, url),
        nodes(spec, 2, url) as (a, b),
        Peers(a.url) as peers,
    ):
        peers.connect('ann', auth={'name': 'ann'})
        bob = peers.connect('bob', auth={'name': 'bob'}, url=b.url)['sid']
        peers.emit('ann', 'evict', bob, ack='e')
        assert peers.expect(id='ann', type='ack')['args'] == ['evicted']
        assert peers.expect(id='bob', type='disconnect')['reason'] == 'io server disconnect'
        # b ran bob's disconnect handler, whose broadcast reaches ann on a.
        assert peers.expect(id='ann', event='left')['args'] == ['bob']


def test_http_handler_of_one_node_reaches_clients_of_the_other() -> None:
    with redis_server() as redis, nodes(EVENTS, 2, redis.url) as (a, b), Peers(a.url) as peers:
        peers.connect('ann', 'polling')
        request = urllib.request.Request(f'{b.url}/announce', data=b'from b', method='POST')
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.read() == b'sent'
        assert peers.expect(id='ann', event='message')['args'] == [{'announce': 'from b'}]


@pytest.mark.parametrize('transport', ['websocket', 'polling'])
def test_the_2011_chat_on_two_nodes(transport: str) -> None:
    with redis_server() as redis, nodes(CHAT, 2, redis.url) as (a, b), Peers(a.url) as peers:
        ann = peers.connect('ann', transport)['sid']
        assert peers.json_message('ann', 'buffer') == {'buffer': []}
        bob = peers.connect('bob', transport, url=b.url)['sid']
        # socketio.broadcast() on b reaches ann on a ...
        assert peers.json_message('ann', 'announcement') == {'announcement': f'{bob} connected'}
        # ... and socketio.send() stays with its own client.
        assert peers.json_message('bob', 'buffer') == {'buffer': []}
        peers.send('bob', 'hello from b')
        assert peers.json_message('ann', 'message') == {'message': [bob, 'hello from b']}
        peers.send('ann', 'hello from a')
        assert peers.json_message('bob', 'message') == {'message': [ann, 'hello from a']}
        peers.disconnect('bob')
        assert peers.json_message('ann', 'announcement') == {'announcement': f'{bob} disconnected'}
        # Nobody heard their own words or got another's buffer.
        for name, sid in (('ann', ann), ('bob', bob)):
            heard = [json.loads(e['args'][0]) for e in peers.events(id=name, event='message')]
            assert sum('buffer' in item for item in heard) == 1
            assert not any(item.get('message', [None])[0] == sid for item in heard)


def test_another_process_emits_to_every_node() -> None:
    """python-socketio's write-only manager, from a process that serves nobody."""
    script = textwrap.dedent(
        f"""
        from rbconfig.converters import load
        from rbconfig.runtime.socket.queue import write_only

        queue = write_only(load({str(EVENTS)!r}))
        queue.emit('chat', {{'from': 'cron', 'text': 'nightly'}}, namespace='/')
        print('published')
        """
    )
    with redis_server() as redis, nodes(EVENTS, 2, redis.url) as (a, b), Peers(a.url) as peers:
        peers.connect('ann', 'websocket')
        peers.connect('bob', 'polling', url=b.url)
        done = subprocess.run(
            [sys.executable, '-c', script],
            env=child_env({QUEUE_ENV: redis.url}),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        for name in ('ann', 'bob'):
            assert peers.expect(id=name, event='chat')['args'] == [
                {'from': 'cron', 'text': 'nightly'}
            ]


def _start_fails(env: dict[str, str], spec: Path = EVENTS) -> str:
    server = spawn(spec, env=env)
    assert server.process.wait(60) == 1, server.output()
    output = server.output()
    assert 'Traceback' not in output, output
    return output


def test_unreachable_redis_is_a_clear_start_up_error() -> None:
    with redis_server() as redis:
        url = redis.url
    output = _start_fails({QUEUE_ENV: url})
    assert f'cannot reach the message queue {url} ({QUEUE_ENV})' in output
    assert 'Connection refused' in output
    assert f'{QUEUE_ENV}=none' in output


def test_unreachable_amqp_broker_is_a_clear_start_up_error() -> None:
    url = f'amqp://guest:secret@127.0.0.1:{unused_port()}//'
    output = _start_fails({QUEUE_ENV: url})
    shown = url.replace('guest:secret@', '***@')
    assert f'cannot reach the message queue {shown} ({QUEUE_ENV})' in output
    assert 'Connection refused' in output
    assert 'secret' not in output


def test_bad_queue_url_in_the_environment() -> None:
    output = _start_fails({QUEUE_ENV: 'zmq+tcp://127.0.0.1:5555+5556'})
    assert f'socketio.message_queue: {QUEUE_ENV}: expected a message queue URL' in output
    assert 'needs eventlet' in output


def test_bad_queue_url_in_the_spec_is_located(tmp_path: Path) -> None:
    spec = tmp_path / 'spec.yaml'
    spec.write_text(
        'rbconfig: 1\nsocketio:\n  message_queue: http://127.0.0.1:6379\n'
        'sockets:\n  /:\n    events: {x: python:m.x}\n'
    )
    output = _start_fails({}, spec)
    assert f'{spec}:3:3: error: socketio.message_queue: expected a message queue URL' in output


@pytest.mark.parametrize(
    ('url', 'module', 'extra'),
    [
        ('redis://127.0.0.1:6379/0', 'redis', 'redis'),
        ('kafka://127.0.0.1:9092', 'kafka', 'kafka'),
        ('amqp://guest:secret@127.0.0.1:5672//', 'kombu', 'amqp'),
        ('valkey://127.0.0.1:6379/0', 'valkey', 'valkey'),
    ],
)
def test_a_missing_client_library_names_the_extra(url: str, module: str, extra: str) -> None:
    # The module made unimportable in the server process, as on an install without the extra.
    shown = url.replace('guest:secret@', '***@')
    code = (
        f'import sys; sys.modules[{module!r}] = None; '
        f'from rbconfig.cli import main; sys.exit(main())'
    )
    done = subprocess.run(
        [sys.executable, '-c', code, 'run', str(EVENTS), '--port', '0'],
        env=child_env({QUEUE_ENV: url}),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 1, done.stderr
    lines = [line for line in done.stderr.splitlines() if 'error:' in line]
    assert lines == [
        f'{EVENTS}:5:1: error: socketio.message_queue: {QUEUE_ENV} {shown} needs the '
        f"{module!r} module: pip install 'rbconfig[{extra}]'"
    ], done.stderr


def test_none_turns_the_queue_off() -> None:
    with start_server(EVENTS, env={QUEUE_ENV: 'none'}) as server, Peers(server.url) as peers:
        peers.connect('ann', auth={'name': 'ann'})
        peers.connect('bob', auth={'name': 'bob'})
        peers.emit('bob', 'chat', 'local', ack='c')
        assert peers.expect(id='ann', event='chat')['args'] == [{'from': 'bob', 'text': 'local'}]
        assert 'message queue' not in server.output()


def test_gunicorn_refuses_two_workers_without_a_queue() -> None:
    done = subprocess.run(
        [
            sys.executable,
            '-m',
            'gunicorn',
            '-k',
            'gevent',
            '-w',
            '2',
            '-b',
            '127.0.0.1:0',
            '--no-control-socket',
        ]
        + [f'rbconfig.wsgi:app_factory("{EVENTS}")'],
        env=child_env({QUEUE_ENV: 'none'}),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert 'gunicorn runs 2 workers but the spec has sockets and no message queue' in done.stderr
    assert 'run one worker (-w 1), or set socketio.message_queue' in done.stderr
    # rbconfig's refusal has no traceback; gunicorn 27's arbiter itself sometimes prints one
    # when two workers fail to load (it reaps the second failure while halting): HaltServer.
    for block in done.stderr.split('Traceback (most recent call last):')[1:]:
        assert str(ROOT / 'rbconfig') not in block and 'HaltServer' in block, block


#: gunicorn's line for each worker it starts.
BOOTING = re.compile(r'Booting worker with pid: (\d+)')


def _connect_on(peers: Peers, name: str, worker: int, workers: list[int]) -> None:
    """Connect client ``name`` to gunicorn worker ``worker``, whatever the kernel prefers.

    The workers accept on one shared socket, and the kernel hands a connection to
    whichever asks first (one worker may take them all, or be still loading its app):
    the other workers are stopped (SIGSTOP) until the client is connected, so only
    ``worker`` can accept it. Stopped briefly: their clients' pings must not time out.
    """
    others = [pid for pid in workers if pid != worker]
    for pid in others:
        os.kill(pid, signal.SIGSTOP)
    try:
        peers.connect(name, auth={'name': name})
    finally:
        for pid in others:
            os.kill(pid, signal.SIGCONT)
    peers.emit(name, 'pid', ack=name)
    assert peers.expect(id=name, type='ack', where=lambda e: e['tag'] == name)['args'] == [worker]


def test_gunicorn_two_workers_share_the_queue() -> None:
    """WebSocket clients on both workers of ``gunicorn -w 2`` hear each other."""
    app = f'rbconfig.wsgi:app_factory("{EVENTS}")'
    with (
        redis_server() as redis,
        start_gunicorn(app, '-w', '2', env={QUEUE_ENV: redis.url}) as server,
        Peers(server.url) as peers,
    ):
        eventually(lambda: len(BOOTING.findall(server.output())) == 2, 'two workers booting')
        first, second = (int(pid) for pid in BOOTING.findall(server.output()))
        # The second worker may still be loading the app: a first client waits for it with the
        # first worker stopped (no client of the first is there to miss its pings), then leaves.
        _connect_on(peers, 'warm', second, [first, second])
        peers.disconnect('warm')
        _connect_on(peers, 'ann', first, [first, second])
        _connect_on(peers, 'bob', second, [first, second])
        peers.emit('ann', 'chat', 'across workers')
        assert peers.expect(id='bob', event='chat')['args'] == [
            {'from': 'ann', 'text': 'across workers'}
        ]
        peers.emit('bob', 'chat', 'and back')
        assert peers.expect(id='ann', event='chat')['args'] == [{'from': 'bob', 'text': 'and back'}]


def test_redis_restarted_while_clients_are_connected() -> None:
    with redis_server() as redis, nodes(EVENTS, 2, redis.url) as (a, b), Peers(a.url) as peers:
        peers.connect('ann', auth={'name': 'ann'})
        peers.connect('bob', 'polling', auth={'name': 'bob'}, url=b.url)
        peers.emit('ann', 'chat', 'before')
        peers.expect(id='bob', event='chat', where=lambda e: e['args'][0]['text'] == 'before')

        redis.restart()
        for node in (a, b):
            node.wait_for_output('Cannot receive from redis', timeout=20)
            node.wait_for_output('connected again, subscribed', timeout=30)
        # The same clients, the same server processes: events cross again.
        peers.emit('ann', 'chat', 'after')
        assert peers.expect(id='bob', event='chat', where=lambda e: e['args'][0]['text'] == 'after')
        peers.emit('bob', 'chat', 'and back')
        assert peers.expect(
            id='ann', event='chat', where=lambda e: e['args'][0]['text'] == 'and back'
        )
        assert peers.events(type='disconnect') == []
        for node in (a, b):
            assert node.returncode is None
            assert 'Traceback' not in node.output()


def test_a_burst_of_events_crosses_on_few_redis_connections() -> None:
    """Handlers publishing at once share the node's connection instead of opening one each.

    (redis-py's pool refuses a 101st connection: each refusal was an error line and a new
    pool, thousands of connections for one burst.)
    """
    count = 300
    with redis_server() as redis, nodes(EVENTS, 2, redis.url) as (a, b), Peers(a.url) as peers:
        peers.connect('ann', auth={'name': 'ann'})
        peers.connect('bob', auth={'name': 'bob'}, url=b.url)
        for index in range(count):  # each event runs its handler in a greenlet of its own
            peers.emit('ann', 'chat', f'n{index}', ack=f'a{index}')
        for index in range(count):
            peers.expect(id='ann', type='ack', where=lambda e, tag=f'a{index}': e['tag'] == tag)
        said = [peers.expect(id='bob', event='chat')['args'][0]['text'] for _ in range(count)]
        assert sorted(said) == sorted(f'n{index}' for index in range(count))
        listed = redis.command('CLIENT', 'LIST').decode()
        # Each node: its subscription and one connection that publishes (and this command's).
        assert len(re.findall('^id=', listed, re.MULTILINE)) <= 5, listed
        for node in (a, b):
            assert 'Cannot publish' not in node.output(), node.output()
