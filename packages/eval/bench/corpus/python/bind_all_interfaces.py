# label: vulnerable CWE-1327
import socket


def serve(port: int = 9000) -> None:
    """A tiny echo server for the admin console."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("0.0.0.0", port))
    s.listen(5)
    while True:
        conn, _ = s.accept()
        with conn:
            data = conn.recv(1024)
            conn.sendall(data)
