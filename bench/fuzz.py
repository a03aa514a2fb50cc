"""Fuzz every front-end: crashes, hangs and unlocated errors on mutated specs (target 0/0/0).

Run: ``python3 bench/fuzz.py [--inputs 20000] [--seed 1] [--formats rbr,yaml,toml]``

For each format, ``--inputs`` texts are made by mutating real specs (the RBR corpus
of RedBarrel's files, and the apps' and the corpus' specs converted to YAML and
TOML): characters and format-specific pieces inserted, ranges deleted, duplicated or
repeated hundreds of times (inputs up to a few hundred KB), files spliced, bytes of
every kind. Each text is loaded as ``rbconfig validate`` loads a file, and counted:

- **crash**: anything raised but :class:`~rbconfig.errors.SpecError` (a traceback);
- **hang**: more than 1 s of CPU time for one input (each input is stopped at 5 s);
- **unlocated**: a :class:`SpecError` with a problem that has no line number.

Loaded specs are also written back in their own format and read again, which must
give an equal spec (a writer that cannot say something must say so with a
``ValueError``, as TOML does for a null). The seed makes a run repeatable; the first
inputs of each failing kind are saved under ``--out`` to reproduce them. CPU time per
input is measured with ``time.thread_time`` (this one thread; once a process CPU timer
is armed, as the 5 s stop is, Linux updates the process clock only at each tick), so
other jobs on the machine move it far less than wall time; the slowest are listed.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ('rbr', 'yaml', 'toml')
HANG = 1.0
STOP = 5.0

#: Pieces worth inserting, by format (plus PIECES for every format).
PIECES = ['\n', ' ', '\t', '\r', '\r\n', '"', "'", '\\', '#', '\x00', 'é', '\ufeff', '\u2028']
PIECES += ['{', '}', '[', ']', '(', ')', ',', ';', ':', '=', '.', '-', '|', '*', '&', '!']
PIECES += ['9' * 5000, '1e999999', '-0', 'nan', '0x1F', '~', 'null', 'true']
FORMAT_PIECES = {
    'rbr': [
        'path',
        'meta',
        'unless',
        'type',
        'is',
        'not',
        'return',
        'set',
        'describe',
        'x-rbconfig',
        'python:',
        'file:',
        '"""',
        'SOCKETIO',
        'socket',
        'define',
        'global',
        'root',
        'validates with',
        'on error return',
        'x-rbconfig """{"a": ' + '[' * 300 + ']' * 300 + '}"""',
    ],
    'yaml': [
        ': ',
        '- ',
        '&a ',
        '*a',
        '<<: ',
        '!!python/object ',
        '? ',
        '|',
        '>',
        '---\n',
        '...\n',
        '%YAML 1.1\n',
        '  ',
        '[' * 300,
        '{a: ',
    ],
    'toml': [
        ' = ',
        '[[',
        ']]',
        '"""',
        "'''",
        '[paths.x]\n',
        'a.b.c',
        '{ a = 1 }',
        '1979-05-27T07:32:00Z',
        '[' * 450,
        'inf',
        '+',
    ],
}


class _Stopped(Exception):  # noqa: N818 - the CPU stop, not an error of the code under test
    pass


def seeds() -> dict[str, list[str]]:
    """The specs mutated: RedBarrel's corpus, the apps, and both converted to each format."""
    from rbconfig.converters import ENDINGS, dumps, loads

    texts: dict[str, list[str]] = {fmt: [] for fmt in FORMATS}
    files = sorted((ROOT / 'tests' / 'fixtures' / 'rbr' / 'corpus').glob('*.rbr'))
    files += sorted(path for path in (ROOT / 'apps').rglob('*') if path.suffix in ENDINGS)
    for path in files:
        if 'node_modules' in path.parts:
            continue
        fmt = ENDINGS[path.suffix]
        text = path.read_text(encoding='utf-8')
        texts[fmt].append(text)
        document = loads(text, fmt, str(path))
        for other in FORMATS:
            if other != fmt:
                try:
                    texts[other].append(dumps(document.spec, other, document.comments))
                except ValueError:  # TOML cannot say a null
                    pass
    return texts


