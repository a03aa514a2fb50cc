"""HTTP benchmarks: the generated app against hand-written Falcon, then a load run.

Part 1 (in one process): the WSGI app ``rbconfig`` builds from a spec against
a hand-written Falcon app doing the same work: route ``POST /capitalize``,
check the ``Authorization`` header with a validator (401), check that the body
is JSON (400), call the handler, set ``Content-Type: application/json``. Both
get identical WSGI environs (a fresh copy per call), interleaved in short
rounds; the best round of each is compared, which holds up on a busy machine.
Target: at most 1.10x. The
generated app is measured with each handler convention (falcon, json,
legacy) against the same hand-written app.

Part 2 (over the network): ``rbconfig run`` on gevent, loaded by wrk (50
connections, keep-alive) on ``GET /hello`` and ``POST /capitalize``; prints
req/s and the 99th percentile latency. Without wrk a small Python keep-alive
load generator stands in (slower: it measures itself as much as the server).

Usage::

    python3 bench/http.py                  # both parts
    python3 bench/http.py --part app       # only part 1
    python3 bench/http.py --part load --duration 10
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named like the standard library's ``http`` package: when it runs
# as a script its folder comes first on sys.path and would shadow ``http``.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or '.').resolve() != _HERE]

import argparse  # noqa: E402
import cProfile  # noqa: E402
import http.client  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import pstats  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TOKEN = 'Bearer s3cret'
BODY = b'"hello world, how are you today?"'

SPEC = """\
rbconfig: 1
paths:
  hello:
    url: /hello
    use: python:benchapp.hello
  capitalize:
    method: POST
    url: /capitalize
    use: python:benchapp.capitalize_{convention}
    request:
      headers:
        checks:
          - {{header: Authorization, validates: python:benchapp.auth, return: 401}}
      body:
        checks:
          - {{is: json, return: 400}}
    response:
      headers:
        set: {{Content-Type: application/json}}
"""

MODULE = f"""\
import json

TOKEN = {TOKEN!r}


def auth(globs, request, value):
    return value == TOKEN


def hello():
    return 'Hello, World!'


def capitalize_falcon(req, resp):
    text = req.get_media()
    resp.text = json.dumps(text.capitalize())


def capitalize_json(body):
    return body.capitalize()


def capitalize_legacy(globs, request):
    return json.dumps(json.loads(request.body).capitalize())
