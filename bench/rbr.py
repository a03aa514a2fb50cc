"""Benchmark: RBR to the model and on to YAML, TOML and RBR, in fresh processes, at any size.

Run: ``python3 bench/rbr.py [--paths 1000] [--runs 5] [--sizes 100,1000,10000] [--only PART]``

Every figure is CPU seconds of a fresh Python process (no parser built, no cache
warm), the median of ``--runs`` runs, jobs in turn (not all runs of one job in a
row). CPU time, not wall time: the machine is shared, and CPU time moves far less
with the other jobs on it.

1. **Targets** (issue 14): ``rbconfig convert`` of a ``--paths`` RBR file to YAML,
   to TOML and back to RBR, each under 0.2 s of CPU in-process. A child process
   imports ``rbconfig.converters`` (not counted: ``bench/validate.py`` measures
   start-up), then is timed from reading the text to having the output text:
   building lark's parser, importing the format modules and every first use are in.
   The same job once more in that process is printed beside it (``again``).
2. **Growth**: every reader (RBR, YAML, TOML text → model) and every writer (model →
   text) at each of ``--sizes`` paths, per path, each job in a fresh process of its
   own for each size (as ``rbconfig convert`` does one read and one write per
   process), after one warm-up on a 10-path spec (so the once-per-process costs are
   out of the per-path figure); the order of the jobs rotates from run to run.
   Linear means the per-path cost at the largest size is within 10 % of the cost at
   the middle one.
   **2b.** The same growth counted in instructions (valgrind's callgrind, when
   installed): each job's count less that of the same process without the job, at
   the middle and largest sizes. Counts do not move with the machine's load, so
   they tell whether the code grows faster than the spec, or only the time (memory
   that no longer fits the caches).
3. **Stages** of RBR → model in one warm process (scan, LALR parse, map, validate),
   with lark's own lexer beside rbconfig's scanner (same tokens: checked).

Every path of the generated file has a comment, a description, two methods, a URL
template, a handler, a described status, a body type check and a header to set.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# From this folder (the script's own), not as the package ``bench``: the spec that
# bench/validate.py generates names a package of that name.
from instructions import available as instructions_available
from instructions import count as counted

TARGET = 0.2
#: Per-path cost at the largest size over the middle size that still counts as linear.
LINEAR = 1.10
FORMATS = ('rbr', 'yaml', 'toml')
_ENV = {name: value for name, value in os.environ.items() if name != 'PYTHONDONTWRITEBYTECODE'}
_ROOT = Path(__file__).resolve().parent.parent


def generate(paths: int) -> str:
    """An RBR file with ``paths`` paths, each with a comment, checks and a header to set."""
    parts = [
        'meta (\n    title "Benchmark",\n    version 1.0,\n'
        '    description """A generated service.\n\nOne thousand paths."""\n);\n',
        'root /bench;\n',
        'global config file:config.ini;\n',
        'type blob python:bench.Blob;\n',
    ]
    for index in range(paths):
        parts.append(
            f'# path number {index}\n'
            f'path item_{index} (\n'
            f'    description "Item {index}: read or replace it",\n'
            f'    method GET|PUT,\n'
            f'    url /items/{index}/{{id:[0-9]+}},\n'
            f'    use python:bench.handlers.item_{index},\n'
            f'    response-status (\n'
            f'        describe 200 "Success"\n'
            f'    ),\n'
            f'    request-body (\n'
            f'        unless type is json return 400\n'
            f'    ),\n'
            f'    response-headers (\n'
            f'        set Content-Type "application/json"\n'
            f'    )\n'
            f');\n'
        )
    return '\n'.join(parts)


# -- in the child processes ------------------------------------------------------------


def _cpu(function: Callable[[], Any]) -> tuple[float, Any]:
    start = time.process_time()
    result = function()
    return time.process_time() - start, result


def _child_convert(paths: int, to: str) -> dict[str, float]:
    """Time RBR text → model → ``to`` text (``model``: only the first step), cold."""
    text = generate(paths)
    import rbconfig.converters as converters

    def convert() -> str:
        document = converters.loads(text, 'rbr', 'bench.rbr')
        return '' if to == 'model' else converters.dumps(document.spec, to, document.comments)

    cpu, _ = _cpu(convert)
    again, _ = _cpu(convert)  # the same, once the parser is built and every module imported
    return {'cpu': cpu, 'again': again}


def _child_floor(paths: int) -> dict[str, float]:
    """The least any read of RBR text costs with lark, cold: lark imported, its LALR parser
    built from rbr.lark and fed the text's tokens (the scan not counted), keeping its tree."""
    text = generate(paths)
    import rbconfig.converters  # noqa: F401  (not timed, as in the other jobs)
    from rbconfig.converters.rbr.grammar import _parser, scanner
    from rbconfig.document.collector import paused_gc

    built, parser = _cpu(_parser)  # imports lark
    tokens = scanner().scan(text).tokens

    def feed() -> Any:
        with paused_gc():  # as in the reader
            interactive = parser.parse_interactive()
            for token in tokens:
                interactive.feed_token(token)
            return interactive.feed_eof(tokens[-1])

    fed, _ = _cpu(feed)
    return {'cpu': built + fed, 'again': fed}


