"""YAML specs: strict safe loading with exact positions, and a hand-written emitter.

Loading goes through PyYAML's composer only (the C one when libyaml is there),
so no tag can build a Python object. The node graph is then turned into plain
data here, which lets us record the line and column of every key and list
item, refuse duplicate keys (PyYAML would keep the last one silently) and
measure what aliases expand to before expanding them.
"""

from __future__ import annotations

import datetime
import functools
import math
import re
from typing import Any, ClassVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..errors import Loc, Problem, SpecError, format_loc
from ..schema import Spec, SpecInvalid, parse_spec
from ._text import SCHEMA_URL, attach_comments, comment_lines, ordered_data
from .base import Comments, Positions, Source, SpecFormat, _problem

try:
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - libyaml missing
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

__all__ = ['MAX_EXPANDED_NODES', 'YamlFormat']

#: Most nodes that aliases may add when expanded (a guard against alias bombs).
MAX_EXPANDED_NODES = 100_000

_TAG = 'tag:yaml.org,2002:'
_MAP, _SEQ, _STR, _MERGE = _TAG + 'map', _TAG + 'seq', _TAG + 'str', _TAG + 'merge'
_SCALAR_TAGS = {_TAG + name for name in ('str', 'int', 'float', 'bool', 'null', 'timestamp')}
_SCHEMA_COMMENT = '# yaml-language-server:'
_TOO_DEEP = 'the YAML is nested too deeply'
_LINES = re.compile('\r\n|[\n\r\x85\u2028\u2029]')


def _unsupported(tag: str) -> str:
    return f'unsupported YAML tag {tag!r}; only plain YAML is allowed (no tags)'


