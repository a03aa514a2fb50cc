"""Soak runs against ``rbconfig run``: many HTTP requests, then many WebSocket clients held open.

``http``: 100,000 requests (``--requests``) over 50 keep-alive connections
(``--connections``) from wrk against ``apps/demos/demos.yaml``, rotating over
six of its paths (the page, two counters, the static CSS, a modern handler and
``POST /capitalize`` with its header validator and JSON check), in 5-second
wrk runs (each on fresh connections) until that many are answered. Prints the
responses by status, wrk's socket errors, req/s, the worst p99, and the
server's RSS and open descriptors before (after a 1-second warm-up) and after.

``websocket``: 5,000 Socket.IO clients (``--clients``) over WebSocket against
``bench/sockets/fanout.yaml``, held ``--hold`` seconds (60), each answering
the server's pings. The server starts with the soft descriptor limit at 1,024
(``ulimit -n 1024``, the usual default) and must raise it itself; the clients
(greenlets in this process, wsproto on gevent sockets) raise this process's
own limit. Prints how many connected, how many were still connected at the
end, the server's descriptor count and limit, and its RSS.

Run (from the repository root)::

    python3 bench/soak.py                 # both
    python3 bench/soak.py http --requests 20000
    python3 bench/soak.py websocket --clients 1000 --hold 10

Every run is bounded: wrk stops after the requests (or after ``--limit``
seconds), the WebSocket clients after the hold; everything targets 127.0.0.1.
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import gevent  # noqa: E402
import gevent.event  # noqa: E402
from gevent.lock import BoundedSemaphore  # noqa: E402
from wsproto import ConnectionType, WSConnection  # noqa: E402
from wsproto.events import (  # noqa: E402
    AcceptConnection,
    CloseConnection,
    Message,
    Ping,
    RejectConnection,
    Request,
    TextMessage,
)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.launch import stop, wait_listening  # noqa: E402

DEMOS = ROOT / 'apps' / 'demos' / 'demos.yaml'
FANOUT = ROOT / 'bench' / 'sockets' / 'fanout.yaml'

#: wrk script: rotate over the demos' paths and count the statuses.
WRK_SCRIPT = r"""
local paths = {
  {"GET", "/demos", nil},
  {"GET", "/demos/count", nil},
  {"GET", "/demos/count2", nil},
  {"GET", "/demos/redbarrel.css", nil},
  {"GET", "/demos/greet/soak?polite=yes", nil},
  {"POST", "/demos/capitalize", '"hello world, how are you today?"'},
}
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  index = 0
  statuses = {}
end

function request()
  index = index % #paths + 1
  local p = paths[index]
  local headers = {}
  if p[1] == "POST" then
    headers["Authorization"] = "Bearer demo"
    headers["Content-Type"] = "application/json"
  end
  return wrk.format(p[1], p[2], headers, p[3])
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local all = {}
  for _, thread in ipairs(threads) do
    local counted = thread:get("statuses")
    for status, count in pairs(counted) do
      all[status] = (all[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(all) do
    table.insert(parts, string.format('"%d": %d', status, count))
  end
  io.write("STATUSES {" .. table.concat(parts, ", ") .. "}\n")
  io.write(string.format("LATENCY %.3f %.3f %.3f\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return int(sock.getsockname()[1])


def start(spec: Path, port: int, soft_fd_limit: int | None = None) -> subprocess.Popen[bytes]:
    """``rbconfig run SPEC`` (access log off the terminal), started with a soft fd limit."""
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get('PYTHONPATH', '')])
    )

    def limit() -> None:
        if soft_fd_limit is not None:
            hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft_fd_limit, hard))

    process = subprocess.Popen(
        [sys.executable, '-m', 'rbconfig.cli', 'run', str(spec), '--port', str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=limit,
    )
    wait_listening(process, port, 'rbconfig run')
    return process


def rss_mb(pid: int) -> float:
    for line in Path(f'/proc/{pid}/status').read_text().splitlines():
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) / 1024
    return float('nan')


def open_fds(pid: int) -> int:
    return len(os.listdir(f'/proc/{pid}/fd'))


def soft_limit(pid: int) -> str:
    for line in Path(f'/proc/{pid}/limits').read_text().splitlines():
        if line.startswith('Max open files'):
            return line.split()[3]
    return '?'


# -- HTTP ----------------------------------------------------------------------------------------


def wrk(url: str, seconds: int, connections: int, script: Path) -> dict[str, Any]:
    """One wrk run: statuses, socket errors and latency percentiles."""
    command = ['wrk', '-t2', f'-c{connections}', f'-d{seconds}s', '--timeout', '10s']
    output = subprocess.run(
        [*command, '-s', str(script), url], capture_output=True, text=True, check=True
    ).stdout
    statuses = re.search(r'STATUSES (\{.*\})', output)
    errors = re.search(
        r'Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)', output
    )
    latency = re.search(r'LATENCY ([\d.]+) ([\d.]+) ([\d.]+)', output)
    assert statuses is not None and latency is not None, output
    return {
        'statuses': json.loads(statuses.group(1)),
        'errors': [int(count) for count in errors.groups()] if errors else [0, 0, 0, 0],
        'latency': [float(value) for value in latency.groups()],
    }