def _child_growth(job: str, file: str) -> dict[str, float]:
    """CPU seconds of one reader or writer (``job``: ``read yaml``, ``write rbr``...) on ``file``.

    The process does nothing else of that size: a warm-up on a 10-path spec in
    every format (parsers built, modules imported, first uses done), then, for
    a writer, the model read from ``file`` (not timed), then the job, timed.
    """
    import rbconfig.converters as converters

    small = converters.loads(generate(10), 'rbr')
    for fmt in FORMATS:
        converters.loads(converters.dumps(small.spec, fmt, small.comments), fmt)
    del small
    *baseline, action, fmt = job.split()  # 'skip read yaml': all but the job itself
    text = Path(file).read_text(encoding='utf-8')
    if action == 'read':
        cpu, _ = _cpu(lambda: None if baseline else converters.loads(text, fmt))
    else:
        document = converters.loads(text, fmt)
        cpu, _ = _cpu(
            lambda: None if baseline else converters.dumps(document.spec, fmt, document.comments)
        )
    return {'cpu': cpu}


# -- in the parent ----------------------------------------------------------------------


def _run_child(*args: str) -> dict[str, float]:
    """The figures a child process prints."""
    done = subprocess.run(
        [sys.executable, __file__, '--child', *args],
        check=True,
        capture_output=True,
        text=True,
        env={**_ENV, 'PYTHONPATH': str(_ROOT)},
    )
    return json.loads(done.stdout)


def reference() -> float:
    """CPU seconds of a fixed pure-Python loop (median of 5): compares figures across days."""

    def loop() -> int:
        total = 0
        for number in range(1_000_000):
            total += number
        return total

    return statistics.median(_cpu(loop)[0] for _ in range(5))


#: Row names of the targets table (the rest: 'convert RBR to YAML'...).
LABELS = {'model': 'RBR to the model', 'floor': "floor: lark's LALR alone"}