class _FastResolve:
    """The tag of each plain scalar resolved once per text.

    The composer asks the (pure Python) resolver about every scalar; specs
    repeat the same few values (``return: 400``, ``is: json``) thousands of
    times, so a memo halves the time to compose a large spec.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)  # type: ignore[call-arg]
        self._tags: dict[str, str] = {}

    def resolve(self, kind: type[Node], value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            if not implicit[0]:
                return _STR
            tag = self._tags.get(value)
            if tag is None:
                tag = self._tags[value] = super().resolve(kind, value, implicit)
            return tag
        return _SEQ if kind is SequenceNode else _MAP

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        """No path resolvers are registered: nothing to track."""

    def ascend_resolver(self) -> None:
        """No path resolvers are registered: nothing to track."""


class _Loader(_FastResolve, _BaseLoader):  # type: ignore[misc, valid-type]
    """The safe loader (libyaml's when installed) with the resolver memo."""


class _DeepLoader(_FastResolve, yaml.SafeLoader):  # type: ignore[misc]
    """The pure-Python safe loader, for texts that may nest deeply.

    libyaml's composer recurses in C and crashes the interpreter on very deep
    nesting; the Python one raises RecursionError, which becomes a problem.
    """


#: Indentation, or depth of brackets, beyond which the Python composer is used.
_DEEP = 100
_DEEP_BLOCK = re.compile(rf'^[ \t?:-]{{{_DEEP},}}', re.MULTILINE)
_BRACKETS = re.compile(r'[\[\]{}]')


def _may_nest_deeply(text: str) -> bool:
    """Whether the text might nest more than ``_DEEP`` levels (by indentation or brackets)."""
    if _DEEP_BLOCK.search(text):
        return True
    if text.count('[') + text.count('{') <= _DEEP:
        return False
    depth = 0
    for found in _BRACKETS.finditer(text):
        depth += 1 if found.group() in '[{' else -1
        if depth > _DEEP:
            return True
    return False


class YamlFormat(SpecFormat):
    """The main authoring format."""

    name: ClassVar[str] = 'yaml'
    extensions: ClassVar[tuple[str, ...]] = ('.yaml', '.yml')

    #: The schema the ``# yaml-language-server: $schema=`` line of written files points at.
    schema_url: str = SCHEMA_URL

    def read(self, text: str, file: str) -> Source:
        """Parse YAML text into plain data with the position of every key and item.

        Raises:
            SpecError: for syntax errors, duplicate keys, unsupported tags and
                alias bombs, every one found, each with its line and column.
        """
        loader = _DeepLoader if _may_nest_deeply(text) else _Loader
        try:
            root = yaml.compose(text, Loader=loader)
        except yaml.MarkedYAMLError as ex:
            raise SpecError([_syntax_problem(file, ex)]) from ex
        except yaml.YAMLError as ex:
            raise SpecError([_reader_problem(file, text, ex)]) from ex
        except RecursionError as ex:
            raise SpecError([Problem(file, None, None, '', _TOO_DEEP)]) from ex
        if root is None:
            return Source(None, {(): (1, 1)})
        builder = _Builder(file, merges='<<' in text)
        try:
            if '*' in text:  # no alias, no bomb
                builder.check_size(root)
            data = builder.build(root, ())
        except RecursionError as ex:
            raise SpecError([Problem(file, None, None, '', _TOO_DEEP)]) from ex
        builder.positions.setdefault((), _mark(root))
        if builder.problems:
            raise SpecError(_with_model_problems(builder, data))
        comments = attach_comments(
            text, builder.starts, builder.inside_values, _SCHEMA_COMMENT, _LINES.split
        )
        return Source(data, builder.positions, comments)

    def write(self, spec: Spec, comments: Comments | None = None) -> str:
        """Render ``spec`` as block-style YAML, keys in each model's order."""
        writer = _Writer(comments or {})
        writer.lines.append(f'{_SCHEMA_COMMENT} $schema={self.schema_url}')
        writer.comment((), 0)
        data = ordered_data(spec)
        for index, (key, value) in enumerate(data.items()):
            if index:
                writer.lines.append('')
            writer.entry(key, value, (key,), 0)
        return '\n'.join(writer.lines) + '\n'


# --- reading ------------------------------------------------------------------------------


def _mark(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _syntax_problem(file: str, ex: yaml.MarkedYAMLError) -> Problem:
    mark = ex.problem_mark or ex.context_mark
    sentence = (ex.problem or ex.context or 'invalid YAML').strip()
    if ex.context and ex.problem:
        context = ex.context
        if ex.context_mark is not None and ex.context_mark is not mark:
            context += f' at line {ex.context_mark.line + 1}, column {ex.context_mark.column + 1}'
        sentence = f'{sentence} ({context})'
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
    return Problem(file, line, column, '', f'YAML syntax error: {sentence}')


def _reader_problem(file: str, text: str, ex: yaml.YAMLError) -> Problem:
    position = getattr(ex, 'position', None)
    if not isinstance(position, int):
        return Problem(file, None, None, '', f'YAML error: {ex}')
    line = text.count('\n', 0, position) + 1
    column = position - (text.rfind('\n', 0, position) + 1) + 1
    character = getattr(ex, 'character', '')
    what = f'U+{ord(character):04X}' if isinstance(character, str) and character else 'a byte'
    return Problem(file, line, column, '', f'YAML cannot contain the character {what}')


class _Builder:
    """Turns composed nodes into plain data, noting positions and problems."""

    def __init__(self, file: str, merges: bool) -> None:
        self.file = file
        self.positions: Positions = {}
        self.starts: dict[int, Loc] = {}
        self.inside_values: set[int] = set()
        self.problems: list[Problem] = []
        self.constructor = yaml.constructor.SafeConstructor()
        #: Whether the text may hold a merge key (``<<``) at all.
        self.merges = merges

    def problem(self, node: Node, loc: Loc, message: str) -> None:
        line, column = _mark(node)
        self.problems.append(Problem(self.file, line, column, format_loc(loc), message))

    def place(self, loc: Loc, node: Node) -> None:
        position = _mark(node)
        self.positions[loc] = position
        self.starts.setdefault(position[0], loc)

    # Alias bombs: count what aliases would expand to before expanding anything.
    def check_size(self, root: Node) -> None:
        sizes: dict[int, int] = {}
        active: set[int] = set()

        def size(node: Node) -> int:
            key = id(node)
            if key in sizes:
                return sizes[key]
            if key in active:
                raise _Recursive(node)
            active.add(key)
            total = 1
            if isinstance(node, SequenceNode):
                total += sum(size(item) for item in node.value)
            elif isinstance(node, MappingNode):
                total += sum(size(k) + size(v) for k, v in node.value)
            active.discard(key)
            sizes[key] = total
            return total

        try:
            expanded = size(root)
        except _Recursive as ex:
            self.problem(ex.node, (), 'an alias refers to the collection that contains it')
            raise SpecError(self.problems) from None
        if expanded - len(sizes) > MAX_EXPANDED_NODES:
            nodes, uses = _uses(root)
            biggest = max(nodes, key=lambda node: sizes[id(node)] * (uses[id(node)] - 1))
            self.problem(
                biggest,
                (),
                f'aliases would expand this YAML to {expanded:,} nodes (the limit is '
                f'{MAX_EXPANDED_NODES:,} more than written): an alias bomb?',
            )
            raise SpecError(self.problems)

    def build(self, node: Node, loc: Loc) -> Any:
        kind = node.__class__
        if kind is ScalarNode:
            return self.scalar(node, loc)
        if node.tag != _MAP and node.tag != _SEQ:
            self.problem(node, loc, _unsupported(node.tag))
            return None
        if kind is SequenceNode:
            items = []
            positions, starts = self.positions, self.starts
            for index, item in enumerate(node.value):
                child = (*loc, index)
                mark = item.start_mark
                line = mark.line + 1
                positions[child] = (line, mark.column + 1)
                if line not in starts:
                    starts[line] = child
                items.append(self.build(item, child))
            return items
        return self.mapping(node, loc)

    def scalar(self, node: ScalarNode, loc: Loc) -> Any:
        end = node.end_mark
        if end.line != node.start_mark.line:
            last = end.line + (1 if end.column else 0)
            if last > node.start_mark.line + 1:
                self.inside_values.update(range(node.start_mark.line + 2, last + 1))
        tag = node.tag
        if tag == _STR:
            return node.value
        if tag not in _SCALAR_TAGS:
            self.problem(node, loc, _unsupported(tag))
            return None
        try:
            return self.constructor.construct_object(node)
        except (yaml.YAMLError, ValueError) as ex:
            self.problem(node, loc, f'cannot read {node.value!r} as {tag[len(_TAG) :]}: {ex}')
            return None

    def mapping(self, node: MappingNode, loc: Loc) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        first: dict[Any, Node] = {}
        positions, starts = self.positions, self.starts
        pairs = node.value
        if self.merges and any(key_node.tag == _MERGE for key_node, _ in pairs):
            for key_node, value_node in pairs:
                if key_node.tag == _MERGE:
                    self.merge(result, value_node, loc)
        for key_node, value_node in pairs:
            if key_node.__class__ is not ScalarNode:
                self.problem(key_node, loc, 'a key must be text or a number, not a list or mapping')
                continue
            mark = key_node.start_mark
            if key_node.tag == _STR and key_node.end_mark.line == mark.line:
                key = key_node.value  # the common case, without a call
            elif key_node.tag == _MERGE:
                continue
            else:
                key = self.scalar(key_node, loc)
            if key in first:
                line, column = _mark(first[key])
                self.problem(
                    key_node,
                    (*loc, key),
                    f'duplicate key {key!r} (first written at line {line}, column {column}); '
                    f'YAML keys must be unique in a mapping',
                )
                continue
            first[key] = key_node
            child = (*loc, key)
            line = mark.line + 1
            positions[child] = (line, mark.column + 1)
            if line not in starts:
                starts[line] = child
            if value_node.__class__ is ScalarNode:
                if (
                    value_node.tag == _STR
                    and value_node.end_mark.line == value_node.start_mark.line
                ):
                    result[key] = value_node.value
                else:
                    result[key] = self.scalar(value_node, child)
            else:
                result[key] = self.build(value_node, child)
        return result

    def merge(self, result: dict[Any, Any], node: Node, loc: Loc) -> None:
        sources = node.value if isinstance(node, SequenceNode) else [node]
        for source in sources:
            if not isinstance(source, MappingNode):
                self.problem(source, loc, "a merge key '<<' needs a mapping or a list of mappings")
                continue
            merged = self.mapping(source, loc)
            for key, value in merged.items():
                result.setdefault(key, value)


def _with_model_problems(builder: _Builder, data: Any) -> list[Problem]:
    """The reader's problems and, so all come at once, what the model says of the rest."""
    problems = list(builder.problems)
    try:
        parse_spec(data)
    except SpecInvalid as ex:
        problems += [_problem(builder.file, builder.positions, issue) for issue in ex.issues]
    return sorted(problems, key=lambda problem: (problem.line or 0, problem.column or 0))


class _Recursive(Exception):
    def __init__(self, node: Node) -> None:
        super().__init__()
        self.node = node


def _uses(root: Node) -> tuple[list[Node], dict[int, int]]:
    """Every distinct node, and how often each is used (more than once: via aliases)."""
    uses: dict[int, int] = {}
    nodes: list[Node] = []
    stack = [root]
    while stack:
        node = stack.pop()
        key = id(node)
        uses[key] = uses.get(key, 0) + 1
        if uses[key] > 1:
            continue
        nodes.append(node)
        if isinstance(node, SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, MappingNode):
            stack.extend(value for _, value in node.value)
    return nodes, uses


# --- writing ------------------------------------------------------------------------------

_INDENT = 2
#: Longer keys are written as explicit '? key' entries (YAML's limit is 1024).
_LONGEST_KEY = 1000
_WIDTH = 100
_RESOLVER = yaml.resolver.Resolver()
_FLOW_CHARS = set(',[]{}')


# Both classes span all of Unicode: compiling them takes ~5 ms, so it is done on the first
# write, not at every start-up that only reads (``rbconfig validate``).
@functools.cache
def _plain_start() -> re.Pattern[str]:
    return re.compile(r'[A-Za-z0-9_$/(.~^=+<;\\\x80-\U0010ffff]')


@functools.cache
def _printable() -> re.Pattern[str]:
    """What YAML may hold unescaped."""
    return re.compile(
        '[\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]*'
    )


_LINE_BREAKS = ('\r', '\x85', '\u2028', '\u2029')


def _plain_ok(text: str, flow: bool) -> bool:
    if not text or text != text.strip() or not _plain_start().match(text):
        return False
    if ': ' in text or ' #' in text or text.endswith(':') or '\t' in text:
        return False
    if flow and _FLOW_CHARS.intersection(text):
        return False
    if not _printable().fullmatch(text) or '\n' in text:
        return False
    return _RESOLVER.resolve(ScalarNode, text, (True, False)) == _STR


def _double_quoted(text: str) -> str:
    out = []
    for char in text:
        code = ord(char)
        if char in '"\\':
            out.append('\\' + char)
        elif char == '\n':
            out.append('\\n')
        elif char == '\t':
            out.append('\\t')
        elif _printable().fullmatch(char):
            out.append(char)
        elif code <= 0xFF:
            out.append(f'\\x{code:02X}')
        elif code <= 0xFFFF:
            out.append(f'\\u{code:04X}')
        else:
            out.append(f'\\U{code:08X}')
    return '"' + ''.join(out) + '"'


def _scalar(value: Any, flow: bool = False) -> str:
    """One value as a YAML scalar that reads back as the same value."""
    if value is None:
        return 'null'
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return '.nan'
        if math.isinf(value):
            return '.inf' if value > 0 else '-.inf'
        text = repr(value)
        if '.' not in text and 'e' in text:
            text = text.replace('e', '.0e', 1)
        return text
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    text = str(value)
    if _plain_ok(text, flow):
        return text
    if '\n' not in text and _printable().fullmatch(text):
        return "'" + text.replace("'", "''") + "'"
    return _double_quoted(text)


def _literal_lines(text: str, indent: int) -> list[str] | None:
    """``text`` as a literal block (``|`` or ``|-``, with an indentation indicator when
    its first line starts with a space), or None when only quotes can say it.

    A block whose meaning hangs on white space at line ends is read back once and
    used only if it gives ``text`` again.
    """
    if '\n' not in text or not text.strip() or not _printable().fullmatch(text):
        return None
    if any(mark in text for mark in _LINE_BREAKS):
        return None
    if text.endswith('\n\n'):  # would need |+, which swallows the blank line after it
        return None
    body = text[:-1] if text.endswith('\n') else text
    chomp = '' if text.endswith('\n') else '-'
    lines = body.split('\n')
    first = next((line for line in lines if line.strip()), '')
    indicator = str(_INDENT) if first[:1] in (' ', '\t') else ''
    head = f'|{indicator}{chomp}'

    def block(pad: str) -> list[str]:
        return [head, *(pad + line if line else '' for line in lines)]

    if any(line != line.rstrip(' \t') for line in lines):
        # White space at a line end: keep the block only if it reads back the same.
        try:
            again = yaml.load('k: ' + '\n'.join(block(' ' * _INDENT)) + '\n', Loader=_BaseLoader)
        except yaml.YAMLError:
            return None
        if again != {'k': text}:
            return None
    return block(' ' * indent)


class _Writer:
    def __init__(self, comments: Comments) -> None:
        self.lines: list[str] = []
        self.comments = comments

    def comment(self, loc: Loc, indent: int) -> None:
        self.lines += comment_lines(self.comments.get(loc, ()), ' ' * indent)

    def entry(self, key: Any, value: Any, loc: Loc, indent: int, prefix: str = '') -> None:
        """``key: value`` at ``indent``; ``prefix`` replaces the indent ('- ' of an item)."""
        if not prefix:
            self.comment(loc, indent)
        key_text = _scalar(key, flow=True)
        if len(key_text) > _LONGEST_KEY:  # YAML wants an explicit '? key' line
            self.lines.append((prefix or ' ' * indent) + '? ' + key_text)
            head = ' ' * indent + ':'
        else:
            head = (prefix or ' ' * indent) + key_text + ':'
        if _is_single_method(loc, value):
            self.lines.append(f'{head} {_scalar(value[0])}')
            return
        self.value(head, value, loc, indent)

    def value(self, head: str, value: Any, loc: Loc, indent: int) -> None:
        inner = indent + _INDENT
        if isinstance(value, dict) and value:
            self.lines.append(head)
            self.mapping(value, loc, inner)
        elif isinstance(value, list) and value:
            commented = any((*loc, index) in self.comments for index in range(len(value)))
            flow = None if commented else self.flow_list(value)
            if flow is not None and len(head) + 1 + len(flow) <= _WIDTH:
                self.lines.append(f'{head} {flow}')
            else:
                self.lines.append(head)
                self.sequence(value, loc, inner)
        elif isinstance(value, dict | list):
            self.lines.append(f'{head} {{}}' if isinstance(value, dict) else f'{head} []')
        elif isinstance(value, str) and (block := _literal_lines(value, inner)) is not None:
            self.lines.append(f'{head} {block[0]}')
            self.lines.extend(block[1:])
        else:
            self.lines.append(f'{head} {_scalar(value)}')

    def mapping(self, value: dict[Any, Any], loc: Loc, indent: int) -> None:
        spaced = loc in (('paths',), ('sockets',))
        for index, (key, item) in enumerate(value.items()):
            if spaced and index:
                self.lines.append('')
            self.entry(key, item, (*loc, key), indent)

    def sequence(self, value: list[Any], loc: Loc, indent: int) -> None:
        for index, item in enumerate(value):
            item_loc = (*loc, index)
            self.comment(item_loc, indent)
            flow = self.flow_mapping(item, item_loc) if isinstance(item, dict) else None
            if flow is not None and indent + 2 + len(flow) <= _WIDTH:
                self.lines.append(' ' * indent + '- ' + flow)
            elif isinstance(item, dict) and item:
                for position, (key, child) in enumerate(item.items()):
                    if position == 0:
                        self.comment((*item_loc, key), indent)
                        self.entry(key, child, (*item_loc, key), indent + 2, '- '.rjust(indent + 2))
                    else:
                        self.entry(key, child, (*item_loc, key), indent + 2)
            else:
                self.value(' ' * indent + '-', item, item_loc, indent)

    def flow_mapping(self, value: dict[Any, Any], loc: Loc) -> str | None:
        """``{is: json, return: 400}`` for a small mapping of one-line scalars (checks)."""
        if not value or len(value) > 4:
            return None
        for key, item in value.items():
            if isinstance(item, dict | list) or (*loc, key) in self.comments:
                return None
            if isinstance(item, str) and '\n' in item:
                return None
        items = [f'{_scalar(k, flow=True)}: {_scalar(v, flow=True)}' for k, v in value.items()]
        if any(len(item) > _LONGEST_KEY for item in items):
            return None
        return '{' + ', '.join(items) + '}'

    def flow_list(self, value: list[Any]) -> str | None:
        if any(isinstance(item, dict | list) for item in value):
            return None
        if any(isinstance(item, str) and '\n' in item for item in value):
            return None
        return '[' + ', '.join(_scalar(item, flow=True) for item in value) + ']'


def _is_single_method(loc: Loc, value: Any) -> bool:
    return (
        len(loc) == 3
        and loc[0] == 'paths'
        and loc[2] == 'method'
        and isinstance(value, list)
        and len(value) == 1
    )
