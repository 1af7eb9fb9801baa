"""gdb (Python), for test_client.py: put the two processors in the worst order
at a body's end, every time.

    gdb -batch -ex 'target remote ...' -ex 'add-symbol-file build/net.so -o BASE'
        -x tests/gdb_close_race.py -ex 'python hold_at_close("READY", "HELD", "DONE")'

The second processor (gdb's thread 2) is stopped where it calls sha256_update
for bytes that catch it up with the ring's `taken`. From there it alone runs,
an instruction at a time, until it is about to read `closed` after it has read
`taken` (which can only say that nothing is new: the first processor is
stopped). It stays there while the first alone takes in the rest of the body
and closes it (a watchpoint on `closed`). Then both run on. If the second
decides from the `taken` it read before the close, the digest lacks the
body's tail. The file READY says that gdb has set its first breakpoint and
lets the machine run, HELD that the second is held (the test's server then
sends the rest of the body), DONE that the first has closed the body and both
run on.

Operands are read from gdb's disassembly: `disp(%base)`, `disp(%base,%index,scale)`.
"""

import re

import gdb

STEP_LIMIT = 2000        # instructions from the end of sha256_update to that read
RING = "'hash_worker.c'::started"     # the state both processors share
OPERAND = re.compile(r"(-?0x[0-9a-f]+)?\((%\w+)?(?:,(%\w+),(\d))?\)")


def register(name: str) -> int:
    return int(gdb.parse_and_eval(f"(unsigned long) ${name}"))


def address_read(pc: int) -> int | None:
    """The memory address the instruction at pc reads or writes, if it has one."""
    insn = gdb.selected_frame().architecture().disassemble(pc)[0]
    found = OPERAND.search(insn["asm"])
    if not found:
        return None
    displacement, base, index, scale = found.groups()
    address = int(displacement, 16) if displacement else 0
    if base == "%rip":
        return None                                # the program's own globals
    if base:
        address += register(base[1:])
    if index:
        address += register(index[1:]) * int(scale)
    return address & 0xFFFFFFFFFFFFFFFF


def hold_at_close(ready: str, held: str, done: str) -> None:
    try:
        hold(ready, held, done)
    finally:
        open(held, "a").close()      # gone wrong: the server need not wait out its limit


def hold(ready: str, held: str, done: str) -> None:
    # hash_worker.c's, by file: other files have a `started` of their own.
    ring = gdb.parse_and_eval(f"{RING}")
    taken = int(ring["taken"].address)
    closed = int(ring["closed"].address)
    # At the entry, before the prologue: the length is the third argument (System V).
    gdb.execute(f"break *sha256_update if $_thread == 2 && "
                f"{RING}->hashed + $rdx == {RING}->taken")
    open(ready, "w").close()
    gdb.execute("continue")                          # the first and second run
    gdb.execute("delete")
    gdb.execute("set scheduler-locking on")          # from here, only the selected thread runs
    gdb.execute("finish", to_string=True)            # the second hashes those bytes
    seen_taken = False
    for _ in range(STEP_LIMIT):
        address = address_read(register("pc"))
        if address == closed and seen_taken:
            break
        seen_taken |= address == taken
        gdb.execute("stepi", to_string=True)
    else:
        raise gdb.GdbError(f"the second processor did not read `closed` after `taken` "
                           f"within {STEP_LIMIT} instructions")
    print(f"second processor held at {register('pc'):#x}, about to read `closed`")
    open(held, "w").close()
    gdb.execute("thread 1")
    gdb.execute(f"watch *(unsigned long long *) {closed:#x}")
    gdb.execute("continue")                          # the first alone, up to the close
    gdb.execute("delete")
    gdb.execute("set scheduler-locking off")
    open(done, "w").close()
    gdb.execute("continue")                          # both, until gdb is stopped
