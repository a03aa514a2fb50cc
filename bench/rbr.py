"""Benchmark: parse a generated 1,000-path .rbr and convert it to the model, YAML and TOML.

Run: ``python3 bench/rbr.py [--paths 1000] [--runs 7]``

Everything runs in this one process, several runs of each, medians printed side
by side, wall clock and CPU time. First, on a clean heap, RBR text → model (lex,
parse, map, validate: what loading a file costs, the cycle collector running as
in any library use) and the whole job (→ model → YAML + TOML), each against the
0.2 s target; then each stage on its own, with lark's own lexer next to the
scanner rbconfig uses (same tokens: checked here too). Every path has
checks: a body type check, a header to set and a described status, besides its
description, methods, URL template and handler.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

TARGET = 0.2


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


class _Timing:
    """Median wall-clock and CPU seconds of several runs of one stage."""

    def __init__(self, function: Callable[[], Any], runs: int) -> None:
        walls, cpus = [], []
        self.result: Any = None
        for _ in range(runs):
            # A process loads a file once: the last run's result is not kept alive
            # (and scanned by the cycle collector) while the next one runs.
            self.result = None
            wall, cpu = time.perf_counter(), time.process_time()
            self.result = function()
            cpus.append(time.process_time() - cpu)
            walls.append(time.perf_counter() - wall)
        self.wall = statistics.median(walls)
        self.cpu = statistics.median(cpus)


def main() -> None:
    """Time each stage and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--paths', type=int, default=1000)
    parser.add_argument('--runs', type=int, default=7)
    args = parser.parse_args()

    start = time.perf_counter()
    from rbconfig.converters import build_document, dumps
    from rbconfig.converters._text import paused_gc
    from rbconfig.converters.rbr import RbrFormat
    from rbconfig.converters.rbr.grammar import _parser, parse, scanner
    from rbconfig.converters.rbr.reader import source_from
    from rbconfig.schema import parse_spec

    imported = time.perf_counter() - start

    start = time.perf_counter()
    _parser()
    built = time.perf_counter() - start

    text = generate(args.paths)
    fmt = RbrFormat()
    lines = text.count('\n')
    tokens = len(scanner().scan(text).tokens)
    load = ', '.join(f'{value:.1f}' for value in os.getloadavg())
    print(
        f'{args.paths} paths, {lines} lines, {tokens} tokens, {len(text) / 1024:.0f} KiB of RBR; '
        f'median of {args.runs} runs; load average {load} on {os.cpu_count()} CPUs'
    )
    print(f'  import rbconfig.converters      {imported * 1000:7.1f} ms (once)')
    print(f'  build the lark parser {built * 1000:7.1f} ms (once per process)')

    runs = args.runs
    # The headline first, on a clean heap: nothing else big is alive while it runs.
    loaded = _Timing(lambda: build_document(fmt, text, 'bench.rbr'), runs)
    document = loaded.result

    def whole() -> None:
        done = build_document(fmt, text, 'bench.rbr')
        dumps(done.spec, 'yaml', done.comments)
        dumps(done.spec, 'toml', done.comments)

    job = _Timing(whole, runs)

    # Then each stage on its own (the collector's work is not all charged here:
    # parse and map pause it, so its catching up falls between runs).
    def lex(tokens: Callable[[], Any]) -> list[Any]:
        with paused_gc():  # as in the parse
            return list(tokens())

    lexed = _Timing(lambda: lex(lambda: scanner().scan(text).tokens), runs)
    lark_lexed = _Timing(lambda: lex(lambda: _parser().lex(text)), runs)
    assert lexed.result == lark_lexed.result
    del lexed.result, lark_lexed.result
    parsed = _Timing(lambda: parse(text, 'bench.rbr'), runs)
    mapped = _Timing(lambda: source_from(parsed.result, text, 'bench.rbr'), runs)
    del parsed.result
    model = _Timing(lambda: parse_spec(mapped.result.data), runs)
    to_yaml = _Timing(lambda: dumps(document.spec, 'yaml', document.comments), runs)
    to_toml = _Timing(lambda: dumps(document.spec, 'toml', document.comments), runs)
    to_rbr = _Timing(lambda: dumps(document.spec, 'rbr', document.comments), runs)
    assert model.result == document.spec

    print(f'  {"stage":<35} {"wall ms":>7} {"CPU ms":>8}')
    rows = [
        ('lex (rbconfig scanner, in the parse)', lexed.wall, lexed.cpu),
        ("  (lark's basic lexer, same tokens)", lark_lexed.wall, lark_lexed.cpu),
        ('parse (lex + lark LALR, tree)', parsed.wall, parsed.cpu),
        ('map the tree to data', mapped.wall, mapped.cpu),
        ('validate into the model', model.wall, model.cpu),
        ('= RBR text to model', loaded.wall, loaded.cpu),
        ('model to YAML', to_yaml.wall, to_yaml.cpu),
        ('model to TOML', to_toml.wall, to_toml.cpu),
        ('model to RBR', to_rbr.wall, to_rbr.cpu),
        ('= RBR to model, YAML and TOML', job.wall, job.cpu),
    ]
    for label, wall, cpu in rows:
        print(f'  {label:<35} {wall * 1000:7.1f} {cpu * 1000:8.1f}')
    convert = mapped.cpu + model.cpu + to_yaml.cpu + to_toml.cpu
    print(
        f'parse vs. convert (map + model + YAML + TOML), CPU: {parsed.cpu * 1000:.0f} ms vs. '
        f'{convert * 1000:.0f} ms'
    )
    for label, timing in (('RBR text to model', loaded), ('RBR to model, YAML and TOML', job)):
        verdict = 'meets' if timing.wall < TARGET else 'misses'
        print(
            f'{label}: {timing.wall * 1000:.0f} ms wall ({timing.cpu * 1000:.0f} ms CPU) = '
            f'{timing.wall / TARGET:.2f} x the {TARGET * 1000:.0f} ms target ({verdict} it)'
        )


if __name__ == '__main__':
    main()
