"""Server processes for the benchmarks: wait until one listens, stop it."""

from __future__ import annotations

import signal
import socket
import subprocess
import time


def wait_listening(process: subprocess.Popen[bytes], port: int, label: str) -> None:
    """Return once ``process`` accepts connections on ``port`` (SystemExit if it dies first)."""
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None:
            raise SystemExit(f'{label}: the server exited with status {process.returncode}')
        try:
            socket.create_connection(('127.0.0.1', port), timeout=0.5).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise SystemExit(f'{label} did not start within 30 s') from None
            time.sleep(0.05)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL if it has not exited after 15 s."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
