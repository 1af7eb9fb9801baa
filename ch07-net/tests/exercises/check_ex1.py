"""Exercise 1: keep-alive. `serve` answers two requests sent one after the
other on one connection."""
import socket

from bootcamp.exercise import expect, uefi_script
from bootcamp.run import free_port

GUEST_PORT = 8080
REQUEST = b"GET / HTTP/1.1\r\nHost: guest\r\nConnection: keep-alive\r\n\r\n"


def test_two_requests_on_one_connection(chapter, boot, logdir):
    port = free_port()
    machine, text = uefi_script(chapter, boot, logdir, "net", [f"serve {GUEST_PORT}"],
                                until="listening on", network=True, hostfwd=((port, GUEST_PORT),))
    answers = b""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as conn:
        for _ in range(2):
            conn.sendall(REQUEST)
            for _ in range(100):                    # bounded: read until a response's end
                chunk = conn.recv(65536)
                answers += chunk
                if not chunk or answers.count(b"HTTP/1.1 200") >= 1 and b"\r\n\r\n" in answers:
                    break
    expect(answers.count(b"HTTP/1.1 200") >= 2, 1, "two 200 responses on one connection",
           answers.decode(errors="replace")[:2000])
