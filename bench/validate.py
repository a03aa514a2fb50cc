"""How long ``rbconfig validate`` takes on a 1,000-path spec, start-up included.

Generates a spec with 1,000 paths (every path with request and response
checks, statuses and headers) as YAML and as TOML in a temporary folder, then
times, side by side:

- ``python -c pass``: the interpreter's own start-up (the floor);
- ``python -c 'import rbconfig.converters'``: the cost of importing pydantic and the models;
- the whole ``rbconfig validate`` process on the YAML and on the TOML spec;
- loading the same spec in-process (no start-up);
- the code checks alone (``rbconfig.document.preflight``: every handler, validator and
  type found and read from the generated ``bench`` package, each file parsed once),
  in-process on the loaded spec.

Each is run several times; the median is printed with its ratio to the
bare start-up. The target for the whole process is under 0.3 s.

Run: ``python3 bench/validate.py [--paths 1000] [--runs 7]``
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = 0.3

# As installed: byte code cached (some machines set PYTHONDONTWRITEBYTECODE, which
# makes every run compile the package's modules again).
_ENV = {name: value for name, value in os.environ.items() if name != 'PYTHONDONTWRITEBYTECODE'}


def make_spec(paths: int) -> str:
    """A YAML spec with ``paths`` paths, each with request and response checks."""
    lines = [
        'rbconfig: 1',
        'meta:',
        '  title: Bench service',
        '  version: "1.0"',
        '  description: |',
        '    A generated service.',
        '    It has many paths.',
        'root: /api',
        'globals:',
        '  db: python:bench.handlers.db',
        '  debug: false',
        'types:',
        '  email: python:bench.types.Email',
        'paths:',
    ]
    for index in range(paths):
        lines += [
            f'  path{index}:',
            f'    description: Path number {index}.',
            '    method: [GET, POST]',
            f'    url: /items{index}/{{id:[0-9]+}}',
            f'    use: python:bench.handlers.item{index}',
            '    request:',
            '      body:',
            '        checks:',
            '          - {is: json, return: 400}',
            '          - {header: Authorization, validates: python:bench.auth.token, return: 401}',
            '          - {alter: python:bench.handlers.clean}',
            '    response:',
            '      status: {200: Success, 404: Not found}',
            '      headers:',
            '        set: {Content-Type: application/json}',
            '      body:',
            '        checks:',
            '          - {is_not: email, return: 500}',
        ]
    return '\n'.join(lines) + '\n'


def write_code(folder: Path, paths: int) -> None:
    """The ``bench`` package the spec names, so ``validate``'s code checks find every handler."""
    package = folder / 'bench'
    package.mkdir()
    (package / '__init__.py').write_text('')
    handlers = [
        'def db(globs):\n    return {}\n',
        'def clean(globs, request, body):\n    return body\n',
    ]
    handlers += [f'def item{index}(id, body=None):\n    return {{}}\n' for index in range(paths)]
    (package / 'handlers.py').write_text('\n\n'.join(handlers))
    (package / 'auth.py').write_text('def token(globs, request, value):\n    return True\n')
    (package / 'types.py').write_text(
        'class Email:\n    def __call__(self, value):\n        return True\n'
    )


def median_seconds(command: list[str], runs: int) -> tuple[float, float]:
    """Median wall and CPU (user + system) seconds of ``command`` over ``runs`` runs.

    CPU time is printed too because on a shared machine the wall time also
    measures the other jobs; one warm-up run fills the file cache first.
    """
    subprocess.run(command, check=True, capture_output=True, env=_ENV)
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=_ENV)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def in_process(file: Path, runs: int) -> tuple[float, float]:
    """Median wall and CPU seconds to load and validate ``file`` here (imports done)."""
    from rbconfig.converters import load

    load(file)
    walls, cpus = [], []
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        load(file)
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def code_checks(file: Path, runs: int) -> tuple[float, float]:
    """Median wall and CPU seconds of the static code checks on ``file``'s spec (fresh index)."""
    from rbconfig.converters import load
    from rbconfig.document.modules import CodeIndex
    from rbconfig.document.preflight import preflight

    document = load(file)
    assert preflight(document, CodeIndex()) == []
    walls, cpus = [], []
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        preflight(document, CodeIndex())
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def main() -> int:
    """Generate the spec, time everything, print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--paths', type=int, default=1000)
    parser.add_argument('--runs', type=int, default=7)
    args = parser.parse_args()

    from rbconfig.converters import dumps, load

    script = shutil.which('rbconfig')
    validate = [script] if script else [sys.executable, '-m', 'rbconfig.cli']
    with tempfile.TemporaryDirectory() as folder:
        yaml_file = Path(folder, 'bench.yaml')
        yaml_file.write_text(make_spec(args.paths), encoding='utf-8')
        write_code(Path(folder), args.paths)
        toml_file = Path(folder, 'bench.toml')
        toml_file.write_text(dumps(load(yaml_file).spec, 'toml'), encoding='utf-8')
        size = yaml_file.stat().st_size

        rows = [
            ('python -c pass', median_seconds([sys.executable, '-c', 'pass'], args.runs)),
            (
                'import rbconfig.converters',
                median_seconds([sys.executable, '-c', 'import rbconfig.converters'], args.runs),
            ),
            (
                'rbconfig validate (YAML)',
                median_seconds([*validate, 'validate', str(yaml_file)], args.runs),
            ),
            (
                'rbconfig validate (TOML)',
                median_seconds([*validate, 'validate', str(toml_file)], args.runs),
            ),
            ('in-process load (YAML)', in_process(yaml_file, args.runs)),
            ('in-process load (TOML)', in_process(toml_file, args.runs)),
            ('in-process code checks', code_checks(yaml_file, args.runs)),
        ]
    base_wall, base_cpu = rows[0][1]
    print(f'{args.paths} paths, {size / 1024:.0f} KiB of YAML; median of {args.runs} runs;')
    print(f'load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs')
    print(f'{"":28} {"wall s":>7} {"× pass":>7} {"CPU s":>7} {"× pass":>7}')
    for name, (wall, cpu) in rows:
        print(f'{name:28} {wall:7.3f} {wall / base_wall:7.1f} {cpu:7.3f} {cpu / base_cpu:7.1f}')
    wall, cpu = rows[2][1]
    verdict = 'under' if wall < TARGET else 'OVER'
    print(
        f'whole rbconfig validate process: {wall:.3f} s wall ({cpu:.3f} s CPU), '
        f'{verdict} the {TARGET} s target'
    )
    return 0


if __name__ == '__main__':
    sys.exit(main())
