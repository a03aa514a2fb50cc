"""Socket.IO fan-out: rbconfig (python-socketio on gevent) next to a minimal Node server.

One sender emits ``fanout`` events; the server broadcasts each to every other
client (N WebSocket connections held by a few Node ``socket.io-client``
processes, the same load generator for both servers). Two phases per server
and N:

* latency: one message at a time; for each, the time until *every* client has
  it (median and p99 over the messages), and the per-delivery latency;
* burst: M messages sent back to back; fan-out messages per second from the
  first send until every client has all M, and how many were lost.

Run (from the repository root, after ``npm ci`` in tests/)::

    python3 bench/sockets.py                      # N = 100 and 1,000, 3 runs each
    python3 bench/sockets.py --clients 100 --latency-messages 50 --repeat 1

Clocks: every process stamps with ``performance.timeOrigin + performance.now()``
(one machine, one clock). The servers run as ``rbconfig run
bench/sockets/fanout.yaml`` and ``node tests/js/fanout_server.js``.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
JS = ROOT / 'tests' / 'js'
SPEC = ROOT / 'bench' / 'sockets' / 'fanout.yaml'


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


@contextmanager
def serving(command: list[str], port: int, env: dict[str, str] | None = None) -> Iterator[str]:
    """Run the server ``command`` (listening on ``port``); its URL, then it is terminated."""
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    try:
        wait_port(port, process)
        yield f'http://127.0.0.1:{port}'
    finally:
        process.terminate()
        ended(process, timeout=15)


def rbconfig_server() -> AbstractContextManager[str]:
    port = free_port()
    command = [sys.executable, '-m', 'rbconfig.cli', 'run', str(SPEC), '--port', str(port)]
    return serving(command, port, env=dict(os.environ, PYTHONPATH=str(ROOT)))


def node_server() -> AbstractContextManager[str]:
    port = free_port()
    return serving(['node', str(JS / 'fanout_server.js'), str(port)], port)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure(url: str, clients: int, processes: int, messages: int, burst: int) -> dict:
    """Latency and burst phases against the server at ``url``."""
    base, extra = divmod(clients, processes)
    shares = [base + (1 if index < extra else 0) for index in range(processes)]
    receivers = [
        NodeProcess('clients', {'url': url, 'connections': share}) for share in shares if share
    ]
    sender = None
    try:
        for proc in receivers:
            proc.wait_for('ready', timeout=120)
        sender = NodeProcess('sender', {'url': url})
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
        elapsed = (last - sent['first']) / 1000 if last else float('nan')
        return {
            'all_median': statistics.median(everyone),
            'all_p99': percentile(everyone, 0.99),
            'each_median': statistics.median(each),
            'each_p99': percentile(each, 0.99),
            'rate': burst / elapsed,
            'deliveries': burst * clients / elapsed,
            'lost': lost,
        }
    finally:
        for proc in [*receivers, *([sender] if sender else [])]:
            proc.close()


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
        '--repeat', type=int, default=3, help='runs per server and N; medians shown (default 3)'
    )
    args = parser.parse_args(argv)
    if shutil.which('node') is None or not (ROOT / 'tests' / 'node_modules').is_dir():
        print('needs node and tests/node_modules (run "npm ci" in tests/)', file=sys.stderr)
        return 2

    print(f'fan-out benchmark, {os.cpu_count()} CPUs; servers and clients share them')
    header = (
        f'{"server":<9} {"N":>5} {"all: med":>9} {"p99":>8} {"each: med":>10} {"p99":>8} '
        f'{"msgs/s":>8} {"deliv/s":>9} {"lost":>5}'
    )
    results: dict[tuple[str, int], dict] = {}
    for clients in [int(text) for text in args.clients.split(',')]:
        burst = max(20, args.deliveries // clients)
        print(
            f'\nN = {clients}: {args.latency_messages} single messages, then {burst} at once; '
            f'median of {args.repeat} runs per server'
        )
        print(header)
        runs: dict[str, list[dict]] = {'rbconfig': [], 'node': []}
        for _ in range(args.repeat):  # alternate, so both see the same machine load
            for name, server in (('rbconfig', rbconfig_server), ('node', node_server)):
                with server() as url:
                    runs[name].append(
                        measure(url, clients, args.processes, args.latency_messages, burst)
                    )
        for name, found_runs in runs.items():
            found = {
                key: statistics.median(run[key] for run in found_runs)
                for key in found_runs[0]
                if key != 'lost'
            }
            found['lost'] = sum(run['lost'] for run in found_runs)
            found['rates'] = [round(run['rate']) for run in found_runs]
            results[(name, clients)] = found
            print(
                f'{name:<9} {clients:>5} {found["all_median"]:>7.2f}ms {found["all_p99"]:>6.2f}ms '
                f'{found["each_median"]:>8.2f}ms {found["each_p99"]:>6.2f}ms '
                f'{found["rate"]:>8.0f} {found["deliveries"]:>9.0f} {found["lost"]:>5}'
                f'   (msgs/s of each run: {found["rates"]})',
                flush=True,
            )
        ours, theirs = results[('rbconfig', clients)], results[('node', clients)]
        print(
            f'ratio rbconfig/node: rate {ours["rate"] / theirs["rate"]:.2f} '
            f'(goal >= 0.5), time to all (median) {ours["all_median"] / theirs["all_median"]:.2f}'
            f'x, p99 {ours["all_p99"] / theirs["all_p99"]:.2f}x'
        )
    return 0


if __name__ == '__main__':
    sys.exit(main())
