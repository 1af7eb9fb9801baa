"""Exercise 4: the pitfall on purpose. Stage 1 enters the payload with
jmp (LOAD_ADDRESS/16):0, and the payload reports CS=0x0800 IP=0x0000."""
from bootcamp.exercise import expect, halted


def test_payload_runs_at_0800_0000(chapter, boot):
    machine, out = halted(boot, chapter.image("payload.floppy.img"))
    expect("CS=0x0800 IP=0x0000" in out, 4, "`Payload running at CS=0x0800 IP=0x0000`", out)
