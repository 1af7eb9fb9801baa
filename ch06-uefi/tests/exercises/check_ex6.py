"""Exercise 6: `cat FILE` prints a file of the boot volume; `ls` lists the
root folder."""
from bootcamp.exercise import expect, uefi_script

CONTENT = "a line from a file on the ESP"


def test_cat_and_ls(chapter, boot, logdir):
    _, text = uefi_script(chapter, boot, logdir, "bootcamp", ["cat hello.txt", "ls"],
                          files={"hello.txt": CONTENT + "\n"})
    expect(CONTENT in text.split("> cat hello.txt", 1)[-1], 6, f"`cat hello.txt` to print {CONTENT!r}",
           text)
    after_ls = text.split("> ls", 1)[-1]
    expect("hello.txt" in after_ls.lower() and "efi" in after_ls.lower(), 6,
           "`ls` to list hello.txt, autorun.txt and EFI", text)
