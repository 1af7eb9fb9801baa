"""Exercise 1: keep-alive. `serve` answers two requests sent one after the
other on one connection (HTTP/1.1 keeps a connection open unless a side says
`Connection: close`)."""
import re
import socket

from bootcamp.exercise import expect, uefi_script
from bootcamp.run import free_port

GUEST_PORT = 8080
REQUEST = b"GET / HTTP/1.1\r\nHost: guest\r\n\r\n"
CLIENT_TIMEOUT_S = 20
MAX_READS = 200                     # bounded: a response is a few reads at most
CONTENT_LENGTH = re.compile(rb"^content-length:\s*(\d+)\s*$", re.I | re.M)


def read_response(conn: socket.socket) -> bytes:
    """One whole response (head, then Content-Length bytes of body), or what
    came before the server closed the connection."""
    data = b""
    for _ in range(MAX_READS):
        head_end = data.find(b"\r\n\r\n")
        if head_end >= 0:
            length = CONTENT_LENGTH.search(data[:head_end])
            if length and len(data) >= head_end + 4 + int(length.group(1)):
                return data
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    return data


def test_two_requests_on_one_connection(chapter, boot, logdir):
    port = free_port()
    uefi_script(chapter, boot, logdir, "net", [f"serve {GUEST_PORT}"],
                until="listening on", network=True, hostfwd=((port, GUEST_PORT),))
    answers = []
    with socket.create_connection(("127.0.0.1", port), timeout=CLIENT_TIMEOUT_S) as conn:
        for _ in range(2):
            try:
                conn.sendall(REQUEST)
                answers.append(read_response(conn))
            except OSError as error:        # the server closed (reset) the connection
                answers.append(f"({error})".encode())
                break
    seen = "\n---\n".join(a.decode(errors="replace") for a in answers)
    expect(len(answers) == 2 and all(a.startswith(b"HTTP/1.1 200") for a in answers), 1,
           "two 200 responses on one connection", seen)
