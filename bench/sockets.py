"""Socket.IO fan-out: rbconfig (python-socketio on gevent) next to a minimal Node server.

One sender emits ``fanout`` events; the server broadcasts each to every other
client (N WebSocket connections held by a few Node ``socket.io-client``
processes, the same load generator for both servers). Two phases per server
and N:

* latency: one message at a time; for each, the time until *every* client has
  it (median and p99 over the messages), and the per-delivery latency;
* burst: M messages sent back to back; fan-out messages per second from the
  first send until every client has all M, how many were lost, and the
  server's CPU time per delivery (/proc/<pid>/stat: the clients share the
  CPUs, so wall time is at the mercy of the load), and the Node processes'
  (clients and sender) beside it. The burst keeps every CPU busy, so the
  deliveries per second follow the CPU time a delivery costs, server and
  clients together: Node's total over the clients' share of rbconfig's is
  printed as the most a server that cost nothing could show against Node here.

Each figure is shown as min / median / max over the runs (at least 3); the
order of the servers is rotated from one run to the next.

Run (from the repository root, after ``npm ci`` in tests/)::

    python3 bench/sockets.py                      # N = 100 and 1,000, 3 runs each
    python3 bench/sockets.py --clients 100 --latency-messages 50 --deliveries 50000
    python3 bench/sockets.py --clients 100 --timeline   # + where each server's latency goes

``--timeline`` serves rbconfig's side with ``bench/sockets/timeline.yaml``: the
same broadcast, noting for each latency message, inside the server, when the
handler started, when the broadcast returned and when its frames were written,
in milliseconds since the sender stamped it; printed as p50 / p99 per N. The
Node server notes the same marks (``RBCONFIG_BENCH_TIMELINE``), its frames
written when its broadcast returns (each ``socket.write`` reaches the kernel
inside it), so where each server's time goes is printed side by side.

Clocks: every process stamps with ``performance.timeOrigin + performance.now()``
(one machine, one clock). The servers run as ``rbconfig run
bench/sockets/fanout.yaml`` and ``node tests/js/fanout_server.js``.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import queue
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
JS = ROOT / 'tests' / 'js'
SPEC = ROOT / 'bench' / 'sockets' / 'fanout.yaml'
TIMELINE_SPEC = ROOT / 'bench' / 'sockets' / 'timeline.yaml'
#: Where bench/sockets/timeline.py writes (the variable names the file).
TIMELINE_ENV = 'RBCONFIG_BENCH_TIMELINE'


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return int(sock.getsockname()[1])


def wait_port(port: int, process: subprocess.Popen[Any], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f'the server exited with status {process.returncode}')
        try:
            with socket.create_connection(('127.0.0.1', port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f'nothing listens on port {port} after {timeout}s')


class NodeProcess:
    """A ``tests/js/fanout.js`` process: JSON commands in, JSON events out."""

    def __init__(self, role: str, options: dict[str, Any]) -> None:
        self.process = subprocess.Popen(
            ['node', str(JS / 'fanout.js'), role, json.dumps(options)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            bufsize=1,
        )
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.events.put(json.loads(line))

    def send(self, **command: Any) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(command) + '\n')
        self.process.stdin.flush()

    def wait_for(self, kind: str, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f'no {kind!r} within {timeout}s')
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                continue
            if event['type'] == 'error':
                raise RuntimeError(event['message'])
            if event['type'] == kind:
                return event

    def close(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            ended(self.process, timeout=10)


def ended(process: subprocess.Popen[Any], timeout: float) -> None:
    """Wait ``timeout`` seconds for ``process`` to end, then kill it."""
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process ``pid`` has used (Linux /proc)."""
    fields = Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


@contextmanager
def serving(
    command: list[str], port: int, env: dict[str, str] | None = None
) -> Iterator[tuple[str, int]]:
    """Run the server ``command`` (on ``port``); (its URL, its pid), then it is terminated.

    A server that does not start stops the benchmark with what it wrote.
    """
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            try:
                wait_port(port, process)
            except SystemExit as ex:
                log.seek(0)
                said = log.read().decode('utf-8', 'replace').strip()
                raise SystemExit(f'{shlex.join(command)}: {ex}\n{said}') from None
            yield f'http://127.0.0.1:{port}', process.pid
        finally:
            process.terminate()
            ended(process, timeout=15)


def rbconfig_server(timeline: Path | None = None) -> AbstractContextManager[tuple[str, int]]:
    """``rbconfig run`` of the fan-out spec; with ``timeline``, the timed one writing there."""
    port = free_port()
    spec = SPEC if timeline is None else TIMELINE_SPEC
    command = [sys.executable, '-m', 'rbconfig.cli', 'run', str(spec), '--port', str(port)]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    if timeline is not None:
        env[TIMELINE_ENV] = str(timeline)
    return serving(command, port, env=env)


