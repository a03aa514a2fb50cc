"""HTTP/1.1 on the gevent server, byte for byte: framing, smuggling, time limits, limits.

The server runs in-process (tests/runtime/server_support.py); each test talks
raw bytes to it over a real socket. Time limits are set small, and the tests
wait for the server's answer or for it closing the connection, never for a
time of their own.
"""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import pytest

from rbconfig.runtime import build_app
from rbconfig.runtime.server import Timeouts

from .runtime_support import make_document
from .server_support import (
    Lines,
    OneFile,
    problem_of,
    raw_exchange,
    read_response,
    read_until_closed,
    threaded,
)

# -- request smuggling (issue 11.2) ------------------------------------------------------------

SMUGGLED = b'GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n'


@pytest.mark.parametrize(
    'coding_line',
    [
        b'Transfer-Encoding: identity, chunked',
        b'Transfer-Encoding: chunked, gzip',
        b'Transfer-Encoding: xchunked',
        b'Transfer-Encoding : chunked',
        b'Transfer-Encoding: chunked',
    ],
)
def test_content_length_with_transfer_encoding_is_refused_and_closed(coding_line: bytes) -> None:
    request = (
        b'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n'
        + coding_line
        + b'\r\n\r\n0\r\n\r\n'
        + SMUGGLED
    )
    with threaded() as box:
        raw = raw_exchange(box.port, request)
    status, headers, problem = problem_of(raw)  # one response, then the server closed
    assert status == 400
    assert headers['connection'] == 'close'
    assert headers['content-type'] == 'application/problem+json'
    assert problem['status'] == 400
    assert problem['title'] == 'Bad Request'
    assert box.seen == []  # neither the POST nor the smuggled GET reached the app


@pytest.mark.parametrize(
    ('coding', 'status', 'words'),
    [
        (b'chunked, gzip', 400, "must be 'chunked'"),
        (b'xchunked', 400, "must be 'chunked'"),
        (b'gzip, chunked', 501, "'gzip, chunked' is not supported"),
    ],
)
def test_transfer_encoding_not_ending_in_chunked_is_refused(
    coding: bytes, status: int, words: str
) -> None:
    request = (
        b'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: ' + coding + b'\r\n\r\n'
        b'0\r\n\r\n' + SMUGGLED
    )
    with threaded() as box:
        raw = raw_exchange(box.port, request)
    got, headers, problem = problem_of(raw)
    assert got == status
    assert headers['connection'] == 'close'
    assert words in problem['detail']
    assert box.seen == []


def test_a_space_before_the_colon_is_named_in_the_answer() -> None:
    request = b'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n'
    with threaded() as box:
        _, _, problem = problem_of(raw_exchange(box.port, request))
    assert problem['detail'] == (
        'a header name has a character not allowed in it (a space before the colon?)'
    )


def test_a_bad_chunk_size_is_said_in_the_clients_terms() -> None:
    request = b'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nz\r\nabc\r\n'
    with threaded() as box:
        status, headers, problem = problem_of(raw_exchange(box.port, request))
    assert status == 400
    assert headers['connection'] == 'close'
    assert problem['detail'] == 'a chunk size in the chunked body is not a hexadecimal number'


def test_a_bad_chunk_size_found_while_the_app_reads_is_said_in_the_clients_terms() -> None:
    with threaded() as box, socket.create_connection(('127.0.0.1', box.port), timeout=10) as sock:
        sock.sendall(
            b'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n'
            b'Expect: 100-continue\r\n\r\n'
        )
        with sock.makefile('rb') as file:
            assert file.readline() == b'HTTP/1.1 100 Continue\r\n'  # the app is reading now
            assert file.readline() == b'\r\n'
            sock.sendall(b'z\r\nabc\r\n')
            raw = file.read()
    status, headers, problem = problem_of(raw)
    assert (status, headers['connection']) == (400, 'close')
    assert problem['detail'] == 'a chunk size in the chunked body is not a hexadecimal number'
    assert box.seen == [('POST', '/echo')]
    assert box.bodies == []


def test_a_huge_content_length_is_said_in_the_clients_terms() -> None:
    request = b'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: ' + b'9' * 5000 + b'\r\n\r\n'
    with threaded() as box:
        status, _, problem = problem_of(raw_exchange(box.port, request))
    assert status == 400
    assert problem['detail'] == 'Content-Length is too large'
    assert 'sys.' not in problem['detail']


# -- framing that works ------------------------------------------------------------------------


