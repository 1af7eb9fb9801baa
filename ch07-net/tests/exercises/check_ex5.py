"""Exercise 5: http_client.c's GET, ported to Linux sockets as
`http_get_linux.c` in this folder: `./http_get URL` prints the body."""
import subprocess

from bootcamp.exercise import expect

from http_host import HELLO, serve


def test_linux_port(chapter, tmp_path):
    source = chapter.root / "http_get_linux.c"
    expect(source.exists(), 5, f"{source.name} in {chapter.root}")
    program = tmp_path / "http_get"
    built = subprocess.run(["cc", "-Wall", "-Werror", "-o", str(program), str(source)],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    expect(built.returncode == 0, 5, f"{source.name} to compile", built.stdout)
    server, port = serve()
    try:
        got = subprocess.run([str(program), f"http://127.0.0.1:{port}/hello.txt"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60).stdout
    finally:
        server.shutdown()
    expect(HELLO in got, 5, f"the body {HELLO!r}", got.decode(errors="replace"))
