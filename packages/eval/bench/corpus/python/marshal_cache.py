# label: vulnerable CWE-502
import marshal
import socket


def receive_job(sock: socket.socket):
    """Read one serialised job from a worker connection."""
    size = int.from_bytes(sock.recv(4), "big")
    payload = sock.recv(size)
    return marshal.loads(payload)