"""

CONVENTIONS = ('falcon', 'json', 'legacy')


def write_app(folder: Path, convention: str) -> Path:
    """The bench spec (with the given handler convention) and its module."""
    (folder / 'benchapp.py').write_text(MODULE)
    spec = folder / f'bench_{convention}.yaml'
    spec.write_text(SPEC.format(convention=convention))
    return spec


def hand_written_app() -> Any:
    """The same service written directly with Falcon."""
    import falcon

    def auth(globs: Any, request: Any, value: str | None) -> bool:
        return value == TOKEN

    class Capitalize:
        def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
            if not auth(None, req, req.get_header('Authorization')):
                raise falcon.HTTPUnauthorized(title='Unauthorized')
            # Falcon parses the JSON body (400 if it is not JSON), as a Falcon user writes it.
            text = req.get_media()
            resp.content_type = 'application/json'
            resp.text = json.dumps(text.capitalize())

    app = falcon.App()
    app.add_route('/capitalize', Capitalize())
    return app


def environ() -> dict[str, Any]:
    from falcon import testing

    return testing.create_environ(
        method='POST',
        path='/capitalize',
        headers={'Authorization': TOKEN, 'Content-Type': 'application/json'},
        body=BODY,
    )


def call_loop(app: Any, template: dict[str, Any], count: int) -> float:
    """Seconds per request over ``count`` calls with fresh copies of ``template``."""
    status: list[str] = []

    def start_response(code: str, headers: Any, exc_info: Any = None) -> None:
        status.append(code)

    started = time.perf_counter()
    for _ in range(count):
        env = template.copy()
        env['wsgi.input'] = io.BytesIO(BODY)
        for _chunk in app(env, start_response):
            pass
    took = time.perf_counter() - started
    assert status[-1].startswith('200'), status[-1]
    return took / count


def check_same_answer(apps: dict[str, Any]) -> None:
    for name, app in apps.items():
        env = environ()
        seen: dict[str, Any] = {}

        def start_response(
            code: str, headers: Any, exc_info: Any = None, seen: dict[str, Any] = seen
        ) -> None:
            seen['status'], seen['headers'] = code, {k.lower(): v for k, v in headers}

        body = b''.join(app(env, start_response))
        assert seen['status'] == '200 OK', (name, seen, body)
        assert b'Hello world, how are you today?' in body, (name, body)
        assert seen['headers']['content-type'] == 'application/json', (name, seen)


def part_app(rounds: int, count: int, profile: bool) -> None:
    from rbconfig.converters import load
    from rbconfig.runtime.wsgi import create_wsgi_app

    folder = Path(tempfile.mkdtemp(prefix='rbconfig-bench-'))
    try:
        apps: dict[str, Any] = {'hand-written falcon': hand_written_app()}
        for convention in CONVENTIONS:
            document = load(write_app(folder, convention))
            apps[f'rbconfig ({convention} handler)'] = create_wsgi_app(document)
        check_same_answer(apps)
        template = environ()
        for app in apps.values():
            call_loop(app, template, count // 5)  # warm up
        times: dict[str, list[float]] = {name: [] for name in apps}
        for _ in range(rounds):
            for name, app in apps.items():
                times[name].append(call_loop(app, template, count))
        base = min(times['hand-written falcon'])
        print(f'Part 1: per-request cost, POST /capitalize ({rounds} rounds x {count} calls,')
        print('        best round; same environ; header validator + JSON check + content type)')
        print(f'  {"app":32} {"best µs":>8} {"median µs":>10} {"ratio":>7}  target 1.10x')
        for name, values in times.items():
            best = min(values)
            ratio = best / base
            verdict = (
                '' if name == 'hand-written falcon' else ('within' if ratio <= 1.10 else 'above')
            )
            print(
                f'  {name:32} {best * 1e6:8.2f} {statistics.median(values) * 1e6:10.2f} '
                f'{ratio:6.2f}x  {verdict}'
            )
        if profile:
            app = apps['rbconfig (falcon handler)']
            profiler = cProfile.Profile()
            profiler.runcall(call_loop, app, template, count)
            print('\nProfile of the generated app (falcon handler), by own time:')
            pstats.Stats(profiler).sort_stats('tottime').print_stats(18)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Part 2: load


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return int(sock.getsockname()[1])


BASELINE_SERVER = """\
from gevent import monkey; monkey.patch_all()
import importlib.util, sys
from rbconfig.runtime.server import Server

