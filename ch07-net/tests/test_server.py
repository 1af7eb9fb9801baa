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
import subprocess

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


def status_of(answer: bytes) -> int:
    match = re.match(rb"HTTP/1\.1 (\d{3}) ", answer)
    assert match, f"not an HTTP/1.1 response: {answer[:200]!r}"
    return int(match.group(1))


def exactly(start: bytes, size: int) -> bytes:
    """start, then short field lines up to exactly `size` bytes, with no end of head."""
    lines = start + b"X: y\r\n" * ((size - len(start)) // 6)
    return lines + b"Z" * (size - len(lines))


def standard_cases(head_max: int, line_max: int) -> list[tuple[str, bytes, int, bytes]]:
    """(what, raw request, the status RFC 9110/9112 call for, bytes the answer holds).

    A request the server refuses ends where the server decides: bytes still
    on their way when it closes would make its TCP answer them with a reset,
    which can overtake the response on the host."""
    fields = b"".join(b"X-Field-%04d: %s\r\n" % (i, b"v" * 60) for i in range(1100))
    return [
        # RFC 9112 3.2.2: a server MUST accept the absolute-form.
        ("absolute-form", b"GET http://127.0.0.1/cpuid HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
         200, b"vendor: "),
        # 2.2: a server SHOULD ignore an empty line before the request line.
        ("leading empty line", b"\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", 200, b"uptime: "),
        # 5: OWS after a field value is allowed.
        ("trailing whitespace", b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3 \t\r\n\r\n"
         b"abc", 200, b"\r\n\r\nABC"),
        # RFC 9112 6.3 item 5: different Content-Length values MUST get 400.
        ("conflicting lengths", b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
         b"Content-Length: 4\r\n\r\n", 400, b"Content-Length"),
        # 5.1: whitespace between a field name and its colon MUST get 400.
        ("space before colon", b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length : 3\r\n\r\n",
         400, b""),
        # RFC 9110 5.5: control bytes in a field.
        ("control byte in value", b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x01b\r\n\r\n", 400, b""),
        ("control byte in name", b"GET / HTTP/1.1\r\nHost: x\r\nX\x01A: a\r\n\r\n", 400, b""),
        # RFC 9110 15.5.6: a 405 MUST list the methods the page takes.
        ("405 lists methods", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 405,
         b"Allow: GET, HEAD"),
        # RFC 9110 9.1: a method the server does not implement: 501.
        ("unknown method", b"PUT /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 501,
         b""),
        # The course takes 64 KiB of fields and more...
        ("64 KiB of fields", b"GET / HTTP/1.1\r\nHost: x\r\n" + fields + b"\r\n", 200, b"uptime: "),
        # ...and past its limits says which one it hit.
        ("head too large", exactly(b"GET / HTTP/1.1\r\nHost: x\r\n", head_max),
         431, str(head_max).encode()),
        ("request line too long", b"GET /" + b"a" * (line_max - 3), 414, str(line_max).encode()),
    ]


def expect_continue(port: int) -> bytes:
    """RFC 9110 10.1.1: the server answers 100 before the body is sent."""
    body = b"sent after the 100"
    with socket.create_connection(("127.0.0.1", port), timeout=CLIENT_TIMEOUT_S) as s:
        s.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                  b"Content-Length: %d\r\n\r\n" % len(body))
        interim = b""
        while b"\r\n\r\n" not in interim:
            chunk = s.recv(4096)
            assert chunk, f"the server closed before the 100 (Continue): {interim!r}"
            interim += chunk
        assert interim.startswith(b"HTTP/1.1 100 "), interim
        s.sendall(body)
        answer = interim[interim.index(b"\r\n\r\n") + 4:]
        while chunk := s.recv(65536):
            answer += chunk
    assert status_of(answer) == 200 and answer.endswith(body.upper()), answer
    return answer


def back_at_the_prompt(machine) -> None:
    machine.wait_until(lambda: READY_LINE.search(shown(machine).rsplit("\n", 1)[-1]),
                       "the prompt after the server stopped", 30,
                       seen=lambda: shown(machine)[-2000:])


def test_http_server(net_shell, chapter):
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

    # HEAD (RFC 9110 9.3.2): the GET page's head, no body. curl -I is a real client.
    head = subprocess.run(["curl", "-sS", "-I", "--max-time", str(CLIENT_TIMEOUT_S),
                           f"http://127.0.0.1:{port}/"], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=2 * CLIENT_TIMEOUT_S)
    assert head.returncode == 0, head.stdout
    assert re.match(rb"HTTP/1.1 200 ", head.stdout), head.stdout
    assert re.search(rb"(?i)content-length: [1-9]\d*\r\n", head.stdout), head.stdout
    assert request(port, "HEAD", "/cpuid") == (200, b"")
    raw_head = raw_exchange(port, b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert raw_head.endswith(b"\r\n\r\n") and raw_head.count(b"\r\n\r\n") == 1, raw_head

    # A chunked request body (RFC 9112 7.1: a recipient MUST be able to decode it).
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=CLIENT_TIMEOUT_S)
    connection.request("POST", "/echo", body=iter([b"hello, ", b"chunks"]), encode_chunked=True)
    chunked = connection.getresponse()
    assert (chunked.status, chunked.read()) == (200, b"HELLO, CHUNKS")
    connection.close()
    expect_continue(port)
    routed = 5                            # curl -I, two HEADs, chunked, expect-continue

    limits = [chapter.define("http_parse.h", name)
              for name in ("HTTP_HEAD_MAX", "HTTP_LINE_MAX")]
    for what, raw, status, holds in standard_cases(*limits):
        answer = raw_exchange(port, raw)
        assert status_of(answer) == status and holds in answer, (what, answer[:300])
        routed += status < 400 or status in (405, 501)

    machine.serial_write(b"q")
    match = machine.wait_for(re.compile(r"HTTP server stopped after (\d+) requests"),
                             source="serial", timeout=30)
    # Whole requests only: the malformed ones and the stalled one do not count.
    expected = 4 + SEQUENTIAL_REQUESTS + CONCURRENT_CLIENTS + 5 + routed
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
