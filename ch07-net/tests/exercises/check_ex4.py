"""Exercise 4: `post URL TEXT` sends Content-Type: text/plain, and
`post URL @FILE` sends application/octet-stream."""
from bootcamp.exercise import expect, uefi_script

from http_host import Recorder, serve


def test_content_types(chapter, boot, logdir):
    server, port = serve()
    try:
        uefi_script(chapter, boot, logdir, "net",
                    [f"post http://10.0.2.2:{port}/text hello",
                     f"post http://10.0.2.2:{port}/file @data.bin"],
                    files={"data.bin": bytes(range(256))}, network=True)
    finally:
        server.shutdown()
    types = {path: headers.get("Content-Type") for _, path, headers, _ in Recorder.requests}
    expect(types.get("/text", "").startswith("text/plain"), 4, "text/plain for `post URL TEXT`",
           str(types))
    expect(types.get("/file") == "application/octet-stream", 4,
           "application/octet-stream for `post URL @FILE`", str(types))