def targets(paths: int, runs: int) -> None:
    jobs = ['model', 'yaml', 'toml', 'rbr', 'floor']
    found: dict[str, dict[str, list[float]]] = {job: {'cpu': [], 'again': []} for job in jobs}
    for _ in range(runs):
        for job in jobs:  # in turn, so the machine's load falls on every job alike
            child = _run_child('convert', str(paths), job)
            for key in ('cpu', 'again'):
                found[job][key].append(child[key])
    print(f'\n1. Targets: {paths} paths, fresh process each, CPU seconds, median of {runs}')
    print(f'  {"job":<22} {"in-process":>10} {"draws":<32} {"again":>6}  verdict')
    for job in jobs:
        label = LABELS.get(job, f'convert RBR to {job.upper()}')
        cpu = statistics.median(found[job]['cpu'])
        draws = ' '.join(f'{value:.3f}' for value in sorted(found[job]['cpu']))
        verdict = '' if job == 'floor' else 'meets' if cpu < TARGET else 'MISSES'
        print(
            f'  {label:<22} {cpu:10.3f} {draws:<32} {statistics.median(found[job]["again"]):6.3f}'
            f'  {verdict}{f" the {TARGET} s target" if verdict else ""}'
        )
    print(
        "  (in-process: from the text to the output in a fresh process, building lark's parser\n"
        '  and importing the format modules included; again: the same job once more in that\n'
        '  process: what each conversion costs once the process is under way; floor: lark\n'
        "  imported, its parser built and fed the text's tokens, nothing else: the least any\n"
        '  RBR read costs with lark)'
    )
    floor = statistics.median(found['floor']['cpu'])
    if floor >= TARGET:
        print(
            f'  the floor alone takes {floor:.3f} s: the {TARGET} s target is below what an RBR '
            'reader on lark can do'
        )


JOBS = [f'{action} {fmt}' for fmt in FORMATS for action in ('read', 'write')]


def _spec_files(folder: str, sizes: list[int]) -> dict[tuple[int, str], str]:
    """The same generated spec in every format, for each size, written once into ``folder``."""
    import rbconfig.converters as converters

    files: dict[tuple[int, str], str] = {}
    for size in sizes:
        document = converters.loads(generate(size), 'rbr')
        for fmt in FORMATS:
            file = Path(folder, f'{size}.{fmt}')
            file.write_text(converters.dumps(document.spec, fmt, document.comments))
            files[size, fmt] = str(file)
    return files


