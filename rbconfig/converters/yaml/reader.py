"""Reading YAML: strict safe loading with exact positions.

Loading goes through PyYAML's composer only (the C one when libyaml is there),
so no tag can build a Python object. The node graph is then turned into plain
data here, which lets us record the line and column of every key and list
item, refuse duplicate keys (PyYAML would keep the last one silently) and
measure what aliases expand to before expanding them.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from typing import Any, cast

import yaml
from yaml.error import Mark
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ...document import Positions, Source
from ...errors import Loc, Problem, SpecError, format_loc
from .._text import MAX_DEPTH, attach_comments, number_too_long, too_deep
from . import SCHEMA_COMMENT

try:
    from yaml import CSafeLoader as BaseLoader
except ImportError:  # pragma: no cover - libyaml missing
    from yaml import SafeLoader as BaseLoader  # type: ignore[assignment]

__all__ = ['MAX_EXPANDED_NODES', 'STR_TAG', 'BaseLoader', 'read_source']

#: Most nodes that aliases may add when expanded (a guard against alias bombs).
MAX_EXPANDED_NODES = 100_000

_TAG = 'tag:yaml.org,2002:'
_MAP, _SEQ, _MERGE, _INT = _TAG + 'map', _TAG + 'seq', _TAG + 'merge', _TAG + 'int'
#: The tag of a plain text scalar.
STR_TAG = _TAG + 'str'
_SCALAR_TAGS = {_TAG + name for name in ('str', 'int', 'float', 'bool', 'null', 'timestamp')}
_TOO_DEEP = too_deep('the YAML')
_LINES = re.compile('\r\n|[\n\r\x85\u2028\u2029]')


def _unsupported(tag: str) -> str:
    return f'unsupported YAML tag {tag!r}; only plain YAML is allowed (no tags)'


class _FastResolve(yaml.resolver.Resolver):
    """The tag of each plain scalar resolved once per text (mixed into the loaders).

    The composer asks the (pure Python) resolver about every scalar; specs
    repeat the same few values (``return: 400``, ``is: json``) thousands of
    times, so a memo halves the time to compose a large spec.
    """

    def __init__(self, stream: str) -> None:
        # The loader this is mixed into comes next: its __init__ takes the stream.
        super().__init__(stream)  # type: ignore[call-arg]
        self._tags: dict[str, str] = {}

    def resolve(self, kind: type[Node], value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            if not implicit[0]:
                return STR_TAG
            tag = self._tags.get(value)
            if tag is None:
                tag = self._tags[value] = super().resolve(kind, value, implicit)
            return tag
        return _SEQ if kind is SequenceNode else _MAP

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        """No path resolvers are registered: nothing to track."""

    def ascend_resolver(self) -> None:
        """No path resolvers are registered: nothing to track."""


class _Loader(_FastResolve, BaseLoader):
    """The safe loader (libyaml's when installed) with the resolver memo."""


#: Indentation, or depth of brackets, beyond which a text is measured before composing.
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


def _too_deep_at(text: str) -> tuple[int, int] | None:
    """Where (0-based line, column) a node first lies deeper than MAX_DEPTH, or None.

    libyaml's composer recurses in C and crashes the interpreter on very deep
    nesting, so a text that may nest deeply is measured first, from libyaml's
    parser events (the parser does not recurse). That parser stops at 1,000
    levels: in brackets, they are counted on from its last event; in
    indentation, PyYAML's own (slower) parser measures instead.
    """
    walk = _Depth()
    try:
        return walk.events(yaml.parse(text, Loader=BaseLoader))
    except yaml.scanner.ScannerError as ex:
        if 'maximum nesting depth' not in (ex.problem or ''):
            raise
        if 'flow' not in (ex.context or ''):
            return _Depth().events(yaml.parse(text, Loader=yaml.SafeLoader))
    return walk.brackets(text)


class _Depth:
    """How deep the events so far go, and where the last one ended."""

    def __init__(self) -> None:
        self.depth = 0
        self.line = self.column = 0

    def events(self, events: Iterator[Any]) -> tuple[int, int] | None:
        for event in events:
            kind = event.__class__
            if kind in _NODE_EVENTS and self.depth > MAX_DEPTH:
                return event.start_mark.line, event.start_mark.column
            if kind in _OPENING_EVENTS:
                self.depth += 1
            elif kind in _CLOSING_EVENTS:
                self.depth -= 1
            self.line, self.column = event.end_mark.line, event.end_mark.column
        return None

    def brackets(self, text: str) -> tuple[int, int] | None:
        """Count brackets on from the last event (quoted text and comments skipped)."""
        breaks = [found.end() for found in _LINES.finditer(text)]
        pos = (breaks[self.line - 1] if self.line else 0) + self.column
        depth = self.depth
        for found in _FLOW.finditer(text, pos):
            char = found.group()[0]
            if char in '[{':
                if depth > MAX_DEPTH:
                    line = bisect.bisect_right(breaks, found.start())
                    return line, found.start() - (breaks[line - 1] if line else 0)
                depth += 1
            elif char in ']}':
                depth -= 1
        return None


#: What counts brackets in flow text: a bracket, or quoted text or a comment to step over.
_FLOW = re.compile(r"""[\[\]{}]|"(?:[^"\\]++|\\.)*+"?|'(?:[^']++|'')*+'?|#[^\n]*+""", re.DOTALL)


_OPENING_EVENTS = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSING_EVENTS = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
_NODE_EVENTS = (*_OPENING_EVENTS, yaml.ScalarEvent, yaml.AliasEvent)


def read_source(text: str, file: str) -> Source:
    """Parse YAML text into plain data with the position of every key and item.

    Raises:
        SpecError: for syntax errors, alias bombs and nesting too deep.
    """
    try:
        deep = _too_deep_at(text) if _may_nest_deeply(text) else None
        if deep is not None:
            raise SpecError([Problem(file, deep[0] + 1, deep[1] + 1, '', _TOO_DEEP)])
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as ex:
        raise SpecError([_syntax_problem(file, text, ex)]) from ex
    except yaml.YAMLError as ex:
        raise SpecError([_reader_problem(file, text, ex)]) from ex
    if root is None:
        return Source(None, {(): (1, 1)})
    builder = _Builder(file, merges='<<' in text)
    if '*' in text:  # no alias, no bomb
        builder.check_size(root)
    data = builder.build(root, ())
    builder.positions.setdefault((), _mark(root))
    if builder.problems:  # the model's problems with the rest come beside them
        return Source(data, builder.positions, problems=builder.problems)
    comments = attach_comments(
        text, builder.starts, builder.inside_values, SCHEMA_COMMENT, _LINES.split
    )
    return Source(data, builder.positions, comments)


def _at(file: str, mark: Mark, message: str) -> Problem:
    return Problem(file, mark.line + 1, mark.column + 1, '', message)


def _mark(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _syntax_problem(file: str, text: str, ex: yaml.MarkedYAMLError) -> Problem:
    mark = ex.problem_mark or ex.context_mark
    sentence = (ex.problem or ex.context or 'invalid YAML').strip()
    if ex.context and ex.problem:
        context = ex.context
        if ex.context_mark is not None and ex.context_mark is not mark:
            context += f' at line {ex.context_mark.line + 1}, column {ex.context_mark.column + 1}'
        sentence = f'{sentence} ({context})'
    if mark is None:
        return Problem(file, None, None, '', f'YAML syntax error: {sentence}')
    hint = _hint(text, ex, mark)
    return _at(file, mark, f'YAML syntax error: {sentence}{f"; {hint}" if hint else ""}')


_BLOCK_PROBLEMS = ('did not find expected key', "did not find expected '-' indicator")


def _hint(text: str, ex: yaml.MarkedYAMLError, mark: Mark) -> str:
    """What PyYAML's words most often mean, said in terms of the lines of the file."""
    problem, context = ex.problem or '', ex.context_mark
    lines = _LINES.split(text)
    here = lines[mark.line] if mark.line < len(lines) else ''
    indent = len(here) - len(here.lstrip(' '))
    number = mark.line + 1
    if 'block' in (ex.context or '') and context is not None and problem in _BLOCK_PROBLEMS:
        what = 'items of the list' if "'-'" in problem else 'keys of the mapping'
        return (
            f'line {number} is indented {indent} spaces, but the {what} that starts on line '
            f'{context.line + 1} are indented {context.column}: they must line up'
        )
    if problem.startswith('mapping values are not allowed'):
        if ': ' in here[: mark.column] or here[: mark.column].rstrip().endswith(':'):
            return 'a value holding \': \' must be quoted, like "a: b"'
        above = next((n for n in range(mark.line - 1, -1, -1) if lines[n].strip()), None)
        if above is not None and ':' not in lines[above]:
            return f"line {above + 1} holds no 'key: value' (a ':' and a space after the key)"
        return f'line {number} is indented deeper than the key above it, which holds a value'
    if problem.startswith("could not find expected ':'") and context is not None:
        return f"line {context.line + 1} holds no 'key: value' (a ':' and a space after the key)"
    if 'cannot start any token' in problem and here[mark.column : mark.column + 1] == '\t':
        return 'YAML indents with spaces, not tabs'
    return ''


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
        kind = type(node)
        if type(node) is ScalarNode:
            return self.scalar(node, loc)
        if node.tag != _MAP and node.tag != _SEQ:
            self.problem(node, loc, _unsupported(node.tag))
            return None
        if len(loc) >= MAX_DEPTH and node.value:  # aliases can nest what is written flat
            first = node.value[0][0] if kind is MappingNode else node.value[0]
            raise SpecError([_at(self.file, first.start_mark, _TOO_DEEP)])
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
        return self.mapping(cast(MappingNode, node), loc)  # neither a scalar nor a list

    def scalar(self, node: ScalarNode, loc: Loc) -> Any:
        end = node.end_mark
        if end.line != node.start_mark.line:
            last = end.line + (1 if end.column else 0)
            if last > node.start_mark.line + 1:
                self.inside_values.update(range(node.start_mark.line + 2, last + 1))
        tag = node.tag
        if tag == STR_TAG:
            return node.value
        if tag not in _SCALAR_TAGS:
            self.problem(node, loc, _unsupported(tag))
            return None
        try:
            return self.constructor.construct_object(node)
        except (yaml.YAMLError, ValueError) as ex:
            too_long = number_too_long(node.value) if tag == _INT else None
            reason = too_long or f'cannot read {node.value!r} as {tag[len(_TAG) :]}: {ex}'
            self.problem(node, loc, reason)
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
            if key_node.tag == STR_TAG and key_node.end_mark.line == mark.line:
                key = key_node.value  # the common case, without a call
            elif key_node.tag == _MERGE:
                continue
            else:
                key = self.scalar(key_node, loc)
            if key in first:
                earlier = first[key]
                line, column = _mark(earlier)
                original = next(seen for seen in first if seen == key)
                if type(original) is type(key):
                    message = (
                        f'duplicate key {key!r} (first written at line {line}, column {column}); '
                        f'YAML keys must be unique in a mapping'
                    )
                else:  # 1 and true, 1 and 1.0: two keys in YAML, one once read into Python
                    message = (
                        f'the key {key_node.value} is the key {earlier.value} of line {line}, '
                        f'column {column} once read (true equals 1, and 1 equals 1.0, in the '
                        'mappings that hold the spec); quote one of them to make it text'
                    )
                self.problem(key_node, (*loc, key), message)
                continue
            first[key] = key_node
            child = (*loc, key)
            line = mark.line + 1
            positions[child] = (line, mark.column + 1)
            if line not in starts:
                starts[line] = child
            if value_node.__class__ is ScalarNode:
                if (
                    value_node.tag == STR_TAG
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