def test_a_chunked_body_reaches_the_app_decoded() -> None:
    request = (
        b'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n'
        b'5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n'
    )
    with threaded() as box, socket.create_connection(('127.0.0.1', box.port), timeout=10) as sock:
        sock.sendall(request)
        response = read_response(OneFile(sock))
    assert response.status == 200
    assert response.body == b'hello world'  # type: ignore[attr-defined]
    assert box.bodies == [b'hello world']


def test_pipelined_requests_are_answered_in_order() -> None:
    request = b''.join(
        f'GET /{name} HTTP/1.1\r\nHost: x\r\n\r\n'.encode() for name in ('a', 'missing', 'c')
    )
    with threaded() as box, socket.create_connection(('127.0.0.1', box.port), timeout=10) as sock:
        sock.sendall(request)
        source = OneFile(sock)
        statuses = [read_response(source).status for _ in range(3)]
    assert statuses == [200, 404, 200]
    assert box.seen == [('GET', '/a'), ('GET', '/missing'), ('GET', '/c')]


def test_a_streamed_response_is_chunked() -> None:
    with threaded() as box, socket.create_connection(('127.0.0.1', box.port), timeout=10) as sock:
        sock.sendall(b'GET /stream HTTP/1.1\r\nHost: x\r\n\r\n')
        response = read_response(OneFile(sock))
    assert response.getheader('Transfer-Encoding') == 'chunked'
    assert response.body == b'hello'  # type: ignore[attr-defined]


def test_head_has_the_length_and_no_body() -> None:
    with threaded() as box, socket.create_connection(('127.0.0.1', box.port), timeout=10) as sock:
        sock.sendall(b'HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n')
        source = OneFile(sock)
        head = read_response(source, 'HEAD')
        get = read_response(source)
    assert head.getheader('Content-Length') == '5'
    assert head.body == b''  # type: ignore[attr-defined]
    assert get.body == b'hello'  # type: ignore[attr-defined]


def test_head_of_a_streamed_response_claims_no_length(tmp_path: Path) -> None:
    # GET /s is chunked, of no known length: HEAD must not say Content-Length: 0.
    module = 'def stream(req, resp):\n    resp.stream = iter([b"a", b"bc"])\n'
    spec = {'paths': {'s': {'url': '/s', 'use': 'python:streammod.stream'}}}
    app = build_app(make_document(tmp_path, spec, {'streammod.py': module}))
    with (
        threaded(app=app) as box,
        socket.create_connection(('127.0.0.1', box.port), timeout=10) as sock,
    ):
        sock.sendall(b'HEAD /s HTTP/1.1\r\nHost: x\r\n\r\nGET /s HTTP/1.1\r\nHost: x\r\n\r\n')
        source = OneFile(sock)
        head = read_response(source, 'HEAD')
        get = read_response(source)
    assert head.status == 200 and head.getheader('Content-Length') is None
    assert get.getheader('Transfer-Encoding') == 'chunked' and get.body == b'abc'  # type: ignore[attr-defined]


def test_expect_100_continue_is_answered_before_the_body_is_sent() -> None:
    with threaded() as box, socket.create_connection(('127.0.0.1', box.port), timeout=10) as sock:
        sock.sendall(
            b'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n'
        )
        with sock.makefile('rb') as file:
            assert file.readline() == b'HTTP/1.1 100 Continue\r\n'
            assert file.readline() == b'\r\n'
            sock.sendall(b'hello')
            assert file.readline() == b'HTTP/1.1 200 OK\r\n'
    assert box.bodies == [b'hello']


def test_a_request_without_host_is_refused() -> None:
    with threaded() as box:
        status, headers, problem = problem_of(raw_exchange(box.port, b'GET / HTTP/1.1\r\n\r\n'))
    assert (status, headers['connection']) == (400, 'close')
    assert problem['detail'] == 'an HTTP/1.1 request must have a Host header'


def test_too_many_header_bytes_get_431_and_a_too_long_line_414() -> None:
    big = b'X-Big: ' + b'a' * 70_000 + b'\r\n'
    with threaded() as box:
        headers_status, _, _ = problem_of(
            raw_exchange(box.port, b'GET / HTTP/1.1\r\nHost: x\r\n' + big + b'\r\n')
        )
        line_status, _, _ = problem_of(
            raw_exchange(box.port, b'GET /' + b'a' * 20_000 + b' HTTP/1.1\r\nHost: x\r\n\r\n')
        )
    assert (headers_status, line_status) == (431, 414)
    assert box.seen == []


