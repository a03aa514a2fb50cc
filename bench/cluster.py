"""Multi-node fan-out: rbconfig nodes sharing Redis next to a Node.js Socket.IO cluster.

N WebSocket clients (the official Node ``socket.io-client``, held by a few Node
processes) are spread evenly over k server nodes; one more client emits
``fanout`` events to the first node, which broadcasts each to every other
client, on every node. Contenders, all in the same run:

* ``rbconfig xk``: k ``rbconfig run bench/sockets/cluster.yaml`` processes
  sharing Redis (``RBCONFIG_MESSAGE_QUEUE``: python-socketio's RedisManager);
* ``node xk``: k ``node tests/js/fanout_server.js`` processes sharing the same
  Redis through ``@socket.io/redis-adapter`` (the Node ecosystem's standard);
* ``rbconfig 1`` and ``node 1``: one process without Redis, the baseline.

The phases are bench/sockets.py's (:func:`sockets.measure`): one message at a
time (latency per delivery and until the last client, p50/p99), then a burst
(deliveries/s until every client has every message, lost messages, server
CPU microseconds per delivery: the nodes' and, with the bench's own Redis,
Redis's too, from /proc; the clients share the CPUs, so wall time is at the
mercy of the load). Each figure is min / median / max over the runs (at least
3); the order of the contenders is rotated from one run to the next.

Redis: by default the bench starts its own ``redis-server`` on a free port
(nobody else's traffic, and its CPU time counted); ``--redis URL`` uses an
existing one instead. Either way the contenders use their own channel
(``rbconfig-bench-cluster``) and key prefix (``rbconfig-bench-cluster-node``).

Run (from the repository root, after ``npm ci`` in tests/)::

    python3 bench/cluster.py                 # N = 1,000 over 1, 2, 3 nodes, 3 runs each
    python3 bench/cluster.py --short         # a quick look: N = 200, small bursts
    python3 bench/cluster.py --clients 500 --nodes 2,3 --repeat 5
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass

from sockets import JS, ROOT, check_run, free_port, measure, serving

SPEC = ROOT / 'bench' / 'sockets' / 'cluster.yaml'
#: The @socket.io/redis-adapter key prefix of the Node contenders.
NODE_KEY = 'rbconfig-bench-cluster-node'

#: A running cluster: the URL of each node, and the pids whose CPU time counts.
Running = tuple[list[str], list[int]]


@dataclass(frozen=True)
class Contender:
    """k nodes of one server kind, sharing Redis (``queue``) or alone."""

    kind: str  # 'rbconfig' or 'node'
    nodes: int
    queue: bool

    @property
    def name(self) -> str:
        nodes = f'{self.nodes} node{"s" if self.nodes > 1 else ""}'
        return f'{self.kind} {nodes}' + (', Redis' if self.queue else ', alone')


def rbconfig_node(queue: str | None) -> AbstractContextManager[tuple[str, int]]:
    """One ``rbconfig run`` node; on the message queue ``queue`` (None: no queue)."""
    port = free_port()
    command = [sys.executable, '-m', 'rbconfig.cli', 'run', str(SPEC), '--port', str(port)]
    env = dict(os.environ, PYTHONPATH=str(ROOT), RBCONFIG_MESSAGE_QUEUE=queue or 'none')
    return serving(command, port, env=env)


def node_node(queue: str | None) -> AbstractContextManager[tuple[str, int]]:
    """One Node Socket.IO node; with ``queue``, on @socket.io/redis-adapter."""
    port = free_port()
    command = ['node', str(JS / 'fanout_server.js'), str(port)]
    return serving(command + ([queue, NODE_KEY] if queue else []), port)


NODE_KINDS: dict[str, Callable[[str | None], AbstractContextManager[tuple[str, int]]]] = {
    'rbconfig': rbconfig_node,
    'node': node_node,
}


@contextmanager
def cluster(contender: Contender, redis: str, redis_pid: int | None) -> Iterator[Running]:
    """The contender's nodes, started one after the other; stopped when the block ends."""
    queue = redis if contender.queue else None
    with ExitStack() as stack:
        started = [
            stack.enter_context(NODE_KINDS[contender.kind](queue)) for _ in range(contender.nodes)
        ]
        pids = [pid for _, pid in started]
        if queue and redis_pid is not None:
            pids.append(redis_pid)
        yield [url for url, _ in started], pids


@contextmanager
def own_redis() -> Iterator[tuple[str, int]]:
    """A private ``redis-server`` (in memory only) on a free port: (its URL, its pid)."""
    binary = shutil.which('redis-server')
    if binary is None:
        raise SystemExit('needs redis-server (or --redis URL)')
    port = free_port()
    command = [binary, '--port', str(port), '--bind', '127.0.0.1', '--save', '']
    with serving(command + ['--appendonly', 'no'], port) as (_, pid):
        yield f'redis://127.0.0.1:{port}/0', pid


def spread(values: list[float], digits: int) -> str:
    """``median [min-max]`` of ``values``."""
    ordered = sorted(values)
    return (
        f'{statistics.median(ordered):,.{digits}f} '
        f'[{ordered[0]:,.{digits}f}-{ordered[-1]:,.{digits}f}]'
    )


