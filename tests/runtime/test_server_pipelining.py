"""Pipelined requests on the gevent server: each answered, in order, whatever follows it.

A client may send several requests in one packet. The server answers every
complete valid request before a bad one that came in the same read, then
answers the bad one and closes; an answer the app cannot give (a status or a
header the server cannot write) becomes a 500 and the requests behind it are
still answered. Raw bytes over a real socket to the in-process server
(tests/runtime/server_support.py).
"""

from __future__ import annotations

import logging
import socket

import pytest

from .server_support import (
    Lines,
    OneFile,
    problem_of,
    raw_exchange,
    read_response,
    threaded,
)

GET_A = b'GET /a HTTP/1.1\r\nHost: x\r\n\r\n'
GET_B = b'GET /b HTTP/1.1\r\nHost: x\r\n\r\n'


# -- a bad request after good ones in the same read ---------------------------------------------


@pytest.mark.parametrize(
    ('data', 'answers', 'status', 'detail'),
    [
        (GET_A + b'BAD\r\n\r\n', [b'hello'], 400, 'invalid method encountered'),
        (
            GET_A + GET_B + b'GET /' + b'a' * 17_000 + b' HTTP/1.1\r\nHost: x\r\n\r\n',
            [b'hello', b'hello'],
            414,
            'the request target is longer than 16384 bytes',
        ),
        (
            b'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcBAD\r\n\r\n',
            [b'abc'],
            400,
            'invalid method encountered',
        ),
        (  # the app never sees the POST, whose body is broken in the same read
            GET_A + b'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nz\r\n',
            [b'hello'],
            400,
            'a chunk size in the chunked body is not a hexadecimal number',
        ),
    ],
    ids=['bad-method', 'long-target', 'after-a-body', 'broken-body'],
)
def test_the_requests_before_a_bad_one_are_answered_first(
    data: bytes, answers: list[bytes], status: int, detail: str
) -> None:
    with threaded() as box, socket.create_connection(('127.0.0.1', box.port), timeout=10) as sock:
        sock.sendall(data)  # one packet: the parser fails in the same read as the good ones
        source = OneFile(sock)
        bodies = []
        for _ in answers:
            response = read_response(source)
            assert (response.status, response.getheader('Connection')) == (200, None)
            bodies.append(response.body)  # type: ignore[attr-defined]
        rest = source.read()  # the error's answer, then the server closes
        source.file.close()  # the socket closes only with it: the server lingers until then
    assert bodies == answers
    got, headers, problem = problem_of(rest)
    assert (got, headers['connection'], problem['detail']) == (status, 'close', detail)
    assert len(box.seen) == len(answers)


def test_a_bad_request_after_a_body_the_app_reads_is_answered_after_it() -> None:
    with threaded() as box, socket.create_connection(('127.0.0.1', box.port), timeout=10) as sock:
        sock.sendall(
            b'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n'
        )
        source = OneFile(sock)
        assert source.readline() == b'HTTP/1.1 100 Continue\r\n'  # the app is reading now
        assert source.readline() == b'\r\n'
        sock.sendall(b'abcBAD\r\n\r\n')  # the body, and a bad request in the same read
        response = read_response(source)
        rest = source.read()
        source.file.close()
    assert (response.status, response.body) == (200, b'abc')  # type: ignore[attr-defined]
    status, headers, problem = problem_of(rest)
    assert (status, headers['connection']) == (400, 'close')
    assert problem['detail'] == 'invalid method encountered'
    assert box.bodies == [b'abc']


def test_bytes_after_connection_close_are_ignored() -> None:
    # RFC 9112, section 9.6: nothing after a request with Connection: close is read.
    with threaded() as box:
        raw = raw_exchange(
            box.port, GET_A.replace(b'\r\n\r\n', b'\r\nConnection: close\r\n\r\n') + GET_B
        )
    assert raw.startswith(b'HTTP/1.1 200 OK\r\n'), raw
    assert b'\r\nConnection: close\r\n' in raw
    assert raw.endswith(b'\r\n\r\nhello'), raw  # one answer, then the close
    assert box.seen == [('GET', '/a')]


# -- answers the server cannot write -------------------------------------------------------------


@pytest.mark.parametrize(
    ('path', 'words'),
    [
        ('/header/crlf', "a line break in the header 'X-Bad'"),
        ('/header/latin', "a character outside Latin-1 in the header 'X-Bad'"),
        ('/header/stream', "a line break in the header 'X-Bad'"),
        ('/status/100', "an invalid status '100 Whatever'"),
        ('/status/101', "an invalid status '101 Whatever'"),
        ('/status/999', "an invalid status '999 Whatever'"),
    ],
)
def test_an_answer_that_cannot_be_written_is_a_500_and_the_next_request_is_answered(
    path: str, words: str, caplog: pytest.LogCaptureFixture
) -> None:
    log = Lines()
    caplog.set_level(logging.ERROR, logger='rbconfig.server')
    with threaded(log=log) as box:
        with socket.create_connection(('127.0.0.1', box.port), timeout=10) as sock:
            sock.sendall(f'GET {path} HTTP/1.1\r\nHost: x\r\n\r\n'.encode() + GET_B)
            source = OneFile(sock)
            first = read_response(source)
            second = read_response(source)  # written after the first's access-log line
    assert first.status == 500
    assert first.getheader('Content-Type') == 'application/problem+json'
    assert first.getheader('Connection') is None
    assert first.getheader('X-Bad') is None and first.getheader('X-Injected') is None
    assert b'Whatever' not in first.body and b'X-Bad' not in first.body  # type: ignore[attr-defined]
    if path.startswith('/header/'):
        assert first.getheader('X-Request-Id') == 'req-2'  # the app's log can still be found
    assert (second.status, second.body) == (200, b'hello')  # type: ignore[attr-defined]
    assert box.seen == [('GET', path), ('GET', '/b')]
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert errors[0].getMessage().startswith(f'the app answered GET {path} with {words}')
    assert errors[0].exc_info is None  # one line, no traceback
    assert f'"GET {path} HTTP/1.1" 500 ' in log.lines[0]
