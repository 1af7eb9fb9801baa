"""ch07: the guest's HTTP server and echo server, reached from the host through hostfwd.

QEMU's hostfwd accepts a host connection even before the guest listens, so
every test first waits for the guest's "listening on" line. A key typed on
the serial console stops a server and the prompt comes back. Each test starts
at the prompt from a snapshot (net_shell): the hostfwd ports are its own.
"""

import concurrent.futures
import http.client
import re
import socket

from conftest import ENTER, READY_LINE, clean, free_port
from bootcamp.snapshot import shown

HTTP_PORT = 8080                 # inside the guest
ECHO_PORT = 7007
SEQUENTIAL_REQUESTS = 100
CONCURRENT_CLIENTS = 8
ECHO_BODY_BYTES = 32 * 1024
CLIENT_TIMEOUT_S = 30            # host side: how long one request may take at most
STALLED_TIMEOUT_S = 60           # the guest drops a stalled client after 5 s (http_server.c)


def request(port: int, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=CLIENT_TIMEOUT_S)
    try:
        connection.request(method, path, body=body)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def raw_exchange(port: int, data: bytes) -> bytes:
    """Send raw bytes, read until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=CLIENT_TIMEOUT_S) as s:
        s.sendall(data)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
        return b"".join(chunks)


def back_at_the_prompt(machine) -> None:
    machine.wait_until(lambda: READY_LINE.search(shown(machine).rsplit("\n", 1)[-1]),
                       "the prompt after the server stopped", 30,
                       seen=lambda: shown(machine)[-2000:])


def test_http_server(net_shell):
    port = free_port()
    machine = net_shell(hostfwd=((port, HTTP_PORT),))
    machine.serial_write(f"serve {HTTP_PORT}" + ENTER)
    machine.wait_for(f"HTTP server listening on 10.0.2.15:{HTTP_PORT}", source="serial",
                     timeout=60)

    status, body = request(port, "GET", "/")
    page = body.decode()
    assert status == 200, page
    assert "firmware: EDK II" in page, page
    assert "address: 10.0.2.15/255.255.255.0" in page, page
    assert re.search(r"uptime: \d+ s", page), page

    status, body = request(port, "GET", "/cpuid")
    assert status == 200 and b"vendor: " in body, body
    assert re.search(rb"^00000000: eax=[0-9a-f]{8} ebx=", body, re.M), body

    status, body = request(port, "POST", "/echo", b"hello, firmware")
    assert (status, body) == (200, b"HELLO, FIRMWARE")

    assert request(port, "GET", "/no/such/page")[0] == 404
    assert raw_exchange(port, b"NONSENSE\r\n\r\n").startswith(b"HTTP/1.1 400 ")
    assert raw_exchange(port, b"GET / HTTP/1.1\r\nno colon here\r\n\r\n").startswith(
        b"HTTP/1.1 400 ")

    for i in range(SEQUENTIAL_REQUESTS):
        status, body = request(port, "GET", "/")
        assert status == 200, f"request {i}: {status} {body!r}"

    def echo(n: int) -> bytes:
        data = bytes(ord("a") + (n + i) % 26 for i in range(ECHO_BODY_BYTES))
        status, body = request(port, "POST", "/echo", data)
        assert status == 200, (n, status)
        return body == data.upper()

    with concurrent.futures.ThreadPoolExecutor(CONCURRENT_CLIENTS) as pool:
        results = list(pool.map(echo, range(CONCURRENT_CLIENTS)))
    assert all(results), results

    # A client that starts a request and stops: the others are still served,
    # and the stalled one gets 408 and is disconnected.
    with socket.create_connection(("127.0.0.1", port), timeout=STALLED_TIMEOUT_S) as stalled:
        stalled.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        for _ in range(5):
            assert request(port, "GET", "/")[0] == 200
        answer = b""
        while chunk := stalled.recv(4096):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 408 "), answer

    machine.serial_write(b"q")
    match = machine.wait_for(re.compile(r"HTTP server stopped after (\d+) requests"),
                             source="serial", timeout=30)
    # Whole requests only: the two malformed ones and the stalled one do not count.
    expected = 4 + SEQUENTIAL_REQUESTS + CONCURRENT_CLIENTS + 5
    assert int(match.group(1)) == expected, clean(machine.serial_output())[-2000:]
    back_at_the_prompt(machine)


def test_echo_server(net_shell):
    port = free_port()
    machine = net_shell(hostfwd=((port, ECHO_PORT),))
    machine.serial_write(f"echo-server {ECHO_PORT}" + ENTER)
    machine.wait_for(f"echo server listening on port {ECHO_PORT}", source="serial", timeout=60)
    with socket.create_connection(("127.0.0.1", port), timeout=CLIENT_TIMEOUT_S) as first, \
         socket.create_connection(("127.0.0.1", port), timeout=CLIENT_TIMEOUT_S) as second:
        for client, line in ((first, b"hello, firmware\n"), (second, b"second client\n"),
                             (first, b"Mixed Case 123\n")):
            client.sendall(line)
            got = b""
            while len(got) < len(line):
                chunk = client.recv(4096)
                assert chunk, f"the echo server closed the connection after {got!r}"
                got += chunk
            assert got == line.upper()
    machine.serial_write(b"q")
    machine.wait_for("echo server stopped", source="serial", timeout=30)
    back_at_the_prompt(machine)