def report(runs: dict[Contender, list[dict[str, float]]]) -> None:
    """Every figure of every contender: median [min-max] over the runs."""
    columns = [
        ('deliveries', 'deliveries/s', 0),
        ('rate', 'messages/s', 0),
        ('each_p50', 'p50 ms', 2),
        ('each_p99', 'p99 ms', 2),
        ('last_p50', 'last p50 ms', 2),
        ('last_p99', 'last p99 ms', 2),
        ('cpu_us', 'CPU us/deliv', 1),
        ('lost', 'lost', 0),
    ]
    table = [['contender'] + [head for _, head, _ in columns]]
    for contender, found in runs.items():
        table.append(
            [contender.name]
            + [spread([run[key] for run in found], digits) for key, _, digits in columns]
        )
    widths = [max(len(row[index]) for row in table) + 2 for index in range(len(table[0]))]
    print('\n  summary: median [min-max] over the runs')
    for row in table:
        print('  ' + ''.join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


def verdict(runs: dict[Contender, list[dict[str, float]]]) -> None:
    """rbconfig / node for each node count (medians): the target is a rate >= 1x."""

    def median(kind: str, nodes: int, queue: bool, key: str) -> float:
        return statistics.median(run[key] for run in runs[Contender(kind, nodes, queue)])

    for contender in runs:
        if contender.kind != 'rbconfig':
            continue
        n, q = contender.nodes, contender.queue
        rate = median('rbconfig', n, q, 'deliveries') / median('node', n, q, 'deliveries')
        cpu = median('rbconfig', n, q, 'cpu_us') / median('node', n, q, 'cpu_us')
        p99 = median('rbconfig', n, q, 'each_p99') / median('node', n, q, 'each_p99')
        target = ''
        if q and n > 1:
            target = ', target >= 1x ' + ('met' if rate >= 1 else 'MISSED')
        print(
            f'  rbconfig / node, {contender.name.split(" ", 1)[1] + ":":<17} deliveries/s '
            f'{rate:.2f}x{target}; delivery p99 {p99:.2f}x; CPU per delivery {cpu:.2f}x'
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--clients', type=int, default=1000, help='connected clients (1,000)')
    parser.add_argument('--nodes', default='1,2,3', help='node counts on Redis (1,2,3)')
    parser.add_argument(
        '--processes', type=int, default=4, help='Node processes holding the clients (4)'
    )
    parser.add_argument('--latency-messages', type=int, default=100, help='single messages (100)')
    parser.add_argument(
        '--deliveries', type=int, default=200_000, help='burst size as deliveries (200,000)'
    )
    parser.add_argument('--repeat', type=int, default=3, help='runs per contender (3, at least 3)')
    parser.add_argument('--redis', help="an existing Redis's URL (default: the bench's own)")
    parser.add_argument(
        '--short',
        action='store_true',
        help='a quick look: 200 clients, 20 single messages, 20,000 deliveries',
    )
    args = parser.parse_args(argv)
    if args.short:
        args.clients, args.latency_messages, args.deliveries = 200, 20, 20_000
    check_run(parser, args.repeat)
    counts = [int(text) for text in args.nodes.split(',')]
    contenders = [Contender(kind, 1, False) for kind in NODE_KINDS] + [
        Contender(kind, n, True) for n in counts for kind in NODE_KINDS
    ]
    burst = max(20, args.deliveries // args.clients)
    print(
        f'cluster fan-out, {os.cpu_count()} CPUs shared by the nodes, Redis, '
        f'{args.processes} Node client processes and the sender; load average before: '
        f'{os.getloadavg()[0]:.1f}\n'
        f'N = {args.clients} clients spread over the nodes; {args.latency_messages} single '
        f'messages, then {burst} at once; {args.repeat} runs per contender, order rotated'
    )
    started = time.monotonic()
    with ExitStack() as stack:
        if args.redis:
            redis, redis_pid = args.redis, None
        else:
            redis, redis_pid = stack.enter_context(own_redis())
        runs: dict[Contender, list[dict[str, float]]] = {c: [] for c in contenders}
        for repeat in range(args.repeat):
            shift = repeat % len(contenders)  # rotated: each sees the machine at another time
            for contender in contenders[shift:] + contenders[:shift]:
                with cluster(contender, redis, redis_pid) as (urls, pids):
                    runs[contender].append(
                        measure(
                            urls, pids, args.clients, args.processes, args.latency_messages, burst
                        )
                    )
                print(
                    f'  run {repeat + 1}: {contender.name} done '
                    f'({runs[contender][-1]["deliveries"]:,.0f} deliveries/s)',
                    flush=True,
                )
    print(
        f'\n{time.monotonic() - started:.0f} s; load average after: {os.getloadavg()[0]:.1f}; '
        f'p50/p99: latency per delivery; last: until the last client has a message; '
        f'CPU: the nodes{"" if args.redis else " and Redis"}, per delivery of the burst'
    )
    report(runs)
    print()
    verdict(runs)
    lost = sum(run['lost'] for found in runs.values() for run in found)
    print(f'  lost: {lost:.0f} messages in all', flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