# -- Connection: close whenever the server closes (issues 11.10 and 12) --------------------------


@pytest.mark.parametrize(
    ('request_bytes', 'expected'),
    [
        (b'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 'close'),
        (b'GET / HTTP/1.0\r\n\r\n', 'close'),
        (b'GET /stream HTTP/1.0\r\n\r\n', 'close'),  # no length: the close ends the body
    ],
)
def test_connection_close_is_said_when_the_server_closes(
    request_bytes: bytes, expected: str
) -> None:
    with threaded() as box:
        raw = raw_exchange(box.port, request_bytes)  # returns only once the server closed
    head = raw.partition(b'\r\n\r\n')[0].decode().lower()
    assert f'connection: {expected}' in head, raw
    assert raw.endswith(b'hello'), raw


def test_http_1_0_keep_alive_is_kept_and_said() -> None:
    with threaded() as box, socket.create_connection(('127.0.0.1', box.port), timeout=10) as sock:
        source = OneFile(sock)
        for _ in range(2):
            sock.sendall(b'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n')
            response = read_response(source)
            assert response.getheader('Connection') == 'keep-alive'
    assert len(box.seen) == 2


def test_after_a_413_the_connection_closes_instead_of_reading_the_body() -> None:
    declared = 50 * 1024 * 1024
    with threaded() as box, socket.create_connection(('127.0.0.1', box.port), timeout=10) as sock:
        sock.sendall(
            f'POST /too-large HTTP/1.1\r\nHost: x\r\nContent-Length: {declared}\r\n\r\n'.encode()
            + b'x' * 1000
        )
        raw = read_until_closed(sock)  # the server closes without waiting for 50 MB
    assert raw.startswith(b'HTTP/1.1 413 ')
    assert b'\r\nConnection: close\r\n' in raw


@pytest.mark.parametrize(
    'expect',
    [
        b'',
        # The client sent its body without waiting for the 100 (RFC 9110 10.1.1 lets it):
        # the body is there, so it is dropped as any other and the connection kept.
        b'Expect: 100-continue\r\n',
    ],
)
def test_a_small_unread_body_is_dropped_and_the_connection_kept(expect: bytes) -> None:
    with threaded() as box, socket.create_connection(('127.0.0.1', box.port), timeout=10) as sock:
        sock.sendall(
            b'POST /too-large HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n'
            + expect
            + b'\r\n0123456789GET /after HTTP/1.1\r\nHost: x\r\n\r\n'
        )
        source = OneFile(sock)
        first = read_response(source)
        second = read_response(source)
    assert (first.status, first.getheader('Connection')) == (413, None)
    assert second.status == 200
    assert box.seen == [('POST', '/too-large'), ('GET', '/after')]


# -- time limits (issue 11.10) -------------------------------------------------------------------


def test_headers_that_do_not_arrive_in_time_get_408_and_a_close() -> None:
    with threaded(timeouts=Timeouts(header=0.3, idle=30)) as box:
        with socket.create_connection(('127.0.0.1', box.port), timeout=10) as sock:
            sock.sendall(b'GET / HTTP/1.1\r\nHost: x\r\n')  # ... and never the blank line
            raw = read_until_closed(sock)
    status, headers, problem = problem_of(raw)
    assert (status, headers['connection']) == (408, 'close')
    assert problem['detail'] == 'the request headers did not arrive within 0.3 s'
    assert box.seen == []


def test_trickled_headers_do_not_extend_the_deadline() -> None:
    with threaded(timeouts=Timeouts(header=0.5, idle=30)) as box:
        with socket.create_connection(('127.0.0.1', box.port), timeout=10) as sock:
            sock.sendall(b'GET / HTTP/1.1\r\n')
            received = b''
            # One header line each time, until the server answers: each comes well
            # within the idle limit, but the whole head is late.
            sock.settimeout(0.1)
            for index in range(200):
                sock.sendall(f'X-{index}: a\r\n'.encode())
                try:
                    received = sock.recv(65536)
                except TimeoutError:
                    continue
                break
            sock.settimeout(10)
            raw = received + read_until_closed(sock)
    assert raw.startswith(b'HTTP/1.1 408 '), raw


def test_an_idle_keep_alive_connection_is_closed_quietly() -> None:
    with threaded(timeouts=Timeouts(header=30, idle=0.3)) as box:
        with socket.create_connection(('127.0.0.1', box.port), timeout=10) as sock:
            sock.sendall(b'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
            raw = read_until_closed(sock)  # the answer, then the close when idle
    assert raw.startswith(b'HTTP/1.1 200 OK\r\n')
    assert raw.endswith(b'\r\n\r\nhello')  # nothing after the answer: no 408 on an idle close


def test_a_stalled_body_ends_the_request() -> None:
    with threaded(timeouts=Timeouts(header=30, idle=0.3)) as box:
        with socket.create_connection(('127.0.0.1', box.port), timeout=10) as sock:
            sock.sendall(b'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc')
            raw = read_until_closed(sock)
    status, headers, problem = problem_of(raw)
    assert (status, headers['connection']) == (400, 'close')
    assert problem['detail'] == 'the client sent nothing more for 0.3 s'


def test_a_half_closed_body_gets_an_answer_that_says_close() -> None:
    with threaded() as box, socket.create_connection(('127.0.0.1', box.port), timeout=10) as sock:
        sock.sendall(b'POST /echo-or-400 HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc')
        sock.shutdown(socket.SHUT_WR)  # ... and the client is done sending
        raw = read_until_closed(sock)
    assert raw.startswith(b'HTTP/1.1 400 '), raw
    assert b'\r\nConnection: close\r\n' in raw  # the app answered; the server closes
    assert raw.endswith(b'the client closed the connection before the end of the body')


def test_a_stalled_body_answered_by_the_app_says_close() -> None:
    with threaded(timeouts=Timeouts(header=30, idle=0.3)) as box:
        with socket.create_connection(('127.0.0.1', box.port), timeout=10) as sock:
            sock.sendall(b'POST /echo-or-400 HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc')
            raw = read_until_closed(sock)
    assert raw.startswith(b'HTTP/1.1 400 '), raw
    assert b'\r\nConnection: close\r\n' in raw
    assert raw.endswith(b'the client sent nothing more for 0.3 s')


# -- Expect ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(('path', 'status'), [('/missing', 404), ('/too-large', 413)])
def test_an_answer_before_an_expected_body_closes_without_a_100(path: str, status: int) -> None:
    # RFC 9110, section 10.1.1: the client was not told to send its body, and may or may
    # not send it; a 100 after the answer would be read as the next request's.
    request = (
        f'POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nExpect: 100-continue\r\n\r\n'
    ).encode()
    with threaded() as box:
        raw = raw_exchange(box.port, request)
    assert raw.startswith(f'HTTP/1.1 {status} '.encode()), raw
    assert b'\r\nConnection: close\r\n' in raw
    assert b'100 Continue' not in raw
    assert raw.endswith(b'\r\n\r\n')  # one answer (without a body), then the close


def test_an_unknown_expectation_gets_417() -> None:
    request = b'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 200-ok\r\n\r\n'
    with threaded() as box:
        status, headers, problem = problem_of(raw_exchange(box.port, request))
    assert (status, headers['connection']) == (417, 'close')
    assert problem['title'] == 'Expectation Failed'
    assert problem['detail'] == 'the only expectation supported is Expect: 100-continue'
    assert box.seen == []  # the server did not wait for the body


# -- targets and headers refused before the app ---------------------------------------------------


@pytest.mark.parametrize(
    ('line', 'detail'),
    [
        (b'CONNECT example.com:443 HTTP/1.1', 'CONNECT is for proxies; this server is not one'),
        (b'GET http:// HTTP/1.1', 'the request target is not a valid URL'),
        (b'GET http://[::1/x HTTP/1.1', 'the request target is not a valid URL'),
        (b'GET http://u:p@h:99999/x HTTP/1.1', 'the request target is not a valid URL'),
    ],
)
def test_a_target_that_is_not_a_path_here_gets_400(
    line: bytes, detail: str, caplog: pytest.LogCaptureFixture
) -> None:
    log = Lines()
    with threaded(log=log) as box:
        raw = raw_exchange(box.port, line + b'\r\nHost: example.com:443\r\n\r\n')
    status, headers, problem = problem_of(raw)
    assert (status, headers['connection'], problem['detail']) == (400, 'close', detail)
    assert box.seen == []
    assert [record for record in caplog.records if record.levelno >= logging.ERROR] == []
    assert len(log.lines) == 1 and '" 400 ' in log.lines[0] and f'({detail})' in log.lines[0]


def test_two_host_headers_are_refused() -> None:
    request = b'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'
    with threaded() as box:
        status, headers, problem = problem_of(raw_exchange(box.port, request))
    assert (status, headers['connection']) == (400, 'close')
    assert problem['detail'] == 'Host is given more than once'
    assert box.seen == []
