"""lark's LALR parse table, driven in one loop: the same tree, fewer calls per token.

lark's parser feeds every token through a method that looks its tables up
again each time (:meth:`lark.parsers.lalr_parser_state.ParserState.feed_token`).
:class:`TableDriver` runs the very table and tree-building callbacks lark built
from ``rbr.lark`` in a single loop, so a text that parses gives lark's own tree.

It only knows the happy path: when a token has no action (a syntax error) or
the lexer stops, it raises :class:`Stuck` and the caller parses the text again
with lark's parser, which reports the error exactly as always. If lark's
internals ever change shape, :func:`driver_for` returns None and lark's parser
is used throughout.
"""

from __future__ import annotations

from typing import Any

__all__ = ['Stuck', 'TableDriver', 'driver_for']


class Stuck(Exception):
    """The text does not parse: let lark's own parser say why."""


class TableDriver:
    """Parses with the LALR table and callbacks of one :class:`lark.Lark` instance."""

    def __init__(self, parser: Any) -> None:
        from lark.lexer import LexerThread
        from lark.parsers.lalr_analysis import Shift

        frontend = parser.parser
        inner = frontend.parser.parser
        table = inner.parse_table
        callbacks = inner.callbacks
        if any(isinstance(key, str) for key in callbacks):
            raise TypeError('terminal callbacks are not supported')
        self.lexer = frontend.lexer
        self.thread = LexerThread
        self.start = table.start_states['start']
        self.end = table.end_states['start']
        #: state → symbol → (True, next state) for a shift or goto, or
        #: (False, (size, callback, rule name)) for a reduction.
        self.table: dict[Any, dict[str, tuple[bool, Any]]] = {
            state: {
                str(symbol): (True, arg)
                if action is Shift
                else (False, (len(arg.expansion), callbacks[arg], str(arg.origin.name)))
                for symbol, (action, arg) in actions.items()
            }
            for state, actions in table.states.items()
        }

    def parse(self, text: str) -> Any:
        """The tree of ``text``.

        Raises:
            Stuck: where lark's parser would raise a syntax error.
        """
        table = self.table
        states = [self.start]
        values: list[Any] = []
        push_state, push_value = states.append, values.append
        try:
            for token in self.thread.from_text(self.lexer, text).lex(None):
                kind = token.type
                while True:
                    shift, arg = table[states[-1]][kind]
                    if shift:
                        push_state(arg)
                        push_value(token)
                        break
                    size, callback, name = arg
                    if size:
                        children = values[-size:]
                        del states[-size:]
                        del values[-size:]
                    else:
                        children = []
                    push_value(callback(children))
                    push_state(table[states[-1]][name][1])
            end = self.end
            while True:
                shift, arg = table[states[-1]]['$END']
                if shift:
                    raise Stuck
                size, callback, name = arg
                if size:
                    children = values[-size:]
                    del states[-size:]
                    del values[-size:]
                else:
                    children = []
                push_value(callback(children))
                push_state(table[states[-1]][name][1])
                if states[-1] == end:
                    return values[-1]
        except (KeyError, IndexError) as ex:
            raise Stuck from ex
        except Exception as ex:
            from lark.exceptions import UnexpectedInput

            if isinstance(ex, UnexpectedInput):
                raise Stuck from ex
            raise


def driver_for(parser: Any) -> TableDriver | None:
    """A driver for ``parser``'s table, or None if lark's internals are not as expected."""
    try:
        return TableDriver(parser)
    except (AttributeError, ImportError, KeyError, TypeError):
        return None