def print_timeline(name: str, file: Path) -> None:
    """p50 / p99 of each mark the ``name`` server wrote to ``file`` (rbconfig: timeline.py)."""
    rows = [[float(cell) for cell in line.split()] for line in file.read_text().splitlines()]
    print(f'  {name}, inside the server, ms since the sender stamped ({len(rows)} messages)')
    marks = ('handler starts', 'broadcast returned', 'frames written')
    for index, label in enumerate(marks):
        values = [row[index] for row in rows]
        p50, p99 = percentile(values, 0.5), percentile(values, 0.99)
        print(f'    {label:<28} p50 {p50:.2f}  p99 {p99:.2f} ms')


def node_server(timeline: Path | None = None) -> AbstractContextManager[tuple[str, int]]:
    """The Node reference server; with ``timeline``, noting its marks there too."""
    port = free_port()
    env = dict(os.environ)
    if timeline is not None:
        env[TIMELINE_ENV] = str(timeline)
    return serving(['node', str(JS / 'fanout_server.js'), str(port)], port, env=env)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure(
    urls: list[str], pids: list[int], clients: int, processes: int, messages: int, burst: int
) -> dict[str, float]:
    """Latency and burst phases against the server at ``urls`` (processes ``pids``).

    The clients are spread over ``urls`` (the nodes of a cluster: bench/cluster.py), the
    sender connects to the first; the CPU time is that of every process in ``pids``.
    """
    base, extra = divmod(clients, processes)
    shares = [base + (1 if index < extra else 0) for index in range(processes)]
    receivers = [
        NodeProcess('clients', {'urls': urls, 'connections': share}) for share in shares if share
    ]
    sender = None
    try:
        for proc in receivers:
            proc.wait_for('ready', timeout=120)
        sender = NodeProcess('sender', {'url': urls[0]})
        sender.wait_for('ready', timeout=30)
        time.sleep(0.5)

        everyone: list[float] = []
        each: list[float] = []
        for index in range(messages):
            sender.send(op='one', i=index)
            latencies: list[float] = []
            for proc in receivers:
                event = proc.wait_for('lat', timeout=30)
                assert event['i'] == index, event
                latencies += event['lat']
            everyone.append(max(latencies))
            each += latencies

        for proc in receivers:
            proc.send(op='burst', count=burst)
        load = [proc.process.pid for proc in [*receivers, sender]]
        cpu_before = sum(cpu_seconds(pid) for pid in pids)
        load_before = sum(cpu_seconds(pid) for pid in load)
        sender.send(op='burst', count=burst)
        sent = sender.wait_for('sent', timeout=60)
        last = 0.0
        lost = 0
        for proc in receivers:
            try:
                last = max(last, proc.wait_for('burst_done', timeout=180)['last'])
            except TimeoutError:
                proc.send(op='report')
                counts = proc.wait_for('report', timeout=10)['counts']
                lost += sum(burst - count for count in counts)
        cpu = sum(cpu_seconds(pid) for pid in pids) - cpu_before
        load_cpu = sum(cpu_seconds(pid) for pid in load) - load_before
        elapsed = (last - sent['first']) / 1000 if last else float('nan')
        return {
            'each_p50': statistics.median(each),
            'each_p99': percentile(each, 0.99),
            'last_p50': statistics.median(everyone),
            'last_p99': percentile(everyone, 0.99),
            'rate': burst / elapsed,
            'deliveries': burst * clients / elapsed,
            'cpu_us': cpu / (burst * clients) * 1e6,
            'clients_us': load_cpu / (burst * clients) * 1e6,
            'lost': lost,
        }
    finally:
        for proc in [*receivers, *([sender] if sender else [])]:
            proc.close()


#: Decimals shown of the figures in each unit (the rest: none).
DECIMALS = {'ms': 2, 'us': 1}

#: (key, label, unit) of each figure reported.
METRICS = (
    ('each_p50', 'latency per delivery p50', 'ms'),
    ('each_p99', 'latency per delivery p99', 'ms'),
    ('last_p50', 'time to last client p50', 'ms'),
    ('last_p99', 'time to last client p99', 'ms'),
    ('rate', 'burst messages/s', 'msg/s'),
    ('deliveries', 'burst deliveries/s', 'deliv/s'),
    ('cpu_us', 'server CPU per delivery', 'us'),
    ('clients_us', 'clients CPU per delivery', 'us'),
    ('lost', 'lost', 'msgs'),
)


