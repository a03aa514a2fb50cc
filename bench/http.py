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

Part 2 (over the network, side by side): ``rbconfig run``, the hand-written
Falcon app on rbconfig's server, FastAPI + uvicorn and Connexion 3's AsyncApp
(+ uvicorn), one process each, serving the same two endpoints with the same
checks (``GET /hello``; ``POST /capitalize`` with the bearer token checked (401)
and the JSON body checked). Each peer runs from its own venv under
``bench/.cache/peers/`` (made from PyPI on first use, pinned versions). wrk
(50 connections, keep-alive) loads each for ``--duration`` seconds per
endpoint, in ``--repeats`` rounds with the order rotated each round; the table
gives req/s (min/median/max), p50 and p99 latency (medians, and the worst p99),
and the server's CPU time per request, which holds up better than wall time on
a shared machine. Then the targets of issue 12: req/s at least 1.2x FastAPI's
and 3x Connexion's, p99 at most 2x uvicorn's (FastAPI's, and a bare ASGI hello's on
uvicorn, run as a reference for GET /hello).

Usage::

    python3 bench/http.py                  # both parts
    python3 bench/http.py --part app       # only part 1
    python3 bench/http.py --part load --duration 10 --repeats 5
    python3 bench/http.py --part load --no-peers   # without FastAPI/Connexion (no PyPI)
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
import io  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import pstats  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.launch import stop, wait_listening  # noqa: E402

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

    class Hello:
        def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
            resp.content_type = falcon.MEDIA_TEXT
            resp.text = 'Hello, World!'

    app = falcon.App()
    app.add_route('/capitalize', Capitalize())
    app.add_route('/hello', Hello())
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
# Part 2: load, side by side with peers

CACHE = Path(__file__).resolve().parent / '.cache'

#: Each peer's venv (under bench/.cache/peers/NAME) and what pip installs in it.
PEER_PACKAGES = {
    'fastapi': ['fastapi==0.165.0', 'uvicorn[standard]==0.55.0'],
    'connexion': ['connexion[uvicorn]==3.3.0'],
}

#: FastAPI, as its documentation writes it: a header dependency (401), a JSON body typed as
#: a string (FastAPI's own 422 when it is not), async endpoints (no thread pool hop).
PEER_FASTAPI = f"""\
from fastapi import Body, Depends, FastAPI, Header, HTTPException
from fastapi.responses import PlainTextResponse

TOKEN = {TOKEN!r}
app = FastAPI()


async def auth(authorization: str | None = Header(None)) -> None:
    if authorization != TOKEN:
        raise HTTPException(status_code=401)


@app.get('/hello', response_class=PlainTextResponse)
async def hello() -> str:
    return 'Hello, World!'


@app.post('/capitalize', dependencies=[Depends(auth)])
async def capitalize(text: str = Body(...)) -> str:
    return text.capitalize()
"""

#: Connexion 3's AsyncApp: the same two operations from an OpenAPI document; the body is
#: validated against its schema, the bearer token by x-bearerInfoFunc (401).
PEER_CONNEXION = f"""\
import connexion

TOKEN = {TOKEN!r}


def auth(token):
    return {{'sub': 'bench'}} if 'Bearer ' + token == TOKEN else None


async def hello():
    return 'Hello, World!', 200, {{'Content-Type': 'text/plain'}}


async def capitalize(body):
    return body.capitalize()


app = connexion.AsyncApp(__name__)
app.add_api('openapi.yaml')
"""

#: uvicorn's own floor: a bare ASGI app answering GET /hello (no framework, no checks).
BARE_ASGI = """\
async def app(scope, receive, send):
    if scope['type'] != 'http':
        return
    await send({'type': 'http.response.start', 'status': 200,
                'headers': [(b'content-type', b'text/plain')]})
    await send({'type': 'http.response.body', 'body': b'Hello, World!'})
"""

PEER_CONNEXION_API = """\
openapi: 3.0.3
info: {title: bench, version: '1'}
paths:
  /hello:
    get:
      operationId: peer_connexion.hello
      responses:
        '200': {description: ok, content: {text/plain: {schema: {type: string}}}}
  /capitalize:
    post:
      operationId: peer_connexion.capitalize
      security: [{bearer: []}]
      requestBody:
        required: true
        content: {application/json: {schema: {type: string}}}
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: string}}}}
        '401': {description: unauthorized}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer, x-bearerInfoFunc: peer_connexion.auth}
"""


def peer_python(name: str) -> Path | None:
    """The Python of peer ``name``'s venv, made (from PyPI) on first use; None if pip fails."""
    venv = CACHE / 'peers' / name
    python = venv / 'bin' / 'python'
    done = venv / '.installed'
    wanted = ' '.join(PEER_PACKAGES[name])
    if done.exists() and done.read_text() == wanted:
        return python
    print(f'  (making the {name} venv under {venv}: pip install {wanted})', flush=True)
    shutil.rmtree(venv, ignore_errors=True)
    try:
        subprocess.run([sys.executable, '-m', 'venv', str(venv)], check=True)
        subprocess.run(
            [str(python), '-m', 'pip', 'install', '-q', *PEER_PACKAGES[name]],
            check=True,
            capture_output=True,
            text=True,
        )
    except subprocess.CalledProcessError as ex:
        print(f'  ({name} left out: {ex}\n{ex.stderr or ""})')
        return None
    done.write_text(wanted)
    return python


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return int(sock.getsockname()[1])


