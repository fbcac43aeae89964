import socket
import subprocess
import sys

import pytest

from helpers import subprocess_env


def test_network_is_blocked_in_tests() -> None:
    with pytest.raises(OSError, match="blocked"):
        socket.create_connection(("example.com", 80), timeout=1)
    with pytest.raises(OSError, match="blocked"):
        socket.getaddrinfo("modelscope.cn", 443)


def test_network_is_blocked_in_subprocesses() -> None:
    code = "import socket; socket.create_connection(('93.184.216.34', 80), timeout=1)"
    run = subprocess.run(
        [sys.executable, "-c", code], env=subprocess_env(), capture_output=True, text=True
    )
    assert run.returncode != 0
    assert "network access blocked" in run.stderr


def test_loopback_stays_allowed() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.create_connection(server.getsockname(), timeout=1)
    client.close()
    server.close()
