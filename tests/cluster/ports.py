"""Loopback ports and waiting for processes to come up or go away (the concurrency harness's
own helpers, and whether a port refuses connections)."""

import socket

from tests.concurrency.harness import free_port, wait_until

__all__ = ["free_port", "refuses_connections", "wait_until"]


def refuses_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return True
    return False