BASELINE_SERVER = """\
from gevent import monkey; monkey.patch_all()
import importlib.util, sys
from rbconfig.runtime.server import Server

found = importlib.util.spec_from_file_location('bench_http', sys.argv[2])
bench = importlib.util.module_from_spec(found)
found.loader.exec_module(bench)
Server(('127.0.0.1', int(sys.argv[1])), bench.hand_written_app()).serve_forever()
"""


class Contender:
    """One server to load: how to start it, and which of the endpoints it serves."""

    def __init__(
        self,
        label: str,
        command: list[str],
        cwd: Path,
        env: dict[str, str],
        endpoints: tuple[str, ...] = ('GET /hello', 'POST /capitalize'),
    ) -> None:
        self.label = label
        self.command = command
        self.cwd = cwd
        self.env = env
        self.endpoints = endpoints

    def start(self, port: int) -> subprocess.Popen[bytes]:
        command = [part.replace('{port}', str(port)) for part in self.command]
        process = subprocess.Popen(
            command,
            cwd=self.cwd,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_listening(process, port, self.label)
        return process


def contenders(folder: Path, peers: bool) -> list[Contender]:
    """rbconfig run, the hand-written Falcon app on the same server, and the peers."""
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get('PYTHONPATH', '')])
    )
    spec = write_app(folder, 'falcon')
    found = [
        Contender(
            'rbconfig run',
            [sys.executable, '-m', 'rbconfig.cli', 'run', str(spec), '--port', '{port}'],
            folder,
            env,
        ),
        Contender(
            'hand-written Falcon, same server',
            [sys.executable, '-c', BASELINE_SERVER, '{port}', __file__],
            folder,
            env,
        ),
    ]
    if not peers:
        return found
    plain_env = {k: v for k, v in os.environ.items() if k != 'PYTHONPATH'}
    (folder / 'peer_fastapi.py').write_text(PEER_FASTAPI)
    (folder / 'peer_connexion.py').write_text(PEER_CONNEXION)
    (folder / 'openapi.yaml').write_text(PEER_CONNEXION_API)
    for name, label, target in (
        ('fastapi', 'FastAPI + uvicorn', 'peer_fastapi:app'),
        ('connexion', 'Connexion 3 AsyncApp + uvicorn', 'peer_connexion:app'),
    ):
        python = peer_python(name)
        if python is None:
            continue
        command = [str(python), '-m', 'uvicorn', target, '--port', '{port}', '--workers', '1']
        found.append(Contender(label, command, folder, plain_env))
        if name == 'fastapi':
            (folder / 'bare_asgi.py').write_text(BARE_ASGI)
            command = [*command[:3], 'bare_asgi:app', *command[4:]]
            bare = 'uvicorn, bare ASGI hello (reference)'
            found.append(Contender(bare, command, folder, plain_env, ('GET /hello',)))
    return found


WRK_POST = """\
wrk.method = "POST"
wrk.body = '%s'
wrk.headers["Authorization"] = "%s"
wrk.headers["Content-Type"] = "application/json"
"""

_UNITS = {'us': 0.001, 'ms': 1.0, 's': 1000.0}


