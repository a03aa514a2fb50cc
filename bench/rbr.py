"""Benchmark: parse a generated 1,000-path .rbr and convert it to the model, YAML and TOML.

Run: ``python3 bench/rbr.py [--paths 1000] [--runs 7]``

Everything runs in this one process. Each stage is timed on its own, several
runs, and the median is printed side by side, then the whole job (RBR text →
model → YAML + TOML) against the 0.2 s target. Every path has checks: a
body type check, a header to set and a described status, besides its
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


def _median(function: Callable[[], Any], runs: int) -> tuple[float, Any]:
    times = []
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    """Time each stage and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--paths', type=int, default=1000)
    parser.add_argument('--runs', type=int, default=7)
    args = parser.parse_args()

    start = time.perf_counter()
    from rbconfig.converters import build_document, dumps
    from rbconfig.converters.rbr import RbrFormat
    from rbconfig.converters.rbr.grammar import _parser, parse
    from rbconfig.converters.rbr.reader import read_source
    from rbconfig.schema import parse_spec

    imported = time.perf_counter() - start
    start = time.perf_counter()
    _parser()
    built = time.perf_counter() - start

    text = generate(args.paths)
    fmt = RbrFormat()
    lines = text.count('\n')
    tokens = sum(1 for _ in _parser().lex(text))
    load = ', '.join(f'{value:.1f}' for value in os.getloadavg())
    print(
        f'{args.paths} paths, {lines} lines, {tokens} tokens, {len(text) / 1024:.0f} KiB of RBR; '
        f'median of {args.runs} runs; load average {load} on {os.cpu_count()} CPUs'
    )
    print(f'  import rbconfig.converters       {imported * 1000:8.1f} ms (once)')
    print(f'  build the lark parser            {built * 1000:8.1f} ms (once per process)')

    parse_time, _ = _median(lambda: parse(text, 'bench.rbr'), args.runs)
    read_time, source = _median(lambda: read_source(text, 'bench.rbr'), args.runs)
    model_time, spec = _median(lambda: parse_spec(source.data), args.runs)
    load_time, document = _median(lambda: build_document(fmt, text, 'bench.rbr'), args.runs)
    yaml_time, _ = _median(lambda: dumps(document.spec, 'yaml', document.comments), args.runs)
    toml_time, _ = _median(lambda: dumps(document.spec, 'toml', document.comments), args.runs)
    rbr_time, _ = _median(lambda: dumps(document.spec, 'rbr', document.comments), args.runs)

    def whole() -> None:
        loaded = build_document(fmt, text, 'bench.rbr')
        dumps(loaded.spec, 'yaml', loaded.comments)
        dumps(loaded.spec, 'toml', loaded.comments)

    whole_time, _ = _median(whole, args.runs)
    assert spec == document.spec

    rows = [
        ('parse (lark LALR, tree)', parse_time),
        ('map tree to data', read_time - parse_time),
        ('validate into the model', model_time),
        ('= RBR text to model', load_time),
        ('model to YAML', yaml_time),
        ('model to TOML', toml_time),
        ('model to RBR', rbr_time),
    ]
    for label, seconds in rows:
        share = seconds / load_time * 100
        print(f'  {label:<32} {seconds * 1000:8.1f} ms  {share:5.0f}% of load')
    print(
        f'  parse vs. convert (map + model + YAML + TOML): {parse_time * 1000:.1f} ms vs. '
        f'{(read_time - parse_time + model_time + yaml_time + toml_time) * 1000:.1f} ms'
    )
    verdict = 'meets' if whole_time < TARGET else 'misses'
    print(
        f'whole job (RBR -> model -> YAML + TOML): {whole_time * 1000:.1f} ms = '
        f'{whole_time / TARGET:.2f} x the {TARGET * 1000:.0f} ms target ({verdict} it); '
        f'RBR -> model alone: {load_time / TARGET:.2f} x'
    )


if __name__ == '__main__':
    main()