def soak_http(requests: int, connections: int, limit: int) -> dict[str, object]:
    """wrk in 5-second slices (each on fresh connections) until ``requests`` are answered."""
    if not shutil.which('wrk'):
        raise SystemExit('the HTTP soak needs wrk (Debian: apt-get install wrk)')
    folder = Path(tempfile.mkdtemp(prefix='rbconfig-soak-'))
    script = folder / 'soak.lua'
    script.write_text(WRK_SCRIPT)
    port = free_port()
    process = start(DEMOS, port)
    url = f'http://127.0.0.1:{port}'
    statuses: dict[str, int] = {}
    errors = [0, 0, 0, 0]
    p99s: list[float] = []
    worst = 0.0
    try:
        wrk(url, 1, connections, script)  # warm up
        before = {'rss_mb': rss_mb(process.pid), 'fds': open_fds(process.pid)}
        started = time.monotonic()
        while sum(statuses.values()) < requests and time.monotonic() - started < limit:
            run = wrk(url, 5, connections, script)
            for status, count in run['statuses'].items():
                statuses[status] = statuses.get(status, 0) + count
            errors = [a + b for a, b in zip(errors, run['errors'], strict=True)]
            p99s.append(run['latency'][1])
            worst = max(worst, run['latency'][2])
        took = time.monotonic() - started
        settled = time.monotonic() + 5  # the last run's connections are being closed
        while open_fds(process.pid) > before['fds'] and time.monotonic() < settled:
            time.sleep(0.1)
        after = {'rss_mb': rss_mb(process.pid), 'fds': open_fds(process.pid)}
    finally:
        stop(process)
        shutil.rmtree(folder, ignore_errors=True)
    total = sum(statuses.values())
    result: dict[str, object] = {
        'requests': total,
        'statuses': statuses,
        'non_2xx': sum(count for status, count in statuses.items() if not status.startswith('2')),
        'socket_errors': dict(zip(('connect', 'read', 'write', 'timeout'), errors, strict=True)),
        'rate': total / took,
        'p99_ms_worst_slice': max(p99s),
        'max_ms': worst,
        'before': before,
        'after': after,
    }
    print(f'HTTP soak: {total} requests over {connections} connections in {took:.1f}s')
    print(f'  statuses: {statuses}   socket errors: {result["socket_errors"]}')
    print(
        f'  {result["rate"]:.0f} req/s; p99 of the worst 5 s slice {max(p99s):.1f} ms,'
        f' slowest request {worst:.1f} ms'
    )
    print(
        f'  server RSS {before["rss_mb"]:.1f} MB -> {after["rss_mb"]:.1f} MB;'
        f' open descriptors {before["fds"]} -> {after["fds"]}'
    )
    return result


# -- WebSocket -----------------------------------------------------------------------------------


