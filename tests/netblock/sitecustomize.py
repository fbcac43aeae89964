"""Loaded by Python at start-up when this folder is on PYTHONPATH: the process may not reach the
network, except the loopback interface (the tests' own local servers). Used for subprocess tests.

With MAJICFLUX_NETLOG=<file>, every attempt (loopback too) is also appended to that file: a test
can then prove that a run tried no connection at all, even one a library caught and hid."""

import os
import socket

_ALLOWED_HOSTS = {"127.0.0.1", "::1", "localhost"}
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


class NetworkBlocked(OSError):
    pass


def _record(address):
    log = os.environ.get("MAJICFLUX_NETLOG")
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"{address!r}\n")


def _check(address):
    _record(address)
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and host not in _ALLOWED_HOSTS and not host.startswith("/"):
        raise NetworkBlocked(f"network access blocked in tests: {address!r}")


def _connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _check(address)
    return _real_connect(self, address)


def _connect_ex(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _check(address)
    return _real_connect_ex(self, address)


def _getaddrinfo(host, *args, **kwargs):
    if host is not None:
        _check((host if isinstance(host, str) else host.decode(), 0))
    return _real_getaddrinfo(host, *args, **kwargs)


socket.socket.connect = _connect
socket.socket.connect_ex = _connect_ex
socket.getaddrinfo = _getaddrinfo
