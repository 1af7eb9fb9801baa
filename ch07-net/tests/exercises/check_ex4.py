"""Exercise 4: `post URL @FILE` sends the Content-Type its extension says:
text/plain for .txt, application/json for .json, application/octet-stream
for anything else."""
from bootcamp.exercise import expect, uefi_script

from http_host import Recorder, serve

FILES = {"notes.txt": ("hello\n", "text/plain"),
         "data.json": ('{"a": 1}\n', "application/json"),
         "data.bin": (bytes(range(256)), "application/octet-stream")}


def media_type(value: str | None) -> str:
    """`text/plain; charset=utf-8` -> `text/plain` (parameters may follow)."""
    return (value or "").split(";")[0].strip().lower()


def test_content_types(chapter, boot, logdir):
    server, port = serve()
    try:
        uefi_script(chapter, boot, logdir, "net",
                    [f"post http://10.0.2.2:{port}/{name} @{name}" for name in FILES],
                    files={name: content for name, (content, _) in FILES.items()}, network=True)
    finally:
        server.shutdown()
    seen = {path: headers.get("Content-Type") for _, path, headers, _ in Recorder.requests}
    for name, (_, wanted) in FILES.items():
        expect(media_type(seen.get(f"/{name}")) == wanted, 4,
               f"Content-Type: {wanted} for `post URL @{name}`", str(seen))
