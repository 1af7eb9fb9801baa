"""Exercise 3: `get` takes `gateway` as a host name: the router DHCP gave
(10.0.2.2 under QEMU), so `get http://gateway:PORT/hello.txt` reaches the host."""
from bootcamp.exercise import expect, uefi_script

from http_host import serve


def test_get_from_gateway(chapter, boot, logdir):
    server, port = serve()
    try:
        _, text = uefi_script(chapter, boot, logdir, "net",
                              [f"get http://gateway:{port}/hello.txt"], network=True)
    finally:
        server.shutdown()
    expect("hello from the host" in text, 3, "the host's /hello.txt through `gateway`", text)
