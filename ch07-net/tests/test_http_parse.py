"""ch07: the HTTP parsers (http_parse.c), compiled for the host, against a table.

Each case is a message and what the standard allows a recipient to do with it,
from the rules of RFC 9112 (HTTP/1.1 messages) and RFC 9110 (HTTP semantics),
cited case by case. Where the RFC says MAY, the case lists every answer it
allows, so another correct parser passes too; where it says MUST (or the
course's brief decides), one answer.

Requests:  the status a server answers with (0: accepted) and, if accepted,
           what it learned (path, body framing, length).
Responses: accepted or not, and the body framing a client must use.
Chunked:   the decoded body, fed in pieces of every size.
URLs:      what `get` sends where.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from bootcamp.machine import lab_todo_in_output
from conftest import build_host_program

SOURCES = ["tests/http_check.c", "http_parse.c", "text.c"]
LIBRARY = ("format.c",)     # http_parse.c's snprintf, as in the firmware build
RUN_LIMIT_S = 30


@pytest.fixture(scope="module")
def http_check(chapter, tmp_path_factory):
    return build_host_program(chapter, tmp_path_factory.mktemp("http_check"), "http_check",
                              SOURCES, LIBRARY)


@pytest.fixture(scope="module")
def limits(chapter):
    return {name: chapter.define("http_parse.h", name)
            for name in ("HTTP_HEAD_MAX", "HTTP_LINE_MAX", "HTTP_URL_PATH_MAX")}


def run_many(http_check, messages: list[bytes], *mode: str) -> list[dict]:
    """One run of http_check over every message (a file each): one verdict each."""
    folder = Path(tempfile.mkdtemp(prefix="http_check-"))
    try:
        files = []
        for i, message in enumerate(messages):
            files.append(folder / f"{i}")
            files[-1].write_bytes(message)
        result = subprocess.run([str(http_check), *mode, *map(str, files)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                timeout=RUN_LIMIT_S)
    finally:
        shutil.rmtree(folder)
    lab_todo_in_output(result.stdout.decode(errors="replace"), f"http_check {mode[0]}")
    assert result.returncode == 0, (mode, result.stderr.decode())
    verdicts = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(verdicts) == len(messages), result.stdout
    return verdicts


def run(http_check, data: bytes, *mode: str) -> dict:
    return run_many(http_check, [data], *mode)[0]


def hx(text: str) -> str:
    return text.encode().hex()


def request(lines: list[str], body: bytes = b"") -> bytes:
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


GET = "GET / HTTP/1.1"
HOST = "Host: example.com"

# (id, message, statuses a server may answer (0 = accepted), what an accepted one holds)
REQUESTS = [
    # RFC 9112 3.2.1, its own origin-form example; the query is not part of the path.
    ("origin-form", request(["GET /where?q=now HTTP/1.1", "Host: www.example.com"]), {0},
     {"path": hx("/where"), "target": hx("/where?q=now"), "body": "none"}),
    # 3.2.2: "a server MUST accept the absolute-form", its own example.
    ("absolute-form", request(["GET http://www.example.org/pub/WWW/TheProject.html HTTP/1.1",
                               "Host: www.example.org"]), {0},
     {"path": hx("/pub/WWW/TheProject.html")}),
    # RFC 9110 4.2.3: an empty path is "/", the scheme is case-insensitive.
    ("absolute-form-no-path", request(["GET http://example.com HTTP/1.1", HOST]), {0},
     {"path": hx("/")}),
    ("absolute-form-scheme-case", request(["GET HTTP://example.com/x?y HTTP/1.1", HOST]), {0},
     {"path": hx("/x")}),
    ("head-method", request(["HEAD / HTTP/1.1", HOST]), {0}, {"method": hx("HEAD")}),
    # 2.2: a server SHOULD ignore at least one empty line before the request line.
    ("leading-empty-line", b"\r\n" + request([GET, HOST]), {0}, {"path": hx("/")}),
    # 2.2: a recipient MAY take a lone LF as the end of a line.
    ("lf-only-lines", b"GET / HTTP/1.1\nHost: a\n\n", {0, 400}, {}),
    # 3: recipients MAY split on any whitespace instead of exactly one SP.
    ("two-spaces", request(["GET  / HTTP/1.1", HOST]), {0, 400}, {}),
    # 3.2: an invalid request line SHOULD get 400 (or a 301 to the encoded target).
    ("space-in-target", request(["GET /a b HTTP/1.1", HOST]), {400, 301}, {}),
    ("no-target", request(["GET HTTP/1.1", HOST]), {400}, {}),
    ("bad-method-byte", request(["G@T / HTTP/1.1", HOST]), {400}, {}),
    # 2.3: HTTP-name is case-sensitive; the version is DIGIT "." DIGIT.
    ("lowercase-http", request(["GET / http/1.1", HOST]), {400}, {}),
    ("version-two-digits", request(["GET / HTTP/1.10", HOST]), {400}, {}),
    # RFC 9110 2.5: a higher minor version is handled as the highest we know.
    ("http-1.2", request(["GET / HTTP/1.2", HOST]), {0}, {}),
    # RFC 9110 15.6.6: 505 for a major version the server does not support.
    ("http-2.0", request(["GET / HTTP/2.0", HOST]), {505}, {}),
    # 3.2: an HTTP/1.1 request without Host, or with two, MUST get 400.
    ("no-host-1.1", request([GET]), {400}, {}),
    ("no-host-1.0", request(["GET / HTTP/1.0"]), {0}, {"minor": 0}),
    ("two-hosts", request([GET, HOST, "Host: other.example"]), {400}, {}),
    ("bad-host-value", request([GET, "Host: a b"]), {400}, {}),
    # 5.1: whitespace between a field name and the colon MUST get 400.
    ("space-before-colon", request([GET, HOST, "Content-Length : 3"], b"abc"), {400}, {}),
    ("tab-before-colon", request([GET, "Host\t: a"]), {400}, {}),
    # 5: field-line = field-name ":" OWS field-value OWS.
    ("trailing-ows", request([GET, HOST, "Content-Length: 3 \t"], b"abc"), {0},
     {"body": "length", "content_length": 3}),
    ("no-ows", request([GET, "Host:example.com", "Content-Length:3"], b"abc"), {0},
     {"content_length": 3}),
    ("empty-value", request([GET, HOST, "X-Empty:"]), {0}, {}),
    ("no-colon", request([GET, HOST, "no colon here"]), {400}, {}),
    ("empty-name", request([GET, HOST, ": value"]), {400}, {}),
    # RFC 9110 5.5: NUL, CR, LF in a value MUST be rejected or replaced; the
    # course rejects every control byte (brief), in names as in values.
    ("nul-in-value", request([GET, HOST, "X: a\x00b"]), {400}, {}),
    ("bare-cr-in-value", request([GET, HOST, "X: a\rb"]), {400}, {}),
    ("control-in-value", request([GET, HOST, "X: a\x01b"]), {400}, {}),
    ("del-in-value", request([GET, HOST, "X: a\x7fb"]), {400}, {}),
    ("control-in-name", request([GET, HOST, "X\x01Y: a"]), {400}, {}),
    ("obs-text-in-value", request([GET, HOST, "X: caf\xe9"]), {0}, {}),
    # 5.2: obs-fold in a request: reject with 400, or replace it with SP.
    ("obs-fold", request([GET, HOST, "X: a", " b"]), {0, 400}, {}),
    # 2.2: whitespace before the first field: reject, or ignore that line
    # (and then Host is missing).
    ("space-before-first-field", request([GET, " Host: a"]), {400}, {}),
    # RFC 9110 8.6 / RFC 9112 6.3 item 5: different Content-Length values MUST get 400;
    # the same value repeated MAY be taken as one.
    ("content-length", request([GET, HOST, "Content-Length: 5"], b"hello"), {0},
     {"body": "length", "content_length": 5}),
    ("content-length-conflict", request([GET, HOST, "Content-Length: 3", "Content-Length: 4"],
                                        b"abcd"), {400}, {}),
    ("content-length-conflict-list", request([GET, HOST, "Content-Length: 3, 4"]), {400}, {}),
    ("content-length-same-twice", request([GET, HOST, "Content-Length: 3", "Content-Length: 3"],
                                          b"abc"), {0, 400}, {"content_length": 3}),
    ("content-length-same-list", request([GET, HOST, "Content-Length: 3, 3"], b"abc"), {0, 400},
     {"content_length": 3}),
    ("content-length-negative", request([GET, HOST, "Content-Length: -1"]), {400}, {}),
    ("content-length-plus", request([GET, HOST, "Content-Length: +3"]), {400}, {}),
    ("content-length-hex", request([GET, HOST, "Content-Length: 0x10"]), {400}, {}),
    ("content-length-two-words", request([GET, HOST, "Content-Length: 3 4"]), {400}, {}),
    ("content-length-empty", request([GET, HOST, "Content-Length:"]), {400}, {}),
    # RFC 9110 8.6: a recipient MUST not be caught out by integer overflow.
    ("content-length-overflow", request([GET, HOST, "Content-Length: 99999999999999999999999"]),
     {400, 413}, {}),
    # RFC 9112 6.1, 6.3: chunked as the final coding is the body's framing.
    ("chunked", request(["POST /echo HTTP/1.1", HOST, "Transfer-Encoding: chunked"]), {0},
     {"body": "chunked"}),
    ("chunked-case", request(["POST /echo HTTP/1.1", HOST, "Transfer-Encoding: Chunked"]), {0},
     {"body": "chunked"}),
    # 6.3 item 4: chunked not last in a request MUST get 400.
    ("chunked-not-final", request(["POST /echo HTTP/1.1", HOST,
                                   "Transfer-Encoding: chunked, gzip"]), {400}, {}),
    ("gzip-only", request(["POST /echo HTTP/1.1", HOST, "Transfer-Encoding: gzip"]), {400}, {}),
    # 6.1: a coding the server does not know SHOULD get 501.
    ("gzip-then-chunked", request(["POST /echo HTTP/1.1", HOST,
                                   "Transfer-Encoding: gzip, chunked"]), {501}, {}),
    # 6.3 item 3: both TE and CL: reject, or let TE win (and close afterwards).
    ("te-and-cl", request(["POST /echo HTTP/1.1", HOST, "Transfer-Encoding: chunked",
                           "Content-Length: 5"]), {0, 400}, {"body": "chunked"}),
    # 6.1: TE in an HTTP/1.0 message means faulty framing.
    ("te-in-http-1.0", request(["POST /echo HTTP/1.0", "Transfer-Encoding: chunked"]), {400},
     {}),
    # RFC 9110 10.1.1: the client waits for 100 (Continue).
    ("expect-continue", request(["POST /echo HTTP/1.1", HOST, "Expect: 100-continue",
                                 "Content-Length: 3"]), {0}, {"expect_continue": True}),
]


@pytest.fixture(scope="module")
def request_verdicts(http_check):
    return dict(zip([c[0] for c in REQUESTS], run_many(http_check, [c[1] for c in REQUESTS],
                                                      "request")))


@pytest.mark.parametrize("case,message,statuses,holds", REQUESTS, ids=[c[0] for c in REQUESTS])
def test_request_table(request_verdicts, case, message, statuses, holds):
    got = request_verdicts[case]
    assert not got["incomplete"], got
    assert got["status"] in statuses, got
    if got["ok"]:
        end = message.find(b"\r\n\r\n")
        assert end < 0 or got["head_length"] == end + 4, got
        for key, value in holds.items():
            assert got[key] == value, (key, got)


def test_request_incomplete(http_check):
    whole = request([GET, HOST])
    for cut, got in enumerate(run_many(http_check, [whole[:n] for n in range(len(whole))],
                                       "request")):
        assert got["incomplete"], (cut, got)


def test_request_limits(http_check, limits):
    """RFC 9112 3: support request lines of at least 8000 octets; the course
    takes 8 KiB a line and 64 KiB of fields at the least, and names the limit
    it hits."""
    line, head = limits["HTTP_LINE_MAX"], limits["HTTP_HEAD_MAX"]
    long_target = "/" + "a" * 8000
    assert run(http_check, request([f"GET {long_target} HTTP/1.1", HOST]), "request")["ok"]
    fields = [f"X-Field-{i}: {'v' * 100}" for i in range(64 * 1024 // 100 + 1)]
    assert run(http_check, request([GET, HOST, *fields]), "request")["ok"]
    assert run(http_check, request([GET, HOST, "X-Long: " + "v" * 8192]), "request")["ok"]

    too_long_target = "/" + "a" * line
    got = run(http_check, request([f"GET {too_long_target} HTTP/1.1", HOST]), "request")
    assert got["status"] == 414 and str(line) in got["message"], got
    got = run(http_check, request([GET, HOST, "X-Long: " + "v" * line]), "request")
    assert got["status"] == 431 and str(line) in got["message"], got
    many = [f"X-Field-{i}: {'v' * 1000}" for i in range(head // 1000 + 1)]
    got = run(http_check, request([GET, HOST, *many]), "request")
    assert got["status"] == 431 and str(head) in got["message"], got
    # Without its end, too: a client that never stops sending fields.
    got = run(http_check, request([GET, HOST, *many])[:-4], "request")
    assert got["status"] == 431 and str(head) in got["message"], got


def response(lines: list[str], body: bytes = b"") -> bytes:
    return request(lines, body)


OK = "HTTP/1.1 200 OK"
NOT_OK = None          # the client refuses the response

# (id, response, the request was HEAD, allowed outcomes: (body framing, length) or NOT_OK)
RESPONSES = [
    ("content-length", response([OK, "Content-Length: 5"], b"hello"), False, [("length", 5)]),
    ("chunked", response([OK, "Transfer-Encoding: chunked"]), False, [("chunked", 0)]),
    # RFC 9112 6.3 item 7: neither: the body runs until the server closes.
    ("until-close", response([OK]), False, [("until-close", 0)]),
    # 6.3 item 1: a response to HEAD, and any 1xx, 204, 304, has no body.
    ("head-request", response([OK, "Content-Length: 5"]), True, [("none", 5), ("none", 0)]),
    ("204", response(["HTTP/1.1 204 No Content", "Content-Length: 5"]), False,
     [("none", 5), ("none", 0)]),
    ("304", response(["HTTP/1.1 304 Not Modified", "Transfer-Encoding: chunked"]), False,
     [("none", 0)]),
    ("100-continue", response(["HTTP/1.1 100 Continue"]), False, [("none", 0)]),
    # 6.3 item 3: TE overrides CL (or the message is treated as an error).
    ("te-and-cl", response([OK, "Transfer-Encoding: chunked", "Content-Length: 5"]), False,
     [("chunked", 0), NOT_OK]),
    # 6.1/6.3: codings the client cannot undo must not pass as the body.
    ("gzip-chunked", response([OK, "Transfer-Encoding: gzip, chunked"]), False, [NOT_OK]),
    ("gzip-only", response([OK, "Transfer-Encoding: gzip"]), False, [NOT_OK]),
    ("gzip-then-chunked-fields", response([OK, "Transfer-Encoding: gzip",
                                           "Transfer-Encoding: chunked"]), False, [NOT_OK]),
    # 6.1: TE in an HTTP/1.0 message is faulty framing.
    ("te-in-http-1.0", response(["HTTP/1.0 200 OK", "Transfer-Encoding: chunked"]), False,
     [NOT_OK]),
    # 6.3 item 5: different Content-Length values: the client MUST discard the response.
    ("content-length-conflict", response([OK, "Content-Length: 5", "Content-Length: 6"],
                                         b"hello!"), False, [NOT_OK]),
    ("content-length-conflict-list", response([OK, "Content-Length: 5, 6"]), False, [NOT_OK]),
    ("content-length-same-twice", response([OK, "Content-Length: 5", "Content-Length: 5"]),
     False, [("length", 5), NOT_OK]),
    ("content-length-letters", response([OK, "Content-Length: five"]), False, [NOT_OK]),
    # 4: status-line = HTTP-version SP status-code SP [ reason-phrase ].
    ("version-only", b"HTTP/1.\r\n\r\n", False, [NOT_OK]),
    ("two-digit-status", response(["HTTP/1.1 20 OK"]), False, [NOT_OK]),
    ("four-digit-status", response(["HTTP/1.1 2000 OK"]), False, [NOT_OK]),
    ("lowercase-http", response(["http/1.1 200 OK"]), False, [NOT_OK]),
    ("http-2", response(["HTTP/2 200 OK"]), False, [NOT_OK]),
    ("not-http", response(["ICY 200 OK"]), False, [NOT_OK]),
    ("empty-reason", response(["HTTP/1.1 200 "]), False, [("until-close", 0)]),
    ("no-reason-no-space", response(["HTTP/1.1 200"]), False, [("until-close", 0), NOT_OK]),
    ("http-1.0", response(["HTTP/1.0 200 OK", "Content-Length: 1"]), False, [("length", 1)]),
    ("obs-text-reason", response(["HTTP/1.1 200 D\xe9j\xe0 vu"]), False, [("until-close", 0)]),
    # 5.2: a user agent MUST replace obs-fold with SP before reading the value.
    ("obs-fold", response([OK, "X: a", " b", "Content-Length: 1"]), False, [("length", 1)]),
    ("obs-fold-into-content-length", response([OK, "Content-Length: 1", " 2"]), False,
     [NOT_OK]),
    ("space-before-colon", response([OK, "Content-Length : 5"]), False, [NOT_OK]),
    # RFC 9110 5.5: NUL in a value: reject or replace with SP.
    ("nul-in-value", response([OK, "X: a\x00b", "Content-Length: 0"]), False,
     [NOT_OK, ("length", 0)]),
    ("trailing-ows", response([OK, "Content-Length: 5  "]), False, [("length", 5)]),
]


@pytest.fixture(scope="module")
def response_verdicts(http_check):
    verdicts = {}
    for head in (False, True):
        cases = [c for c in RESPONSES if c[2] == head]
        verdicts.update(zip([c[0] for c in cases],
                            run_many(http_check, [c[1] for c in cases], "response",
                                     *(["--head"] if head else []))))
    return verdicts


@pytest.mark.parametrize("case,message,head,outcomes", RESPONSES, ids=[c[0] for c in RESPONSES])
def test_response_table(response_verdicts, case, message, head, outcomes):
    got = response_verdicts[case]
    assert not got["incomplete"], got
    outcome = (got["body"], got["content_length"]) if got["ok"] else NOT_OK
    assert outcome in outcomes, got


def test_response_fields_read(http_check):
    got = run(http_check, response(["HTTP/1.1 301 Moved Permanently",
                                    "Location: http://example.com/new"]), "response")
    assert got["code"] == 301 and got["reason"] == hx("Moved Permanently"), got
    assert got["location"] == hx("http://example.com/new"), got


def test_response_version_only_is_incomplete_without_its_line_end(http_check):
    """"HTTP/1." with nothing after it: more is needed, nothing is read past it
    (the sanitizers are on)."""
    whole = b"HTTP/1.1 200 OK\r\n\r\n"
    for cut, got in enumerate(run_many(http_check, [whole[:n] for n in range(len(whole))],
                                       "response")):
        assert got["incomplete"], (cut, got)


def test_response_limits(http_check, limits):
    """At least 64 KiB of fields and 8 KiB a line, as real servers send; past
    the course's limits, a message that names them."""
    line, head = limits["HTTP_LINE_MAX"], limits["HTTP_HEAD_MAX"]
    many = [f"X-Field-{i}: {'v' * 60}" for i in range(1100)]          # > 64 KiB, > 1000 lines
    assert sum(map(len, many)) >= 64 * 1024
    got = run(http_check, response([OK, *many, "Content-Length: 0"]), "response")
    assert got["ok"] and got["body"] == "length", got
    got = run(http_check, response([OK, "Set-Cookie: " + "c" * 8192, "Content-Length: 0"]),
              "response")
    assert got["ok"], got

    got = run(http_check, response([OK, "X: " + "c" * line]), "response")
    assert not got["ok"] and str(line) in got["message"], got
    lines = [f"X-Field-{i}: {'v' * 1000}" for i in range(head // 1000 + 1)]
    got = run(http_check, response([OK, *lines]), "response")
    assert not got["ok"] and str(head) in got["message"], got


CHUNKED = [
    # (id, body on the wire, decoded body or None when it must be refused)
    ("two-chunks", b"5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n", b"hello, world"),
    ("upper-hex", b"A\r\n0123456789\r\n0\r\n\r\n", b"0123456789"),
    ("lower-hex", b"a\r\n0123456789\r\n0\r\n\r\n", b"0123456789"),
    ("leading-zeros", b"0005\r\nhello\r\n000\r\n\r\n", b"hello"),
    ("only-last-chunk", b"0\r\n\r\n", b""),
    # 7.1.1: chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS value ] ), ignored.
    ("extension", b"5;name=value\r\nhello\r\n0;last\r\n\r\n", b"hello"),
    ("extension-quoted", b'5;name="a b"\r\nhello\r\n0\r\n\r\n', b"hello"),
    ("extension-bws", b"5 ;name\r\nhello\r\n0\r\n\r\n", b"hello"),
    # 7.1.2: trailer fields after the last chunk.
    ("trailers", b"5\r\nhello\r\n0\r\nExpires: never\r\nX-Sum: 1\r\n\r\n", b"hello"),
    ("binary-data", b"4\r\n\r\n\x00\xff\r\n0\r\n\r\n", b"\r\n\x00\xff"),
    ("no-size", b"\r\nhello\r\n0\r\n\r\n", None),
    ("not-hex", b"g\r\nhello\r\n0\r\n\r\n", None),
    ("negative", b"-5\r\nhello\r\n0\r\n\r\n", None),
    ("space-first", b" 5\r\nhello\r\n0\r\n\r\n", None),
    ("junk-after-size", b"5x\r\nhello\r\n0\r\n\r\n", None),
    ("size-overflow", b"1" + b"0" * 16 + b"\r\nhello\r\n0\r\n\r\n", None),
    ("data-too-long", b"3\r\nhello\r\n0\r\n\r\n", None),
    ("data-then-junk", b"5\r\nhelloXX0\r\n\r\n", None),
    ("trailer-space-before-colon", b"0\r\nX : y\r\n\r\n", None),
    ("trailer-nul", b"0\r\nX: a\x00b\r\n\r\n", None),
    ("trailer-no-colon", b"0\r\nnocolon\r\n\r\n", None),
    ("control-in-extension", b"5;a\x01b\r\nhello\r\n0\r\n\r\n", None),
]


CHUNK_STEPS = (1, 2, 3, 7, 1 << 20)      # bytes fed at a time; the last: all at once


@pytest.fixture(scope="module")
def chunked_verdicts(http_check):
    verdicts = {}
    for step in CHUNK_STEPS:
        got = run_many(http_check, [c[1] for c in CHUNKED], "chunked", str(step))
        verdicts.update({(c[0], step): v for c, v in zip(CHUNKED, got)})
    return verdicts


@pytest.mark.parametrize("case,wire,decoded", CHUNKED, ids=[c[0] for c in CHUNKED])
def test_chunked_table(chunked_verdicts, case, wire, decoded):
    """Every split of the input gives the same answer: a body arrives in TCP
    segments of any size."""
    for step in CHUNK_STEPS:
        got = chunked_verdicts[case, step]
        if decoded is None:
            assert not got["ok"] and not got["incomplete"], (step, got)
        else:
            assert got["ok"], (step, got)
            assert bytes.fromhex(got["data"]) == decoded, (step, got)
            assert got["used"] == len(wire), (step, got)


def test_chunked_stops_at_its_end(http_check):
    got = run(http_check, b"5\r\nhello\r\n0\r\n\r\nHTTP/1.1 200 OK", "chunked", "4")
    assert got["ok"] and got["used"] == len(b"5\r\nhello\r\n0\r\n\r\n"), got


def test_chunked_incomplete_and_large(http_check, limits):
    got = run(http_check, b"5\r\nhello\r\n0\r\n", "chunked", "3")
    assert got["incomplete"], got
    big = bytes(range(256)) * 1024
    wire = b"%x\r\n%s\r\n0\r\n\r\n" % (len(big), big)
    got = run(http_check, wire, "chunked", "1460")
    assert got["ok"] and bytes.fromhex(got["data"]) == big
    line = limits["HTTP_LINE_MAX"]
    got = run(http_check, b"5;" + b"x" * line + b"\r\nhello\r\n0\r\n\r\n", "chunked", "100")
    assert not got["ok"] and str(line) in got["message"], got


URLS = [
    # (url, (ip, port, what goes in the request line) or None)
    ("http://10.0.2.2/", ("10.0.2.2", 80, "/")),
    ("http://10.0.2.2", ("10.0.2.2", 80, "/")),
    ("http://10.0.2.2:8080/a/b?c=d", ("10.0.2.2", 8080, "/a/b?c=d")),
    # RFC 3986 3.1: the scheme is case-insensitive; 3.5: the fragment stays here.
    ("HTTP://10.0.2.2/x", ("10.0.2.2", 80, "/x")),
    ("http://10.0.2.2/page#part", ("10.0.2.2", 80, "/page")),
    ("http://10.0.2.2?q", ("10.0.2.2", 80, "/?q")),
    ("http://10.0.2.2:65535/", ("10.0.2.2", 65535, "/")),
    ("https://10.0.2.2/", None),
    ("ftp://10.0.2.2/file", None),
    ("http://example.com/", None),        # no DNS here
    ("http://256.0.0.1/", None),
    ("http://1.2.3/", None),
    ("http://1.2.3.4.5/", None),
    ("http://0001.2.3.4/", None),
    ("http://1.2.3.4:0/", None),
    ("http://1.2.3.4:65536/", None),
    ("http://1.2.3.4:99999999999999999999999/", None),
    ("http://1.2.3.4/a b", None),          # would split the request line
    ("http://1.2.3.4/a\r\nX: forged", None),
    ("http://", None),
    ("", None),
]


@pytest.fixture(scope="module")
def url_verdicts(http_check):
    return dict(zip([u[0] for u in URLS], run_many(http_check, [u[0].encode() for u in URLS],
                                                   "url")))


@pytest.mark.parametrize("url,expected", URLS, ids=[u[0] or "empty" for u in URLS])
def test_url_table(url_verdicts, url, expected):
    got = url_verdicts[url]
    if expected is None:
        assert not got["ok"], got
    else:
        ip, port, path = expected
        assert got["ok"], got
        assert (got["ip"], got["port"], bytes.fromhex(got["path_hex"]).decode()) == expected
        assert got["host"] == f"{ip}:{port}", got


def test_url_path_limit(http_check, limits):
    most = limits["HTTP_URL_PATH_MAX"]
    assert run(http_check, b"http://1.2.3.4/" + b"a" * (most - 1), "url")["ok"]
    got = run(http_check, b"http://1.2.3.4/" + b"a" * most, "url")
    assert not got["ok"] and str(most) in got["message"], got
