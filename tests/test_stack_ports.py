"""`kortisto up` right after a stop: ports whose connections wait out TIME-WAIT are free,
ports another process listens on are not."""

import socket

from kortisto.stack import _busy_ports
from tests.live import free_port


def test_a_port_in_time_wait_is_free_and_a_listening_one_is_busy() -> None:
    port = free_port()
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen()
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = server.accept()
    assert _busy_ports([port]) == [port]
    accepted.close()  # the server closes first: its side of the connection is in TIME-WAIT
    client.close()
    server.close()
    assert _busy_ports([port]) == []