def growth(sizes: list[int], runs: int) -> None:
    with tempfile.TemporaryDirectory(prefix='rbconfig-bench-') as folder:
        files = _spec_files(folder, sizes)
        draws: dict[tuple[int, str], list[float]] = {(s, j): [] for s in sizes for j in JOBS}
        for run in range(runs):
            turn = JOBS[run % len(JOBS) :] + JOBS[: run % len(JOBS)]  # rotated each run
            for size in sizes:
                for job in turn:
                    child = _run_child('growth', job, files[size, job.split()[1]])
                    draws[size, job].append(child['cpu'] / size)
    middle, largest = sizes[len(sizes) // 2], sizes[-1]
    print(f'\n2. Growth: µs of CPU per path, a fresh process per job and size, median of {runs}')
    header = ''.join(f'{size:>10,}' for size in sizes)
    print(f'  {"":<12}{header}   {largest:,} / {middle:,}')
    for job in JOBS:
        median = {size: statistics.median(draws[size, job]) for size in sizes}
        cells = ''.join(f'{median[size] * 1e6:10.1f}' for size in sizes)
        ratio = median[largest] / median[middle]
        verdict = 'linear' if ratio <= LINEAR else 'NOT LINEAR'
        print(f'  {job:<12}{cells}   {ratio:5.2f}  {verdict}')


def _instructions(task: tuple[int, str, str], files: dict[tuple[int, str], str]) -> int:
    """Instructions of a growth child: ``task`` is (size, job, the job or its ``skip`` twin)."""
    size, job, variant = task
    command = [sys.executable, __file__, '--child', 'growth', variant, files[size, job.split()[1]]]
    return counted(command, {**_ENV, 'PYTHONPATH': str(_ROOT)})


def instructions(sizes: list[int]) -> None:
    """Growth in instructions (callgrind): what the code does, whatever the machine's load.

    Each job's count is that of its process less that of the same process
    without the job (``skip read yaml``...); the children run side by side, as
    counts do not depend on the load.
    """
    middle, largest = sizes[len(sizes) // 2], sizes[-1]
    with tempfile.TemporaryDirectory(prefix='rbconfig-bench-') as folder:
        files = _spec_files(folder, [middle, largest])
        tasks = [
            (size, job, variant)
            for size in (middle, largest)
            for job in JOBS
            for variant in (job, f'skip {job}')
        ]
        with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 1) as pool:
            found = pool.map(lambda task: _instructions(task, files), tasks)
            counts = dict(zip(tasks, found, strict=True))
    print('\n2b. Growth in instructions (valgrind callgrind), thousands per path')
    print(f'  {"":<12}{middle:>10,}{largest:>10,}   {largest:,} / {middle:,}')
    for job in JOBS:
        per_path = {
            size: (counts[size, job, job] - counts[size, job, f'skip {job}']) / size
            for size in (middle, largest)
        }
        ratio = per_path[largest] / per_path[middle]
        verdict = 'linear' if ratio <= LINEAR else 'NOT LINEAR'
        cells = f'{per_path[middle] / 1000:10.1f}{per_path[largest] / 1000:10.1f}'
        print(f'  {job:<12}{cells}   {ratio:5.3f}  {verdict}')


def stages(paths: int, runs: int) -> None:
    from rbconfig.converters.rbr.grammar import _parser, parse, scanner
    from rbconfig.converters.rbr.reader import source_from
    from rbconfig.document.collector import paused_gc
    from rbconfig.schema import parse_spec

    text = generate(paths)
    _parser()

    def timed(function: Callable[[], Any]) -> tuple[float, Any]:
        cpus, result = [], None
        for _ in range(runs):
            result = None  # the last result is not alive during the next run
            with paused_gc():  # as in the reader
                cpu, result = _cpu(function)
            cpus.append(cpu)
        return statistics.median(cpus), result

    scanned, tokens = timed(lambda: scanner().scan(text).tokens)
    lark_lexed, lark_tokens = timed(lambda: list(_parser().lex(text)))
    assert tokens == lark_tokens  # the same tokens (type and text)
    del tokens, lark_tokens
    parsed, tree = timed(lambda: parse(text, 'bench.rbr'))
    mapped, source = timed(lambda: source_from(tree, text, 'bench.rbr'))  # noqa: F821
    del tree
    validated, _ = timed(lambda: parse_spec(source.data))
    print(f'\n3. Stages of RBR to the model, {paths} paths, one warm process, median of {runs}')
    rows = [
        ('scan (rbconfig scanner)', scanned),
        ("  (lark's own lexer, same tokens)", lark_lexed),
        ('parse (scan + lark LALR, tree)', parsed),
        ('map the tree to data', mapped),
        ('validate into the model', validated),
    ]
    for label, cpu in rows:
        print(f'  {label:<36} {cpu * 1000:7.1f} ms')


def main() -> None:
    """Run the parts asked for and print their tables."""
    if len(sys.argv) > 1 and sys.argv[1] == '--child':
        kind = sys.argv[2]
        if kind == 'convert' and sys.argv[4] == 'floor':
            found = _child_floor(int(sys.argv[3]))
        elif kind == 'convert':
            found = _child_convert(int(sys.argv[3]), sys.argv[4])
        else:
            found = _child_growth(sys.argv[3], sys.argv[4])
        print(json.dumps(found))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--paths', type=int, default=1000)
    parser.add_argument('--runs', type=int, default=5)
    parser.add_argument('--sizes', default='100,1000,10000')
    parser.add_argument('--only', choices=['targets', 'growth', 'instructions', 'stages'])
    args = parser.parse_args()
    load = ', '.join(f'{value:.1f}' for value in os.getloadavg())
    print(f'bench/rbr.py: load average {load} on {os.cpu_count()} CPUs')
    print(f'machine speed: {reference() * 1000:.1f} ms of CPU for 10^6 turns of a Python loop')
    if args.only in (None, 'targets'):
        targets(args.paths, args.runs)
    sizes = [int(size) for size in args.sizes.split(',')]
    if args.only in (None, 'growth'):
        growth(sizes, args.runs)
    if args.only in (None, 'instructions'):
        if instructions_available():
            instructions(sizes)
        else:
            print('\n2b. Growth in instructions: skipped, valgrind is not installed')
    if args.only in (None, 'stages'):
        stages(args.paths, args.runs)


if __name__ == '__main__':
    main()
