"""The WebSocket frames rbconfig writes itself are the ones wsproto would write."""

from __future__ import annotations

import pytest
from wsproto.frame_protocol import FrameProtocol

from rbconfig.runtime.socket.websocket import frame as server_frame

SIZES = [0, 1, 125, 126, 127, 65535, 65536, 300_000]


@pytest.mark.parametrize('size', SIZES)
def test_text_frames(size: int) -> None:
    text = ('é' * size)[: size // 2] + 'x' * (size - size // 2)
    assert server_frame(text) == FrameProtocol(client=False, extensions=[]).send_data(text, True)


@pytest.mark.parametrize('size', SIZES)
def test_binary_frames(size: int) -> None:
    data = (bytes(range(256)) * (size // 256 + 1))[:size]
    assert server_frame(data) == FrameProtocol(client=False, extensions=[]).send_data(data, True)
