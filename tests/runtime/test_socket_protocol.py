"""Socket.IO conformance: rbconfig answers as the reference (Node) server does.

Each test is one behaviour the official protocol test suite checks
(socketio/socket.io-protocol, test-suite/; docs/sockets.md, "Conformance"),
driven here by a raw HTTP and WebSocket client against
``socket_specs/protocol.yaml``, the suite's reference server as a spec
(ping interval 0.3 s, ping timeout 0.2 s, connect timeout 1 s). The official
suite itself is run by ``scripts/protocol-suite`` (it lives outside the repository).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import websocket  # websocket-client

from tests.helpers.server import Server, start_server

SPECS = Path(__file__).resolve().parent / 'socket_specs'


@pytest.fixture(scope='module')
def server() -> Iterator[Server]:
    with start_server(SPECS / 'protocol.yaml') as running:
        yield running


def request(
    server: Server, method: str, query: str, body: bytes | None = None
) -> tuple[int, str, dict[str, str]]:
    """(status, body, headers) of one request under /socket.io/."""
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        conn.request(method, f'/socket.io/?{query}', body=body)
        response = conn.getresponse()
        return response.status, response.read().decode(), dict(response.getheaders())
    finally:
        conn.close()


def open_polling(server: Server) -> tuple[str, dict[str, object]]:
    status, body, _ = request(server, 'GET', 'EIO=4&transport=polling')
    assert status == 200 and body.startswith('0')
    handshake = json.loads(body[1:])
    return str(handshake['sid']), handshake


def ws_connect(server: Server, query: str = 'EIO=4&transport=websocket') -> websocket.WebSocket:
    url = f'ws://{server.host}:{server.port}/socket.io/?{query}'
    return websocket.create_connection(url, timeout=10, suppress_origin=True)


def closed(conn: websocket.WebSocket, answer_pings: bool = False) -> bool:
    """True once the server closes ``conn`` (what it sends before is read and dropped)."""
    try:
        while True:
            opcode, data = conn.recv_data()
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                return True
            if answer_pings and data == b'2':
                conn.send('3')
    except (websocket.WebSocketConnectionClosedException, ConnectionError):
        return True


def test_the_handshake_announces_sub_second_settings_exactly(server: Server) -> None:
    _, handshake = open_polling(server)
    assert handshake['pingInterval'] == 300  # python-engineio announced int(0.3) * 1000 = 0
    assert handshake['pingTimeout'] == 200
    assert handshake['maxPayload'] == 1000000
    assert handshake['upgrades'] == ['websocket']
    conn = ws_connect(server)
    try:
        over_websocket = json.loads(conn.recv()[1:])
    finally:
        conn.close()
    assert over_websocket['pingInterval'] == 300
    assert over_websocket['upgrades'] == []


@pytest.mark.parametrize(
    ('method', 'query', 'code'),
    [
        ('GET', 'EIO=4', 0),  # no transport: python-engineio took it as polling
        ('GET', 'EIO=4&transport=abc', 0),
        ('GET', 'transport=polling', 5),
        ('GET', 'EIO=abc&transport=polling', 5),
        ('GET', 'EIO=3&transport=polling', 5),
        ('POST', 'EIO=4&transport=polling', 2),  # a handshake is a GET
        ('PUT', 'EIO=4&transport=polling', 2),  # python-engineio: 405
        ('GET', 'EIO=4&transport=polling&sid=nobody', 1),
    ],
)
def test_bad_requests_get_400_with_the_reference_error(
    server: Server, method: str, query: str, code: int
) -> None:
    status, body, _ = request(server, method, query)
    assert status == 400
    assert json.loads(body)['code'] == code


def test_put_on_a_session_gets_400(server: Server) -> None:
    sid, _ = open_polling(server)
    assert request(server, 'PUT', f'EIO=4&transport=polling&sid={sid}')[0] == 400


def test_a_bad_eio_with_a_session_gets_400(server: Server) -> None:
    sid, _ = open_polling(server)
    assert request(server, 'GET', f'EIO=3&transport=polling&sid={sid}')[0] == 400


def test_a_poll_after_the_ping_timeout_gets_400(server: Server) -> None:
    sid, _ = open_polling(server)
    query = f'EIO=4&transport=polling&sid={sid}'
    assert request(server, 'GET', query)[1] == '2'  # the ping; never answered
    # This poll waits for the timeout: the session is closed, the poll told so.
    assert request(server, 'GET', query)[1] == '1'
    assert request(server, 'GET', query)[0] == 400


def test_a_forced_close_answers_the_pending_poll_with_a_noop(server: Server) -> None:
    sid, _ = open_polling(server)
    query = f'EIO=4&transport=polling&sid={sid}'
    answers: list[tuple[int, str, dict[str, str]]] = []
    poll = threading.Thread(target=lambda: answers.append(request(server, 'GET', query)))
    poll.start()
    assert request(server, 'POST', query, b'1')[:2] == (200, 'ok')
    poll.join(10)
    assert answers and answers[0][:2] == (200, '6')
    assert request(server, 'GET', query)[0] == 400


def test_a_payload_of_many_packets_is_answered_whole_and_in_order(server: Server) -> None:
    # The server lets others run every 100 packets of a payload: nothing is lost or reordered.
    sid, _ = open_polling(server)
    query = f'EIO=4&transport=polling&sid={sid}'
    assert request(server, 'POST', query, b'40')[:2] == (200, 'ok')
    events = '\x1e'.join(f'42["message",{number}]' for number in range(1000))
    assert request(server, 'POST', query, events.encode())[:2] == (200, 'ok')
    received: list[str] = []
    for _ in range(200):  # polls; the CONNECT ack, the auth emit, then the answers
        status, body, _ = request(server, 'GET', query)
        assert status == 200
        parts = body.split('\x1e')
        if '2' in parts:  # a ping (every 0.3 s here): answered, or the session ends
            assert request(server, 'POST', query, b'3')[:2] == (200, 'ok')
        received += [part for part in parts if part not in ('2', '6')]
        if len(received) >= 1002:
            break
    answers = [part for part in received if part.startswith('42["message-back"')]
    assert answers == [f'42["message-back",{number}]' for number in range(1000)]


def upgraded(server: Server) -> tuple[str, websocket.WebSocket]:
    sid, _ = open_polling(server)
    conn = ws_connect(server, f'EIO=4&transport=websocket&sid={sid}')
    conn.send('2probe')
    assert conn.recv() == '3probe'
    conn.send('5')
    return sid, conn


def test_polling_after_the_upgrade_is_refused(server: Server) -> None:
    sid, conn = upgraded(server)
    try:
        conn.send('40')  # answered over the WebSocket: the upgrade is done
        assert conn.recv().startswith('40{')
        assert request(server, 'GET', f'EIO=4&transport=polling&sid={sid}')[0] == 400
    finally:
        conn.close()


def test_a_second_websocket_after_the_upgrade_is_closed(server: Server) -> None:
    sid, conn = upgraded(server)
    try:
        conn.send('40')
        assert conn.recv().startswith('40{')
        second = ws_connect(server, f'EIO=4&transport=websocket&sid={sid}')
        assert closed(second)
        conn.send('42["message","still here"]')
        assert conn.recv() == '42["auth",{}]'
        assert conn.recv() == '42["message-back","still here"]'
    finally:
        conn.close()


def connected(server: Server, packet: str = '40') -> websocket.WebSocket:
    conn = ws_connect(server)
    assert conn.recv().startswith('0{')
    conn.send(packet)
    return conn


@pytest.mark.parametrize(
    ('packet', 'ack', 'auth'),
    [
        ('40', '40{', '42["auth",{}]'),  # {} when the client sent none (was null)
        ('40{"token":"123"}', '40{', '42["auth",{"token":"123"}]'),
        ('40/custom,', '40/custom,{', '42/custom,["auth",{}]'),
        ('40/custom,{"token":"abc"}', '40/custom,{', '42/custom,["auth",{"token":"abc"}]'),
    ],
)
def test_the_connect_ack_comes_before_what_the_connect_handler_emits(
    server: Server, packet: str, ack: str, auth: str
) -> None:
    conn = connected(server, packet)
    try:
        first = conn.recv()
        assert first.startswith(ack)  # python-socketio sent the handler's emit first
        assert set(json.loads(first[len(ack) - 1 :])) == {'sid'}
        assert conn.recv() == auth
    finally:
        conn.close()


def test_an_unknown_namespace_is_refused_as_the_reference_does(server: Server) -> None:
    conn = connected(server, '40/random')
    try:
        assert conn.recv() == '44/random,{"message":"Invalid namespace"}'
    finally:
        conn.close()


@pytest.mark.parametrize(
    'packet',
    [
        '4abc',
        '42{}',
        '42abc["message-with-ack",1]',
        # What the reference's parser refuses too: an event named with an object, or with
        # a reserved name (python-socketio ran the connect handler with the client's data
        # as environ and auth), and a CONNECT whose auth is not an object.
        '42[{"a":1}]',
        '42[["message"]]',
        '42["connect",{"REMOTE_ADDR":"10.9.9.9"},{"name":"admin"}]',
        '42["disconnect","x"]',
        '42["connect_error"]',
        '40/custom,"text"',
        '40/custom,[1]',
        # More binary attachments than the reference's parser takes (10).
        '4511-["message",{"_placeholder":true,"num":0}]',
    ],
)
def test_a_packet_socketio_cannot_read_closes_the_connection(server: Server, packet: str) -> None:
    conn = connected(server)
    try:
        assert conn.recv().startswith('40{')
        assert conn.recv() == '42["auth",{}]'
        conn.send(packet)
        assert closed(conn, answer_pings=True)
    finally:
        conn.close()


def test_a_reserved_event_name_never_reaches_the_connect_handler(server: Server) -> None:
    conn = connected(server)
    try:
        assert conn.recv().startswith('40{')
        assert conn.recv() == '42["auth",{}]'
        conn.send('42["connect",{"REMOTE_ADDR":"10.9.9.9"},{"name":"admin"}]')
        after: list[bytes] = []
        with contextlib.suppress(websocket.WebSocketConnectionClosedException, ConnectionError):
            while (frame := conn.recv_data())[0] != websocket.ABNF.OPCODE_CLOSE:
                after.append(frame[1])
        assert not any(b'auth' in data for data in after)  # the handler did not run again
    finally:
        conn.close()


def test_binary_attachments_count_against_max_message_together(server: Server) -> None:
    # Each attachment under the limit (1,000,000 bytes), the three over it together.
    conn = connected(server)
    try:
        assert conn.recv().startswith('40{')
        assert conn.recv() == '42["auth",{}]'
        placeholders = ','.join(f'{{"_placeholder":true,"num":{num}}}' for num in range(3))
        conn.send(f'453-["message",{placeholders}]')
        conn.send_binary(b'x' * 400_000)
        conn.send_binary(b'x' * 400_000)
        conn.send_binary(b'x' * 400_000)
        assert closed(conn, answer_pings=True)
    finally:
        conn.close()


def test_a_binary_event_within_max_message_is_delivered(server: Server) -> None:
    conn = connected(server)
    try:
        assert conn.recv().startswith('40{')
        assert conn.recv() == '42["auth",{}]'
        conn.send('452-["message",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]')
        conn.send_binary(b'a' * 400_000)
        conn.send_binary(b'b' * 400_000)
        header = conn.recv()
        assert header.startswith('452-["message-back"')
        assert {len(conn.recv()), len(conn.recv())} == {400_000}
    finally:
        conn.close()


def test_a_second_connect_to_a_namespace_is_refused_with_an_object(server: Server) -> None:
    conn = connected(server)
    try:
        assert conn.recv().startswith('40{')
        assert conn.recv() == '42["auth",{}]'
        conn.send('40')
        assert conn.recv() == '44{"message":"Unable to connect"}'  # was the bare string
    finally:
        conn.close()


def test_a_client_that_never_connects_to_a_namespace_is_dropped(server: Server) -> None:
    """connect_timeout (1 s here): pings answered, but no CONNECT packet."""
    conn = ws_connect(server)
    try:
        assert conn.recv().startswith('0{')
        assert closed(conn, answer_pings=True)
    finally:
        conn.close()


def test_the_heartbeat_keeps_a_connected_client(server: Server) -> None:
    conn = connected(server)
    try:
        assert conn.recv().startswith('40{')
        assert conn.recv() == '42["auth",{}]'
        for _ in range(3):  # three pings answered: past the connect timeout, still there
            assert conn.recv() == '2'
            conn.send('3')
        conn.send('42456["message-with-ack",1,"2",{"3":[false]}]')
        assert conn.recv() == '43456[1,"2",{"3":[false]}]'
    finally:
        conn.close()


def test_responses_that_end_the_connection_say_so(server: Server) -> None:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        conn.request('GET', '/socket.io/?EIO=4&transport=polling', headers={'Connection': 'close'})
        response = conn.getresponse()
        response.read()
        assert response.getheader('Connection') == 'close'
    finally:
        conn.close()


def test_a_flood_on_one_websocket_does_not_hold_up_the_others(server: Server) -> None:
    # The server lets others run every 100 messages read off one WebSocket: another
    # client's message, sent after a flood of 5,000, is answered long before the flood is.
    flooder, other = connected(server), connected(server)
    try:
        for conn in (flooder, other):
            assert conn.recv().startswith('40{')
            assert conn.recv() == '42["auth",{}]'
        count = 5000
        frames = [
            websocket.ABNF.create_frame(f'42["message",{number}]', websocket.ABNF.OPCODE_TEXT)
            for number in range(count)
        ]
        flooder.sock.sendall(b''.join(frame.format() for frame in frames))
        other.send('42["message","other"]')
        assert other.recv() == '42["message-back","other"]'
        # The flooder's answers written by then: a few hundred, not all (they were, first).
        data = flooder.sock.recv(1 << 22)  # the frames as they are, whatever is there
        assert data.count(b'message-back') < count // 2
        while data.count(b'message-back') < count:  # nothing lost: the rest follows
            more = flooder.sock.recv(1 << 22)
            assert more
            data += more
        assert data.count(b'message-back') == count
    finally:
        flooder.close()
        other.close()
