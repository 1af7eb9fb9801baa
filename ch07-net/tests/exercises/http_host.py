"""A small HTTP server on 127.0.0.1 for the exercise checks: it serves
/hello.txt and records every request's method, path and headers."""
import http.server
import threading

HELLO = b"hello from the host\n"


class Recorder(http.server.BaseHTTPRequestHandler):
    requests: list = []

    def _record(self, body: bytes = b"") -> None:
        self.requests.append((self.command, self.path, dict(self.headers), body))

    def do_GET(self):
        self._record()
        self.send_response(200 if self.path == "/hello.txt" else 404)
        self.send_header("Content-Length", str(len(HELLO)))
        self.end_headers()
        self.wfile.write(HELLO)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        self._record(self.rfile.read(length))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def serve():
    """Start the server; returns (server, port). Call server.shutdown() after."""
    Recorder.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]