class Client:
    """One Socket.IO client over WebSocket (engine.io 4), answering pings until told to stop."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connected = False
        self.closed = False
        self.failure = ''
        self.pings = 0

    def run(self, stop: gevent.event.Event, connecting: BoundedSemaphore) -> None:
        """Connect (while holding ``connecting``), then talk until ``stop``."""
        self.handshake = gevent.event.Event()
        with connecting:
            try:
                sock = socket.create_connection(('127.0.0.1', self.port), timeout=30)
            except OSError as ex:
                self.failure = f'connect: {ex.strerror or ex}'
                self.closed = True
                return
            try:
                reader = self._start(sock)
            except OSError as ex:
                self.failure = f'handshake: {ex.strerror or ex}'
                self.closed = True
                sock.close()
                return
            self.handshake.wait(30)
        try:
            stop.wait()
            self._finish(sock, reader)
        except (OSError, ValueError) as ex:
            self.failure = self.failure or f'{type(ex).__name__}: {ex}'
        finally:
            self.closed = True
            sock.close()

    def _start(self, sock: socket.socket) -> gevent.Greenlet:
        self.ws = WSConnection(ConnectionType.CLIENT)
        target = '/socket.io/?EIO=4&transport=websocket'
        sock.sendall(self.ws.send(Request(host='127.0.0.1', target=target)))
        return gevent.spawn(self._read_safely, sock, self.ws)

    def _finish(self, sock: socket.socket, reader: gevent.Greenlet) -> None:
        reader.kill()
        if self.connected and not self.closed:
            try:
                sock.sendall(self.ws.send(CloseConnection(code=1000)))
            except OSError:
                pass

    def _read_safely(self, sock: socket.socket, ws: WSConnection) -> None:
        try:
            self._read(sock, ws)
        except (OSError, ValueError) as ex:
            self.failure = self.failure or f'{type(ex).__name__}: {ex}'
            self.closed = True
        finally:
            self.handshake.set()

    def _read(self, sock: socket.socket, ws: WSConnection) -> None:
        sock.settimeout(None)
        while True:
            data = sock.recv(65536)
            if not data:
                self.closed = True
                if not self.failure:
                    self.failure = 'closed by the server'
                return
            ws.receive_data(data)
            for event in ws.events():
                if isinstance(event, AcceptConnection):
                    pass
                elif isinstance(event, RejectConnection):
                    self.failure = f'rejected: {event.status_code}'
                    self.closed = True
                    return
                elif isinstance(event, TextMessage):
                    self._packet(sock, ws, event.data)
                elif isinstance(event, Ping):
                    sock.sendall(ws.send(event.response()))
                elif isinstance(event, CloseConnection):
                    self.failure = f'closed by the server ({event.code})'
                    self.closed = True
                    return
                elif isinstance(event, Message):
                    pass

    def _packet(self, sock: socket.socket, ws: WSConnection, text: str) -> None:
        if text.startswith('0'):  # engine.io open: connect to the '/' namespace
            sock.sendall(ws.send(TextMessage(data='40')))
        elif text.startswith('40'):
            self.connected = True
            self.handshake.set()
        elif text == '2':  # engine.io ping
            self.pings += 1
            sock.sendall(ws.send(TextMessage(data='3')))


def soak_websocket(clients: int, hold: float) -> dict[str, object]:
    wanted = clients + 200
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))
    port = free_port()
    process = start(FANOUT, port, soft_fd_limit=1024)
    stop_event = gevent.event.Event()
    everyone = [Client(port) for _ in range(clients)]
    connecting = BoundedSemaphore(200)  # handshakes under way at once
    greenlets = []
    try:
        started = time.monotonic()
        for client in everyone:
            greenlets.append(gevent.spawn(client.run, stop_event, connecting))
        # Wait until every client is connected or failed (bounded by the hold time).
        deadline = time.monotonic() + max(hold, 30)
        while time.monotonic() < deadline:
            if all(client.connected or client.closed for client in everyone):
                break
            gevent.sleep(0.2)
        ramp = time.monotonic() - started
        connected = sum(client.connected for client in everyone)
        at_start = {'fds': open_fds(process.pid), 'rss_mb': rss_mb(process.pid)}
        gevent.sleep(hold)
        held = sum(client.connected and not client.closed for client in everyone)
        at_end = {'fds': open_fds(process.pid), 'rss_mb': rss_mb(process.pid)}
        limit = soft_limit(process.pid)
        stop_event.set()
        gevent.joinall(greenlets, timeout=30)
    finally:
        stop(process)
    failures: dict[str, int] = {}
    for client in everyone:
        if client.failure and not client.connected:
            failures[client.failure] = failures.get(client.failure, 0) + 1
    pings = sorted(client.pings for client in everyone if client.connected)
    result: dict[str, object] = {
        'clients': clients,
        'connected': connected,
        'held': held,
        'ramp_s': ramp,
        'server_fd_soft_limit': limit,
        'start': at_start,
        'end': at_end,
        'failures': failures,
    }
    print(f'WebSocket soak: {clients} Socket.IO clients, held {hold:g}s')
    print(f'  connected {connected} in {ramp:.1f}s; still connected after the hold: {held}')
    print(f'  server soft fd limit (started at 1024): {limit}')
    print(
        f'  server descriptors {at_start["fds"]} -> {at_end["fds"]};'
        f' RSS {at_start["rss_mb"]:.1f} MB -> {at_end["rss_mb"]:.1f} MB'
    )
    if pings:
        print(f'  pings answered per client: min {pings[0]}, max {pings[-1]}')
    if failures:
        print(f'  failures: {failures}')
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('part', nargs='?', choices=('http', 'websocket', 'all'), default='all')
    parser.add_argument('--requests', type=int, default=100_000)
    parser.add_argument('--connections', type=int, default=50)
    parser.add_argument('--limit', type=int, default=600, help='most seconds for the HTTP soak')
    parser.add_argument('--clients', type=int, default=5000)
    parser.add_argument('--hold', type=float, default=60.0)
    parser.add_argument('--json', metavar='FILE', help='also write the figures as JSON')
    args = parser.parse_args(argv)
    print(f'(machine load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)')
    figures: dict[str, object] = {}
    if args.part in ('http', 'all'):
        figures['http'] = soak_http(args.requests, args.connections, args.limit)
    if args.part in ('websocket', 'all'):
        figures['websocket'] = soak_websocket(args.clients, args.hold)
    print(f'(machine load average at the end: {os.getloadavg()[0]:.1f})')
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