def check_run(parser: argparse.ArgumentParser, repeat: int) -> None:
    """Stop on fewer than 3 runs, or without node and tests/node_modules."""
    if repeat < 3:
        parser.error('--repeat: at least 3 runs, for min / median / max')
    if shutil.which('node') is None or not (ROOT / 'tests' / 'node_modules').is_dir():
        parser.exit(2, 'needs node and tests/node_modules (run "npm ci" in tests/)\n')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--clients', default='100,1000', help='numbers of connected clients (default 100,1000)'
    )
    parser.add_argument(
        '--processes', type=int, default=4, help='Node processes holding the clients (default 4)'
    )
    parser.add_argument(
        '--latency-messages', type=int, default=100, help='messages of the latency phase'
    )
    parser.add_argument(
        '--deliveries',
        type=int,
        default=200_000,
        help='burst size as deliveries (messages = this / clients; default 200,000)',
    )
    parser.add_argument(
        '--repeat', type=int, default=3, help='runs per server and N (default 3, at least 3)'
    )
    parser.add_argument(
        '--timeline',
        action='store_true',
        help='also time each latency message inside both servers (bench/sockets/timeline.py)',
    )
    args = parser.parse_args(argv)
    check_run(parser, args.repeat)

    print(
        f'fan-out benchmark, {os.cpu_count()} CPUs shared by the server, {args.processes} Node '
        f'client processes and the sender; load average before: {os.getloadavg()[0]:.1f}'
    )
    print(
        'latency: one message at a time; per delivery (p50, p99) and time until the last client '
        'has it (p50, p99). burst: messages/s and deliveries/s until every client has all; '
        'server CPU microseconds per delivery. Each figure: min / median / max over the runs.'
    )
    for clients in [int(text) for text in args.clients.split(',')]:
        timelines: dict[str, Path | None] = {'rbconfig': None, 'node': None}
        if args.timeline:
            for server_name in timelines:
                handle, name = tempfile.mkstemp(prefix=f'{server_name}-timeline-')
                os.close(handle)
                timelines[server_name] = Path(name)
        servers = (
            ('rbconfig', functools.partial(rbconfig_server, timelines['rbconfig'])),
            ('node', functools.partial(node_server, timelines['node'])),
        )
        burst = max(20, args.deliveries // clients)
        print(
            f'\nN = {clients}: {args.latency_messages} single messages, then {burst} at once; '
            f'{args.repeat} runs per server, order rotated'
        )
        runs: dict[str, list[dict[str, float]]] = {name: [] for name, _ in servers}
        for repeat in range(args.repeat):  # rotated, so both see the same machine load
            order = servers if repeat % 2 == 0 else servers[::-1]
            for name, server in order:
                with server() as (url, pid):
                    runs[name].append(
                        measure([url], [pid], clients, args.processes, args.latency_messages, burst)
                    )
        for name, found in runs.items():
            print(f'  {name}')
            for key, label, unit in METRICS:
                values = sorted(run[key] for run in found)
                shown = ' / '.join(
                    f'{value:.{DECIMALS.get(unit, 0)}f}'
                    for value in (values[0], statistics.median(values), values[-1])
                )
                print(f'    {label:<28} {shown} {unit}')
        ours = {key: statistics.median(run[key] for run in runs['rbconfig']) for key, *_ in METRICS}
        node = {key: statistics.median(run[key] for run in runs['node']) for key, *_ in METRICS}
        ratio = {key: ours[key] / node[key] for key in ours if node[key]}
        lost = sum(run['lost'] for found in runs.values() for run in found)
        print(
            f'  rbconfig / node (medians): delivery p50 {ratio["each_p50"]:.2f}x, '
            f'p99 {ratio["each_p99"]:.2f}x, time to last p50 {ratio["last_p50"]:.2f}x, '
            f'p99 {ratio["last_p99"]:.2f}x (goal <= 1); throughput {ratio["rate"]:.2f}x '
            f'(goal >= 1.5); CPU per delivery {ratio["cpu_us"]:.2f}x; lost {lost:.0f}',
            flush=True,
        )
        # The burst keeps both CPUs busy: deliveries/s is about 2 CPUs over the CPU time of a
        # delivery, the server's and the clients' together. So even a server that cost nothing
        # could show at most Node's total over the clients' share of rbconfig's.
        print(
            f'  CPU per delivery, server + clients (medians): rbconfig {ours["cpu_us"]:.1f} + '
            f'{ours["clients_us"]:.1f} us, node {node["cpu_us"]:.1f} + {node["clients_us"]:.1f} '
            f'us; a server that cost nothing would show at most '
            f"{(node['cpu_us'] + node['clients_us']) / ours['clients_us']:.2f}x Node's throughput "
            'with these clients on these CPUs'
        )
        for server_name, timeline in timelines.items():
            if timeline is not None:
                print_timeline(server_name, timeline)
                timeline.unlink()
    return 0


if __name__ == '__main__':
    sys.exit(main())
