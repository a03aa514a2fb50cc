"""How long ``rbconfig validate`` takes on a 1,000-path spec, start-up included, and its growth.

Generates a spec with 1,000 paths (every path with request and response
checks, statuses and headers) as YAML and as TOML in a temporary folder, with
the Python package it names (so the code checks find every handler), then
times, side by side, each in fresh processes:

- ``python -c pass``: the interpreter's own start-up;
- ``python -c 'import rbconfig.converters'``: the cost of importing pydantic and the models;
- the floor: that import, then libyaml (PyYAML's C parser) reading the spec's text,
  keeping nothing, and the spec's data (unpickled) validated into the model: the
  least any ``validate`` of this YAML can cost with this stack (pydantic models,
  PyYAML); when it is over the target, so is any validate;
- the whole ``rbconfig validate`` process on the YAML and on the TOML spec (the code
  checks included: they are on by default);
- loading the same spec in-process (no start-up);
- the code checks alone (``rbconfig.document.preflight``: every handler, validator and
  type found and read from the generated ``bench`` package, each file parsed once),
  in-process on the loaded spec.

Each is run several times (``--runs``), jobs in turn; the median is printed with its
ratio to the bare start-up, and the whole-process CPU draws. The target (issue 14):
the whole ``rbconfig validate`` process on the YAML spec under 0.2 s of CPU. CPU
time, not wall time: the machine is shared, and CPU time moves far less with the
other jobs on it.

Then the growth: the whole ``rbconfig validate`` process on YAML specs of each of
``--sizes`` paths, and what each path adds (the difference to the next smaller
size, per path): linear when the last step costs within 10 % of the one before.

Then the same growth counted in instructions, with valgrind's callgrind when it is
installed (one run per size: counts do not move with the machine's load), which tells
whether the work grows faster than the spec or only the time it takes.

Run: ``python3 bench/validate.py [--paths 1000] [--runs 5] [--sizes 100,1000,10000]``
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import pickle
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# From this folder (the script's own), not as the package ``bench``: the spec that
# bench/validate.py generates names a package of that name.
from instructions import available as instructions_available
from instructions import count as counted

TARGET = 0.2
#: The last step of the growth over the one before that still counts as linear.
LINEAR = 1.10

#: The least any YAML validate can do with this stack, run as ``python -c FLOOR spec.yaml
#: data.pickle``: start Python, import pydantic and build the models, have libyaml
#: (PyYAML's C parser, the fastest YAML reader it has) read the text, keeping nothing,
#: and validate the spec's data, unpickled (nearly free), into the model; the collector
#: paused, as rbconfig's loaders do.
FLOOR = (
    'import gc, pickle, sys, yaml\n'
    'from rbconfig.schema import Spec\n'
    'gc.disable()\n'
    'text = open(sys.argv[1], encoding="utf-8").read()\n'
    'for _ in yaml.parse(text, Loader=yaml.CSafeLoader): pass\n'
    'Spec.model_validate(pickle.loads(open(sys.argv[2], "rb").read()))'
)

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
    """Median wall and CPU (user + system) seconds of ``command`` over ``runs`` runs."""
    walls, cpus = draws(command, runs)
    return statistics.median(walls), statistics.median(cpus)


def draws(command: list[str], runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU (user + system) seconds of ``command``, ``runs`` times.

    CPU time is taken too because on a shared machine the wall time also
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
    return walls, cpus


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


def _specs(folder: str, sizes: list[int]) -> dict[int, Path]:
    """A spec of each size in ``folder``, each beside the ``bench`` code it names, and no more."""
    files = {}
    for size in sizes:
        Path(folder, str(size)).mkdir()
        files[size] = Path(folder, str(size), 'bench.yaml')
        files[size].write_text(make_spec(size), encoding='utf-8')
        write_code(Path(folder, str(size)), size)
    return files


def _print_growth(
    totals: dict[int, float], total: str, added: str, unit: float, places: tuple[int, int]
) -> None:
    """Each size's total, what each path adds over the size before (× ``unit``), and the
    ratio of the last step to the one before (``places``: decimals of totals, of the ratio)."""
    width = len(added) + 1
    print(f'{"paths":>8} {total:>14} {added:>{width}}')
    sizes = list(totals)
    steps = []
    for previous, size in zip([None, *sizes], sizes, strict=False):
        if previous is None:
            print(f'{size:8,} {totals[size]:14.{places[0]}f}')
            continue
        step = (totals[size] - totals[previous]) / (size - previous)
        steps.append(step)
        print(f'{size:8,} {totals[size]:14.{places[0]}f} {step * unit:{width}.1f}')
    if len(steps) >= 2:
        ratio = steps[-1] / steps[-2]
        verdict = 'linear' if ratio <= LINEAR else 'NOT LINEAR'
        print(f'last step / the one before: {ratio:.{places[1]}f} ({verdict})')


def growth(validate: list[str], sizes: list[int], runs: int) -> None:
    """The whole validate process at each size, and what each path adds."""
    cpus: dict[int, list[float]] = {size: [] for size in sizes}
    with tempfile.TemporaryDirectory() as folder:
        files = _specs(folder, sizes)
        for _ in range(runs):
            for size in sizes:  # in turn, so the machine's load falls on every size alike
                cpus[size] += draws([*validate, 'validate', str(files[size])], 1)[1]
    print(f'\ngrowth: rbconfig validate on YAML, CPU seconds, median of {runs}')
    medians = {size: statistics.median(cpus[size]) for size in sizes}
    _print_growth(medians, 'whole process', 'µs per path added', 1e6, (3, 2))


def instructions(validate: list[str], sizes: list[int]) -> None:
    """The same growth counted in instructions (valgrind's callgrind), one run per size.

    Counts do not move with the machine's load (hash seed fixed): they tell
    whether the work grows faster than the spec, or only the time it takes.
    """
    with tempfile.TemporaryDirectory() as folder:
        files = _specs(folder, sizes)
        commands = [[*validate, 'validate', str(files[size])] for size in sizes]
        with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 1) as pool:
            found = pool.map(lambda command: counted(command, _ENV), commands)
            counts = dict(zip(sizes, found, strict=True))
    print('\ngrowth in instructions (valgrind callgrind), whole rbconfig validate process')
    millions = {size: count / 1e6 for size, count in counts.items()}
    _print_growth(millions, 'millions', 'thousands per path added', 1e3, (1, 3))


def main() -> int:
    """Generate the spec, time everything, print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--paths', type=int, default=1000)
    parser.add_argument('--runs', type=int, default=5)
    parser.add_argument('--sizes', default='100,1000,10000')
    args = parser.parse_args()

    from rbconfig.converters import dumps, load
    from rbconfig.converters.yaml.reader import read_source

    script = shutil.which('rbconfig')
    validate = [script] if script else [sys.executable, '-m', 'rbconfig.cli']
    with tempfile.TemporaryDirectory() as folder:
        yaml_file = Path(folder, 'bench.yaml')
        yaml_file.write_text(make_spec(args.paths), encoding='utf-8')
        write_code(Path(folder), args.paths)
        toml_file = Path(folder, 'bench.toml')
        toml_file.write_text(dumps(load(yaml_file).spec, 'toml'), encoding='utf-8')
        size = yaml_file.stat().st_size
        data_file = Path(folder, 'bench.pickle')
        data_file.write_bytes(pickle.dumps(read_source(yaml_file.read_text(), 'bench.yaml').data))
        commands = {
            'python -c pass': [sys.executable, '-c', 'pass'],
            'import rbconfig.converters': [sys.executable, '-c', 'import rbconfig.converters'],
            'floor': [sys.executable, '-c', FLOOR, str(yaml_file), str(data_file)],
            'rbconfig validate (YAML)': [*validate, 'validate', str(yaml_file)],
            'rbconfig validate (TOML)': [*validate, 'validate', str(toml_file)],
        }
        found: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():  # in turn
                walls, cpus = draws(command, 1)
                found[name][0].extend(walls)
                found[name][1].extend(cpus)
        rows = [
            (name, (statistics.median(walls), statistics.median(cpus)))
            for name, (walls, cpus) in found.items()
        ]
        rows += [
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
    cpus = found['rbconfig validate (YAML)'][1]
    cpu = statistics.median(cpus)
    verdict = 'under' if cpu < TARGET else 'OVER'
    print(
        f'whole rbconfig validate process (YAML): {cpu:.3f} s CPU (draws '
        f'{" ".join(f"{value:.3f}" for value in sorted(cpus))}), {verdict} the {TARGET} s target'
    )
    floor = statistics.median(found['floor'][1])
    if floor >= TARGET:
        print(
            f'the floor alone (start-up, pydantic and the models, libyaml reading the text, '
            f'the data validated into the model; no positions, no code checks) takes '
            f'{floor:.3f} s CPU: the {TARGET} s target is below what this stack can do'
        )
    sizes = [int(size) for size in args.sizes.split(',')]
    growth(validate, sizes, args.runs)
    if instructions_available():
        instructions(validate, sizes)
    else:
        print('\ngrowth in instructions: skipped, valgrind is not installed')
    return 0


if __name__ == '__main__':
    sys.exit(main())
