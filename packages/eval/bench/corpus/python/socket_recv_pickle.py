# label: vulnerable CWE-502
import pickle
import socketserver


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        """Receive a pickled task from a client and run it."""
        data = self.rfile.read()
        task = pickle.loads(data)
        result = task["func"](*task.get("args", []))
        self.wfile.write(repr(result).encode())


if __name__ == "__main__":
    with socketserver.TCPServer(("127.0.0.1", 9999), Handler) as server:
        server.serve_forever()