def run_wrk(url: str, duration: int, connections: int, script: Path | None) -> dict[str, float]:
    """req/s, p50 and p99 (ms) of one wrk run; SystemExit on error responses."""
    command = ['wrk', '-t2', f'-c{connections}', f'-d{duration}s', '--latency', '--timeout', '10s']
    if script is not None:
        command += ['-s', str(script)]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    found: dict[str, float] = {}
    rate = re.search(r'Requests/sec:\s+([\d.]+)', output)
    assert rate is not None, output
    found['rate'] = float(rate.group(1))
    for name, label in (('p50', '50%'), ('p99', '99%')):
        match = re.search(label + r'\s+([\d.]+)(us|ms|s)\b', output)
        assert match is not None, output
        found[name] = float(match.group(1)) * _UNITS[match.group(2)]
    problems = re.search(r'Non-2xx or 3xx responses: (\d+)', output)
    errors = re.search(r'Socket errors: .*', output)
    if problems or errors:
        raise SystemExit(f'wrk saw errors against {url}:\n{output}')
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux)."""
    fields = Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


ENDPOINTS = (('GET /hello', '/hello'), ('POST /capitalize', '/capitalize'))


def part_load(duration: int, connections: int, repeats: int, peers: bool) -> None:
    wrk = shutil.which('wrk')
    if not wrk:
        raise SystemExit('part 2 needs wrk (Debian: apt-get install wrk)')
    folder = Path(tempfile.mkdtemp(prefix='rbconfig-load-'))
    script = folder / 'post.lua'
    script.write_text(WRK_POST % (BODY.decode(), TOKEN))
    try:
        found = contenders(folder, peers)
        print(
            f'\nPart 2: wrk -t2 -c{connections} -d{duration}s, keep-alive, one server process'
            f' each, {repeats} rounds, order rotated each round'
        )
        results: dict[tuple[str, str], list[dict[str, float]]] = {}
        loads = []
        for round_ in range(repeats):
            shift = round_ % len(found)
            for contender in found[shift:] + found[:shift]:
                port = free_port()
                process = contender.start(port)
                try:
                    for endpoint, path in ENDPOINTS:
                        if endpoint not in contender.endpoints:
                            continue
                        url = f'http://127.0.0.1:{port}{path}'
                        post = script if endpoint.startswith('POST') else None
                        run_wrk(url, 1, connections, post)  # warm up
                        before = cpu_seconds(process.pid)
                        figures = run_wrk(url, duration, connections, post)
                        used = cpu_seconds(process.pid) - before
                        figures['cpu_us'] = used / (figures['rate'] * duration) * 1e6
                        results.setdefault((contender.label, endpoint), []).append(figures)
                        loads.append(os.getloadavg()[0])
                finally:
                    stop(process)
        report(found, results, loads)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def report(
    found: list[Contender],
    results: dict[tuple[str, str], list[dict[str, float]]],
    loads: list[float],
) -> None:
    """The table (min/median/max req/s, median p50/p99, CPU per request) and the targets."""
    median = statistics.median
    for endpoint, _ in ENDPOINTS:
        print(f'\n  {endpoint}')
        print(
            f'  {"server":34} {"req/s min":>9} {"median":>7} {"max":>7}'
            f' {"p50 ms":>7} {"p99 ms":>7} {"p99 max":>7} {"CPU µs/req":>10}'
        )
        for contender in found:
            runs = results.get((contender.label, endpoint), [])
            if not runs:
                continue
            rates = [run['rate'] for run in runs]
            print(
                f'  {contender.label:34} {min(rates):9.0f} {median(rates):7.0f} {max(rates):7.0f}'
                f' {median(run["p50"] for run in runs):7.1f}'
                f' {median(run["p99"] for run in runs):7.1f}'
                f' {max(run["p99"] for run in runs):7.1f}'
                f' {median(run["cpu_us"] for run in runs):10.0f}'
            )

    def figure(label: str, endpoint: str, key: str) -> float | None:
        runs = results.get((label, endpoint))
        return median(run[key] for run in runs) if runs else None

    print('\n  Targets (issue 12 §3), medians over the rounds:')
    for endpoint, _ in ENDPOINTS:
        ours = figure('rbconfig run', endpoint, 'rate')
        ours_p99 = figure('rbconfig run', endpoint, 'p99')
        checks = [
            ('FastAPI + uvicorn', 'rate', 1.2, 'req/s ≥ 1.2× FastAPI'),
            ('Connexion 3 AsyncApp + uvicorn', 'rate', 3.0, 'req/s ≥ 3× Connexion AsyncApp'),
            ('FastAPI + uvicorn', 'p99', 2.0, 'p99 ≤ 2× uvicorn (FastAPI)'),
            ('uvicorn, bare ASGI hello (reference)', 'p99', 2.0, 'p99 ≤ 2× bare uvicorn'),
        ]
        for label, key, factor, words in checks:
            theirs = figure(label, endpoint, key)
            if theirs is None or ours is None or ours_p99 is None:
                continue
            if key == 'rate':
                ratio = ours / theirs
                verdict = 'met' if ratio >= factor else 'MISSED'
            else:
                ratio = ours_p99 / theirs
                verdict = 'met' if ratio <= factor else 'MISSED'
            print(f'    {endpoint:17} {words:32} {ratio:5.2f}x  {verdict}')
    print('  (p99 against bare uvicorn: the servers alone, no framework on either side.)')
    print(
        f'  (load average during the runs: {min(loads):.1f}-{max(loads):.1f} on'
        f' {os.cpu_count()} CPUs; wrk and the server share them)'
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--part', choices=('app', 'load', 'all'), default='all')
    parser.add_argument('--rounds', type=int, default=30)
    parser.add_argument('--count', type=int, default=4000)
    parser.add_argument('--duration', type=int, default=5, help='seconds per load run')
    parser.add_argument('--connections', type=int, default=50)
    parser.add_argument('--repeats', type=int, default=3, help='rounds of the load part')
    parser.add_argument(
        '--no-peers', action='store_true', help='leave out FastAPI and Connexion (no PyPI needed)'
    )
    parser.add_argument('--profile', action='store_true', help='profile the generated app')
    args = parser.parse_args(argv)
    if args.part in ('app', 'all'):
        part_app(args.rounds, args.count, args.profile)
    if args.part in ('load', 'all'):
        part_load(args.duration, args.connections, args.repeats, not args.no_peers)
    return 0


if __name__ == '__main__':
    sys.exit(main())
