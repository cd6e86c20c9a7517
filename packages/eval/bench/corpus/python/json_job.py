# label: clean CWE-502
import json
import socket


def receive_job(sock: socket.socket) -> dict:
    """Read one JSON job from a worker connection."""
    size = int.from_bytes(sock.recv(4), "big")
    if size > 1 << 20:
        raise ValueError("job too large")
    return json.loads(sock.recv(size).decode("utf-8"))