def mutate(chooser: random.Random, text: str, pieces: list[str], texts: list[str]) -> str:
    """One to four mutations of ``text``."""
    for _ in range(chooser.randint(1, 4)):
        where = chooser.randint(0, len(text))
        kind = chooser.random()
        if kind < 0.35:
            piece = chooser.choice(pieces)
            if chooser.random() < 0.2:
                piece = chr(chooser.randint(0, 0x2FFF))
            text = text[:where] + piece + text[where:]
        elif kind < 0.6:
            text = text[:where] + text[where + chooser.randint(1, 40) :]
        elif kind < 0.75:
            end = min(len(text), where + chooser.randint(1, 200))
            text = text[:end] + text[where:end] * chooser.randint(1, 3) + text[end:]
        elif kind < 0.8:  # a piece repeated: large inputs, deep nesting
            end = min(len(text), where + chooser.randint(1, 80))
            text = text[:end] + text[where:end] * chooser.randint(100, 3000) + text[end:]
        elif kind < 0.88:
            other = chooser.choice(texts)
            text = text[:where] + other[chooser.randint(0, len(other)) :]
        elif kind < 0.95:
            text = text[:where]
        else:
            at = chooser.randint(0, max(len(text) - 1, 0))
            text = text[:at] + chooser.choice(pieces) + text[at + 1 :]
    return text


def check(text: str, fmt: str) -> str | None:
    """Load ``text`` (and write it back when it loads): the kind of failure, or None."""
    from rbconfig.converters import dumps, loads
    from rbconfig.errors import SpecError

    try:
        document = loads(text, fmt, f'fuzz.{fmt}')
    except SpecError as ex:
        if not ex.problems or any(problem.line is None for problem in ex.problems):
            return 'unlocated'
        return None
    try:
        written = dumps(document.spec, fmt, document.comments)
    except ValueError:
        return None  # a writer saying what it cannot write (TOML and null)
    try:
        again = loads(written, fmt, f'again.{fmt}')
    except SpecError:
        return 'crash'  # what a writer writes must read back
    return None if again.spec == document.spec else 'crash'


def _stop(signum: int, frame: FrameType | None) -> None:
    raise _Stopped


def run(fmt: str, inputs: int, seed: int, texts: list[str], out: Path) -> dict[str, Any]:
    """Fuzz one format; the counts and the slowest inputs."""
    chooser = random.Random(f'{seed}-{fmt}')
    pieces = PIECES + FORMAT_PIECES[fmt]
    counts = {'crash': 0, 'hang': 0, 'unlocated': 0}
    times: list[tuple[float, int, int]] = []
    saved: dict[str, int] = {}
    previous = signal.signal(signal.SIGPROF, _stop)
    try:
        for number in range(inputs):
            text = mutate(chooser, chooser.choice(texts), pieces, texts)
            start = time.thread_time()
            signal.setitimer(signal.ITIMER_PROF, STOP)
            try:
                kind = check(text, fmt)
            except _Stopped:
                kind = 'stopped'
            except Exception:  # noqa: BLE001 - counting what escapes is the point
                kind = 'crash'
            finally:
                signal.setitimer(signal.ITIMER_PROF, 0)
            cpu = time.thread_time() - start
            times.append((cpu, number, len(text)))
            if kind == 'stopped' or cpu > HANG:
                kind = 'hang'
            if kind is not None:
                counts[kind] += 1
                if saved.get(kind, 0) < 5:
                    saved[kind] = saved.get(kind, 0) + 1
                    out.mkdir(parents=True, exist_ok=True)
                    name = f'{fmt}-{kind}-{number}.{fmt}'
                    (out / name).write_text(text, encoding='utf-8', errors='surrogatepass')
    finally:
        signal.signal(signal.SIGPROF, previous)
    times.sort(reverse=True)
    return {
        'counts': counts,
        'median': statistics.median(cpu for cpu, _, _ in times),
        'slowest': times[:3],
        'largest': max(size for _, _, size in times),
    }


def main() -> int:
    """Fuzz each format asked for and print the counts; exit 1 on any failure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--inputs', type=int, default=20_000, help='per format')
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--formats', default=','.join(FORMATS))
    parser.add_argument('--out', type=Path, default=Path(tempfile.gettempdir(), 'rbconfig-fuzz'))
    args = parser.parse_args()
    texts = seeds()
    load = ', '.join(f'{value:.1f}' for value in os.getloadavg())
    print(f'bench/fuzz.py: {args.inputs:,} inputs per format, seed {args.seed}; load {load}')
    print(f'{"format":<7} {"crashes":>8} {"hangs":>6} {"unlocated":>10} {"median ms":>10}  slowest')
    failed = 0
    for fmt in args.formats.split(','):
        start = time.perf_counter()
        found = run(fmt, args.inputs, args.seed, texts[fmt], args.out)
        counts = found['counts']
        failed += sum(counts.values())
        slowest = ', '.join(
            f'{cpu * 1000:.0f} ms ({size / 1024:.0f} KB, #{number})'
            for cpu, number, size in found['slowest']
        )
        print(
            f'{fmt:<7} {counts["crash"]:8} {counts["hang"]:6} {counts["unlocated"]:10} '
            f'{found["median"] * 1000:10.2f}  {slowest}'
            f'  [{time.perf_counter() - start:.0f} s, largest {found["largest"] / 1024:.0f} KB]'
        )
    if failed:
        print(f'failing inputs saved in {args.out}/')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