def hello(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', '13')])
    return [b'Hello, World!']

if sys.argv[2] == 'hand':
    found = importlib.util.spec_from_file_location('bench_http', sys.argv[3])
    bench = importlib.util.module_from_spec(found)
    found.loader.exec_module(bench)
    app = bench.hand_written_app()
else:
    app = hello
Server(('127.0.0.1', int(sys.argv[1])), app, log=None).serve_forever()
"""


def start_server(served: Path | str, port: int) -> subprocess.Popen[bytes]:
    """``rbconfig run SPEC`` on ``port``; 'bare' or 'hand': a baseline on the same server class."""
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get('PYTHONPATH', '')])
    )
    if served in ('bare', 'hand'):
        command = [sys.executable, '-c', BASELINE_SERVER, str(port), str(served), __file__]
    else:
        command = [sys.executable, '-m', 'rbconfig.cli', 'run', str(served), '--port', str(port)]
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    deadline = time.monotonic() + 20
    while True:
        if process.poll() is not None:
            raise SystemExit(f'the server exited with status {process.returncode}')
        try:
            socket.create_connection(('127.0.0.1', port), timeout=0.5).close()
            return process
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise SystemExit('rbconfig run did not start') from None
            time.sleep(0.05)


WRK_POST = """\
wrk.method = "POST"
wrk.body = '%s'
wrk.headers["Authorization"] = "%s"
wrk.headers["Content-Type"] = "application/json"
"""


def run_wrk(url: str, duration: int, connections: int, script: Path | None) -> tuple[float, float]:
    """(requests per second, p99 in ms) from one wrk run."""
    command = ['wrk', '-t2', f'-c{connections}', f'-d{duration}s', '--latency']
    if script is not None:
        command += ['-s', str(script)]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r'Requests/sec:\s+([\d.]+)', output).group(1))  # type: ignore[union-attr]
    p99_text = re.search(r'99%\s+([\d.]+)(us|ms|s)', output)
    assert p99_text is not None, output
    scale = {'us': 0.001, 'ms': 1.0, 's': 1000.0}[p99_text.group(2)]
    non_2xx = re.search(r'Non-2xx or 3xx responses: (\d+)', output)
    if non_2xx:
        raise SystemExit(f'wrk saw {non_2xx.group(1)} error responses:\n{output}')
    return rate, float(p99_text.group(1)) * scale


def run_python_load(
    port: int, path: str, method: str, body: bytes | None, headers: dict[str, str],
    duration: int, connections: int,
) -> tuple[float, float]:  # fmt: skip
    """A small keep-alive load generator: (requests per second, p99 in ms)."""
    latencies: list[list[float]] = [[] for _ in range(connections)]
    stop = time.monotonic() + duration

    def worker(index: int) -> None:
        connection = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
        own = latencies[index]
        while time.monotonic() < stop:
            started = time.perf_counter()
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise SystemExit(f'{method} {path}: {response.status}')
            own.append(time.perf_counter() - started)
        connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.monotonic() - started
    every = sorted(value for own in latencies for value in own)
    p99 = every[int(len(every) * 0.99)] * 1000
    return len(every) / took, p99


def part_load(duration: int, connections: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix='rbconfig-load-'))
    spec = write_app(folder, 'falcon')
    wrk = shutil.which('wrk')
    tool = 'wrk -t2' if wrk else 'a Python keep-alive load generator (wrk not found)'
    print(f'\nPart 2: {connections} connections, keep-alive, {duration}s each, {tool}')
    post_headers = {'Authorization': TOKEN, 'Content-Type': 'application/json'}
    cases: list[tuple[str, Path | str, str, str, bytes | None, dict[str, str]]] = [
        ('baseline: bare WSGI hello, same gevent server', 'bare', '/', 'GET', None, {}),
        ('rbconfig run: GET /hello', spec, '/hello', 'GET', None, {}),
        ('baseline: hand-written Falcon POST /capitalize', 'hand', '/capitalize', 'POST', BODY,
         post_headers),
        ('rbconfig run: POST /capitalize', spec, '/capitalize', 'POST', BODY, post_headers),
    ]  # fmt: skip
    try:
        for label, served, path, method, body, headers in cases:
            port = free_port()
            process = start_server(served, port)
            try:
                if wrk:
                    script = None
                    if method == 'POST':
                        script = folder / 'post.lua'
                        script.write_text(WRK_POST % (BODY.decode(), TOKEN))
                    url = f'http://127.0.0.1:{port}{path}'
                    rate, p99 = run_wrk(url, duration, connections, script)
                else:
                    rate, p99 = run_python_load(
                        port, path, method, body, headers, duration, connections
                    )
            finally:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            print(f'  {label:52} {rate:8.0f} req/s   p99 {p99:6.1f} ms')
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f'  (machine load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--part', choices=('app', 'load', 'all'), default='all')
    parser.add_argument('--rounds', type=int, default=30)
    parser.add_argument('--count', type=int, default=4000)
    parser.add_argument('--duration', type=int, default=5, help='seconds per load run')
    parser.add_argument('--connections', type=int, default=50)
    parser.add_argument('--profile', action='store_true', help='profile the generated app')
    args = parser.parse_args(argv)
    if args.part in ('app', 'all'):
        part_app(args.rounds, args.count, args.profile)
    if args.part in ('load', 'all'):
        part_load(args.duration, args.connections)
    return 0


if __name__ == '__main__':
    sys.exit(main())
