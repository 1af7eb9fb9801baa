"""Classroom labs from the course's own tree: parts, markers, handouts.

A lab part is a region of a file in the chapter that teaches it. The region
holds the reference solution and, beside it, the stub a learner starts from,
both written in the file's own comment syntax, so the tree builds and passes
its tests as it is:

    NASM, Make, shell, GNU as without cpp (a line comment leader L: ; # //)

        L LAB SOLUTION print_hex
        ...the reference code...
        L LAB STUB
        L|...a stub line (the text after "L|" is the line, as it will be)
        L LAB END

    C, GNU as with cpp, linker scripts, Markdown (a block comment O ... C)

        O LAB SOLUTION print_hex C
        ...the reference code...
        O LAB STUB
        ...stub lines, as they will be...
        LAB END C

A handout replaces each region by its stub between two marker lines,

        L LAB PART print_hex: replace the stub below with your code
        ...stub...
        L LAB PART END print_hex

and a stub, when it runs, reports `LAB TODO: <part>` where the chapter's
output goes, which the harness (machine.py) turns into a failure at once.

Each chapter declares its parts once, in lab.toml (see TEACHING.md):

    [[part]]
    id = "print_hex"              # what markers, LAB TODO and grade reports name
    title = "print_hex prints AX as 0x and four hex digits"
    points = 10
    depends = []                  # parts whose code this one runs through
    emulators = ["qemu", "bochs"] # which runs of a test taking `emulator` count
    tests = ["test_hello.py::test_print_hex"]          # node ids under tests/
    hidden = ["hidden/test_hex_hidden.py::test_..."]   # the grader's only

    python3 -m bootcamp.lab parts                 every part of every chapter
    python3 -m bootcamp.lab check                 markers and parts are well formed
    python3 -m bootcamp.lab make CH... [--parts a,b] [--out DIR]   handout + grader
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PARTS_FILE = "lab.toml"
HANDOUT_MANIFEST = "LAB.json"       # at the top of a handout: what it is, what a learner owns
HIDDEN_TESTS = "tests/hidden"       # in a chapter: the grader's tests, never in a handout
# Left out of a handout: the teacher's guide, and the tests of the harness and
# the make rules, which check them against every chapter of the course.
TEACHER_ONLY = ("TEACHING.md", "common/tests/")
HANDOUT_README = "README.md"        # gets a first paragraph saying what the handout holds
TODO_PREFIX = "LAB TODO: "
PART_ID = re.compile(r"^[a-z][a-z0-9_]*$")
# A leak: this many solution lines in a row, each at least MIN_LEAK_CHARS long
# (so `ret` or `}` are not evidence), found together in a handout file; or one
# such line, found in no code file of the handout, found in its prose.
LEAK_RUN_LINES = 3
MIN_LEAK_CHARS = 8
PROSE_SUFFIXES = {".md", ".txt"}

# Comment syntax by file: ("line", leader) or ("block", opener, closer).
LINE_SEMICOLON = ("line", ";")
LINE_HASH = ("line", "#")
LINE_SLASHES = ("line", "//")
BLOCK_C = ("block", "/*", "*/")
BLOCK_HTML = ("block", "<!--", "-->")
STYLES_BY_SUFFIX = {
    ".asm": [LINE_SEMICOLON], ".inc": [LINE_SEMICOLON],
    ".s": [LINE_HASH, BLOCK_C],
    ".S": [BLOCK_C],        # the course assembles .S with as alone: /* */ is its comment
    ".c": [BLOCK_C, LINE_SLASHES], ".h": [BLOCK_C, LINE_SLASHES],
    ".ld": [BLOCK_C],
    ".mk": [LINE_HASH], ".sh": [LINE_HASH], ".py": [LINE_HASH], ".cfg": [LINE_HASH],
    ".md": [BLOCK_HTML],
}
STYLES_BY_NAME = {"Makefile": [LINE_HASH]}


class LabError(Exception):
    """A lab cannot be made or graded as asked; the message says why and where."""


def styles_for(path: Path) -> list[tuple]:
    return STYLES_BY_NAME.get(path.name) or STYLES_BY_SUFFIX.get(path.suffix, [])


# -- markers ----------------------------------------------------------------------

@dataclasses.dataclass
class Region:
    part: str
    path: Path
    start: int            # index of the SOLUTION line
    end: int              # index one past the END line
    solution: list[str]   # the reference lines, as in the tree
    stub: list[str]       # the stub lines, as they will be in the handout
    style: tuple
    indent: str

    @property
    def parts(self) -> set[str]:
        return set(self.part.split(","))

    @property
    def line(self) -> int:
        return self.start + 1


def _marker(style: tuple, indent: str, words: str, keep_open: bool = False) -> str:
    if style[0] == "line":
        return f"{indent}{style[1]} {words}\n"
    return f"{indent}{style[1]} {words}" + ("" if keep_open else f" {style[2]}") + "\n"


def _patterns(style: tuple) -> dict[str, re.Pattern]:
    if style[0] == "line":
        lead = re.escape(style[1])
        return {
            "solution": re.compile(rf"^(\s*){lead} LAB SOLUTION (\S+)\s*$"),
            "stub": re.compile(rf"^\s*{lead} LAB STUB\s*$"),
            "stub_line": re.compile(rf"^\s*{lead}\|(.*\n?)$", re.S),
            "end": re.compile(rf"^\s*{lead} LAB END\s*$"),
            "part": re.compile(rf"^(\s*){lead} LAB PART (\S+?):"),
            "part_end": re.compile(rf"^\s*{lead} LAB PART END (\S+)\s*$"),
        }
    opener, closer = re.escape(style[1]), re.escape(style[2])
    return {
        "solution": re.compile(rf"^(\s*){opener} LAB SOLUTION (\S+) {closer}\s*$"),
        "stub": re.compile(rf"^\s*{opener} LAB STUB\s*$"),
        "stub_line": None,
        "end": re.compile(rf"^\s*LAB END {closer}\s*$"),
        "part": re.compile(rf"^(\s*){opener} LAB PART (\S+?):"),
        "part_end": re.compile(rf"^\s*{opener} LAB PART END (\S+) {closer}\s*$"),
    }


ANY_MARKER = re.compile(r"\bLAB (SOLUTION|STUB|END)\b")


def regions(path: Path, text: str | None = None) -> list[Region]:
    """The lab regions of one file, checked: every SOLUTION has one STUB and one END."""
    lines = (path.read_text() if text is None else text).splitlines(keepends=True)
    found: list[Region] = []
    styles = styles_for(path)
    i = 0
    while i < len(lines):
        opened = None
        for style in styles:
            match = _patterns(style)["solution"].match(lines[i])
            if match:
                opened = (style, match.group(1), match.group(2))
                break
        if opened is None:
            if ANY_MARKER.search(lines[i]) and "LAB SOLUTION" in lines[i] and styles:
                raise LabError(f"{path}:{i + 1}: a LAB SOLUTION marker not in this file's "
                               f"comment syntax ({_syntax_help(styles)})")
            i += 1
            continue
        style, indent, part = opened
        pat = _patterns(style)
        if not all(PART_ID.match(one) for one in part.split(",")):
            raise LabError(f"{path}:{i + 1}: part id {part!r}: use lower_snake letters and "
                           "digits (a region of prose may name several, with commas)")
        start, j = i, i + 1
        while j < len(lines) and not pat["stub"].match(lines[j]):
            if ANY_MARKER.search(lines[j]):
                raise LabError(f"{path}:{j + 1}: {lines[j].strip()!r} inside the solution of "
                               f"{part} (opened at line {start + 1}); expected LAB STUB first")
            j += 1
        if j == len(lines):
            raise LabError(f"{path}:{start + 1}: LAB SOLUTION {part} has no LAB STUB line")
        solution = lines[start + 1:j]
        k = j + 1
        stub = []
        while k < len(lines) and not pat["end"].match(lines[k]):
            if ANY_MARKER.search(lines[k]):
                raise LabError(f"{path}:{k + 1}: {lines[k].strip()!r} inside the stub of {part}; "
                               "expected LAB END")
            if pat["stub_line"] is not None:
                stub_line = pat["stub_line"].match(lines[k])
                if not stub_line:
                    raise LabError(f"{path}:{k + 1}: a stub line of {part} must start with "
                                   f"{style[1]}| (the rest is the line as the handout has it)")
                stub.append(stub_line.group(1))
            else:
                stub.append(lines[k])
            k += 1
        if k == len(lines):
            raise LabError(f"{path}:{start + 1}: LAB SOLUTION {part} has no LAB END line")
        found.append(Region(part, path, start, k + 1, solution, stub, style, indent))
        i = k + 1
    return found


def _syntax_help(styles: list[tuple]) -> str:
    return " or ".join(s[1] if s[0] == "line" else f"{s[1]} {s[2]}" for s in styles)


def strip(path: Path, parts: set[str], text: str | None = None) -> tuple[str, list[str]]:
    """The handout's text of one file: regions of `parts` become their stubs.
    Returns (text, the original text of each replaced region, in order)."""
    text = path.read_text() if text is None else text
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    taken: list[str] = []
    at = 0
    for region in regions(path, text):
        if not region.parts & parts:
            continue
        out.extend(lines[at:region.start])
        out.append(_marker(region.style, region.indent,
                           f"LAB PART {region.part}: replace the stub below with your code"))
        out.extend(region.stub)
        out.append(_marker(region.style, region.indent, f"LAB PART END {region.part}"))
        taken.append("".join(lines[region.start:region.end]))
        at = region.end
    out.extend(lines[at:])
    return "".join(out), taken


def restore(path: Path, text: str, originals: list[str]) -> str:
    """Put the solutions back: each LAB PART ... LAB PART END block of a handout
    file becomes the original region it came from. The inverse of strip."""
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    queue = list(originals)
    i = 0
    while i < len(lines):
        opened = None
        for style in styles_for(path):
            match = _patterns(style)["part"].match(lines[i])
            if match:
                opened = (style, match.group(2))
                break
        if opened is None:
            out.append(lines[i])
            i += 1
            continue
        style, part = opened
        j = i + 1
        while j < len(lines) and not _patterns(style)["part_end"].match(lines[j]):
            j += 1
        if j == len(lines):
            raise LabError(f"{path}:{i + 1}: LAB PART {part} has no LAB PART END line")
        if not queue:
            raise LabError(f"{path}:{i + 1}: more LAB PART blocks than solutions")
        out.append(queue.pop(0))
        i = j + 1
    if queue:
        raise LabError(f"{path}: {len(queue)} solution(s) left over: a LAB PART block is missing")
    return "".join(out)


# -- parts ------------------------------------------------------------------------

@dataclasses.dataclass
class Part:
    id: str
    title: str
    points: int
    chapter: str
    depends: list[str]
    emulators: list[str]
    tests: list[str]
    hidden: list[str]


def load_parts(chapter: Path) -> list[Part]:
    """The parts a chapter declares in lab.toml (none if it has no lab.toml)."""
    file = chapter / PARTS_FILE
    if not file.exists():
        return []
    try:
        data = tomllib.loads(file.read_text())
    except tomllib.TOMLDecodeError as err:
        raise LabError(f"{file}: {err}") from None
    parts = []
    for n, entry in enumerate(data.get("part", []), 1):
        missing = [k for k in ("id", "title", "points", "tests") if k not in entry]
        if missing:
            raise LabError(f"{file}: part {n} lacks {', '.join(missing)}")
        parts.append(Part(entry["id"], entry["title"], int(entry["points"]), chapter.name,
                          list(entry.get("depends", [])),
                          list(entry.get("emulators", ["qemu", "bochs"])),
                          list(entry["tests"]), list(entry.get("hidden", []))))
    return parts


def _matches(nodeid: str, pattern: str) -> bool:
    """pattern is a node id, or its prefix before the parameters ([...]), and may
    hold * for any text: test_hello.py::test_greeting[*hello_gas]."""
    if nodeid == pattern or nodeid.startswith(pattern + "["):
        return True
    return "*" in pattern and re.fullmatch(re.escape(pattern).replace(r"\*", ".*"), nodeid) \
        is not None


def part_of(nodeid: str, parts: list[Part], hidden: bool = True) -> Part | None:
    """The part a test belongs to. nodeid is relative to the chapter's tests/
    folder: test_hello.py::test_print_hex[qemu]."""
    owners = [p for p in parts for pattern in p.tests + (p.hidden if hidden else [])
              if _matches(nodeid, pattern)]
    if len(owners) > 1:
        raise LabError(f"{nodeid} belongs to parts {', '.join(p.id for p in owners)}: "
                       "a graded test belongs to exactly one part")
    return owners[0] if owners else None


def chapters() -> list[Path]:
    return sorted(p for p in ROOT.glob("ch[0-9][0-9]-*") if (p / "Makefile").exists())


def find_chapter(name: str) -> Path:
    """CH=3, 03, ch03 or ch03-disk-load."""
    number = re.sub(r"^ch", "", name).split("-")[0]
    if number.isdigit():
        for chapter in chapters():
            if int(chapter.name[2:4]) == int(number):
                return chapter
    raise LabError(f"no chapter {name!r}; chapters: {' '.join(c.name for c in chapters())}")


def tracked(folder: Path) -> list[Path]:
    """The files git tracks under folder: what a fresh clone has."""
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z", "--", str(folder)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True).stdout
    except subprocess.CalledProcessError as err:
        raise LabError(f"{ROOT} is not a git checkout ({err.stderr.decode().strip()}): "
                       "make lab works from a clone of the course") from None
    return [ROOT / name for name in out.decode().split("\0") if name and (ROOT / name).exists()]


def chapter_regions(chapter: Path) -> list[Region]:
    return [r for f in tracked(chapter) if styles_for(f) for r in regions(f)]


def check_chapter(chapter: Path) -> list[Part]:
    """Parts and markers agree: every part has a region and tests, every region a part."""
    parts = load_parts(chapter)
    ids = [p.id for p in parts]
    if len(set(ids)) != len(ids):
        raise LabError(f"{chapter.name}/{PARTS_FILE}: a part id is declared twice: {ids}")
    found = chapter_regions(chapter)
    for region in found:
        for part in region.parts - set(ids):
            raise LabError(f"{region.path.relative_to(ROOT)}:{region.line}: part "
                           f"{part} is not declared in {chapter.name}/{PARTS_FILE}")
    for part in parts:
        mine = [r for r in found if part.id in r.parts]
        if not mine:
            raise LabError(f"{chapter.name}/{PARTS_FILE}: part {part.id} has no LAB SOLUTION "
                           "region in the chapter's files")
        # The stub must say so when it runs: some region of the part's code has it.
        if not any(f"{TODO_PREFIX}{part.id}" in line for r in mine
                   if r.path.suffix not in PROSE_SUFFIXES for line in r.stub):
            raise LabError(f"{chapter.name}: no stub of part {part.id} says "
                           f"'{TODO_PREFIX}{part.id}' when it runs")
        for dep in part.depends:
            if dep not in ids:
                raise LabError(f"{chapter.name}/{PARTS_FILE}: part {part.id} depends on "
                               f"{dep}, which is not a part of this chapter")
        if not part.tests:
            raise LabError(f"{chapter.name}/{PARTS_FILE}: part {part.id} grades no test")
        for pattern in part.tests + part.hidden:
            file = chapter / "tests" / pattern.split("::")[0]
            if not file.exists():
                raise LabError(f"{chapter.name}/{PARTS_FILE}: part {part.id} names {pattern}, "
                               f"but there is no {file.relative_to(ROOT)}")
            part_of(pattern, parts)          # raises when two parts claim it
    return parts


# -- handout and grader -------------------------------------------------------------

def builds_on(chapter: Path) -> list[str]:
    line = re.search(r"^BUILDS_ON\s*:?=(.*)$", (chapter / "Makefile").read_text(), re.M)
    return line.group(1).split() if line else []


def closure(selected: list[Path]) -> list[Path]:
    """The selected chapters and every chapter they build on, in order."""
    names: set[str] = set()
    todo = [c.name for c in selected]
    while todo:
        name = todo.pop()
        if name not in names:
            names.add(name)
            todo.extend(builds_on(ROOT / name))
    return [ROOT / n for n in sorted(names)]


def _in_handout(rel: str, chapter_names: set[str]) -> bool:
    top = rel.split("/")[0]
    if any(rel == t or (t.endswith("/") and rel.startswith(t)) for t in TEACHER_ONLY):
        return False
    if re.match(r"ch\d\d-", top):
        return top in chapter_names and f"/{HIDDEN_TESTS}/" not in f"/{rel}"
    return True


def significant(line: str) -> str | None:
    text = line.strip()
    return text if len(text) >= MIN_LEAK_CHARS else None


def leaks(solutions: list[str], files: dict[str, str]) -> list[str]:
    """Where a solution survives in the handout: a run of LEAK_RUN_LINES solution
    lines in a row, or (in prose) a solution line no code file of the handout has."""
    found = []
    runs = set()
    lines_all = set()
    for block in solutions:
        body = [significant(l) for l in block.splitlines()]
        body = [l for l in body if l and not ANY_MARKER.search(l)]
        lines_all.update(body)
        for n in range(len(body) - LEAK_RUN_LINES + 1):
            runs.add(tuple(body[n:n + LEAK_RUN_LINES]))
    code_lines = set()
    for rel, text in files.items():
        if Path(rel).suffix not in PROSE_SUFFIXES:
            code_lines.update(l.strip() for l in text.splitlines())
    secret = lines_all - code_lines
    for rel, text in files.items():
        lines = [l.strip() for l in text.splitlines()]
        for n in range(len(lines) - LEAK_RUN_LINES + 1):
            if tuple(lines[n:n + LEAK_RUN_LINES]) in runs:
                found.append(f"{rel}:{n + 1}: {LEAK_RUN_LINES} solution lines in a row, "
                             f"from {lines[n]!r}")
                break
        if Path(rel).suffix in PROSE_SUFFIXES:
            for n, line in enumerate(lines, 1):
                if line in secret:
                    found.append(f"{rel}:{n}: a solution line: {line!r}")
                    break
    return found


def read_all(folder: Path) -> dict[str, str]:
    """Every text file under folder (build output too), by relative path."""
    out = {}
    for path in folder.rglob("*"):
        if path.is_file() and ".git" not in path.relative_to(folder).parts:
            try:
                out[str(path.relative_to(folder))] = path.read_text()
            except (UnicodeDecodeError, OSError):
                continue
    return out


BUDGET_LINE = re.compile(r"^(\S+): (\d+) of (\d+) bytes used", re.M)


def budgets(folder: Path) -> dict[str, tuple[int, int]]:
    """Build a chapter: what each boot sector uses of its budget, by name, as the
    build kept it (build/NAME.budget, bios.mk). A build from before those files
    is made again from scratch (make -B), so that each sector says."""
    def build(*force: str) -> dict[str, tuple[int, int]]:
        out = subprocess.run(["make", "--no-print-directory", *force, "-C", str(folder), "all"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             timeout=900)
        if out.returncode != 0:
            raise LabError(f"{folder} does not build:\n{out.stdout[-3000:]}")
        kept = "".join(p.read_text() for p in sorted((folder / "build").glob("*.budget")))
        return {m.group(1): (int(m.group(2)), int(m.group(3)))
                for m in BUDGET_LINE.finditer(kept)}

    found = build()
    if not found and re.search(r"(bios|loader)\.mk", (folder / "Makefile").read_text()):
        found = build("-B")
    return found


def make_lab(selected: list[Path], part_ids: list[str] | None, out: Path,
             build: bool = True, log=print) -> dict:
    """Write out/handout (a fresh git repository) and out/grader; return the manifest."""
    parts = [p for c in selected for p in check_chapter(c)]
    if part_ids:
        unknown = set(part_ids) - {p.id for p in parts}
        if unknown:
            raise LabError(f"no part {', '.join(sorted(unknown))} in "
                           f"{' '.join(c.name for c in selected)}; parts: "
                           f"{' '.join(p.id for p in parts)}")
        parts = [p for p in parts if p.id in part_ids]
    if not parts:
        raise LabError(f"{' '.join(c.name for c in selected)}: no parts to hand out "
                       f"(a chapter declares them in {PARTS_FILE})")
    ids = {p.id for p in parts}
    for part in parts:
        for dep in part.depends:
            if dep not in ids:
                log(f"note: {part.id} depends on {dep}, which stays solved in this handout")
    handout, grader = out / "handout", out / "grader"
    for folder in (handout, grader):
        if folder.exists():
            shutil.rmtree(folder)
    names = {c.name for c in closure(selected)}
    files = [f for f in tracked(ROOT) if _in_handout(str(f.relative_to(ROOT)), names)]
    owned: dict[str, list[str]] = {}
    solutions: dict[str, list[str]] = {}
    secret: list[str] = []
    selected_names = {c.name for c in selected}
    for path in files:
        rel = str(path.relative_to(ROOT))
        target = handout / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if rel.split("/")[0] in selected_names and styles_for(path):
            text, taken = strip(path, ids)
            if taken and path.suffix not in PROSE_SUFFIXES:     # code, not the lesson
                owned[rel] = sorted({p for r in regions(path) for p in r.parts & ids})
            if taken:
                solutions[rel] = taken
                secret += ["".join(r.solution) for r in regions(path) if r.parts & ids]
            target.write_text(text)
        else:
            shutil.copyfile(path, target)
        shutil.copymode(path, target)
    manifest = {
        "chapters": sorted(selected_names),
        "parts": [dataclasses.asdict(p) | {"hidden": []} for p in parts],
        "owned": owned,
        "source": _describe_source(),
    }
    (handout / HANDOUT_MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    (handout / "LAB.md").write_text(_lab_md(parts, owned))
    readme = handout / HANDOUT_README
    if readme.exists():
        readme.write_text(_handout_readme(readme.read_text(), sorted(names), sorted(selected_names)))

    # The grader's folder: hidden tests, the solutions, what a learner owns.
    grader.mkdir(parents=True)
    for chapter in selected:
        hidden = chapter / HIDDEN_TESTS
        if hidden.exists():
            shutil.copytree(hidden, grader / "hidden" / chapter.name,
                            ignore=shutil.ignore_patterns("__pycache__"))
    for rel in owned:
        (grader / "solutions" / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / rel, grader / "solutions" / rel)
    (grader / "solutions.json").write_text(json.dumps(solutions, indent=1) + "\n")
    (grader / "grader.json").write_text(json.dumps(
        manifest | {"parts": [dataclasses.asdict(p) for p in parts]}, indent=2) + "\n")
    (grader / "owned.txt").write_text("".join(f"{rel}\n" for rel in owned))

    # The stub builds, within its budgets; nothing of a solution is left, built or not.
    report = {}
    if build:
        for chapter in selected:
            stub = budgets(handout / chapter.name)
            reference = budgets(chapter)
            for name, (used, budget) in sorted(stub.items()):
                ref = reference.get(name, (None, budget))[0]
                line = f"{chapter.name} {name}: stub {used} bytes, reference {ref} bytes, " \
                       f"budget {budget} ({budget - used} free with the stub)"
                report[f"{chapter.name}/{name}"] = {"stub": used, "reference": ref,
                                                     "budget": budget}
                log(line)
    found = leaks(secret, read_all(handout))
    if found:
        raise LabError("the handout still holds solution code:\n  " + "\n  ".join(found))
    for chapter in selected:
        shutil.rmtree(handout / chapter.name / "build", ignore_errors=True)
    _git_init(handout, f"Lab handout: {', '.join(sorted(selected_names))}")
    (grader / "budgets.json").write_text(json.dumps(report, indent=2) + "\n")
    total = sum(p.points for p in parts)
    log(f"handout: {handout} ({len(parts)} parts, {total} points; learners own "
        f"{', '.join(owned)})")
    log(f"grader:  {grader}")
    return manifest


def _describe_source() -> str:
    out = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return out.stdout.strip()


def _git_init(folder: Path, message: str) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="bootcamp", GIT_AUTHOR_EMAIL="bootcamp@localhost",
               GIT_COMMITTER_NAME="bootcamp", GIT_COMMITTER_EMAIL="bootcamp@localhost")
    for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", message]):
        subprocess.run(["git", "-C", str(folder), *cmd], check=True, env=env,
                       stdout=subprocess.DEVNULL)


def _handout_readme(text: str, present: list[str], selected: list[str]) -> str:
    """The course's README, opening with what this handout is, and without the
    section for teachers (the region between TEACHERS and TEACHERS END comments)."""
    text = re.sub(r"^<!-- TEACHERS -->\n.*?^<!-- TEACHERS END -->\n\n?", "", text,
                  flags=re.M | re.S)
    others = [c for c in present if c not in selected]
    note = (f"**A lab handout.** This copy holds {', '.join(f'`{c}/`' for c in selected)}"
            + (f" and what it builds on ({', '.join(f'`{c}/`' for c in others)})" if others else "")
            + ", not every chapter that the table below names. [LAB.md](LAB.md) says which"
            " files are yours and how they are graded; `make grade` shows your score.")
    title, _, rest = text.partition("\n\n")
    # No line break inside a `code span`: its spaces are held while wrapping.
    note = re.sub(r"`[^`]*`", lambda m: m.group(0).replace(" ", "\0"), note)
    note = textwrap.fill(note, 78, initial_indent="> ", subsequent_indent="> ")
    return f"{title}\n\n{note.replace(chr(0), ' ')}\n\n{rest}"


def _lab_md(parts: list[Part], owned: dict[str, list[str]]) -> str:
    lines = ["# Lab", "", "Your code goes between the `LAB PART <part>` and `LAB PART END <part>`",
             "lines of these files; each stub there says `LAB TODO: <part>` when it runs.", ""]
    for rel, ids in owned.items():
        lines.append(f"- `{rel}`: {', '.join(ids)}")
    lines += ["", "| part | points | what | builds on |", "|---|---|---|---|"]
    for p in parts:
        lines.append(f"| `{p.id}` | {p.points} | {p.title} | {', '.join(p.depends) or '-'} |")
    lines += ["", "`make grade` (here, or in the chapter's folder) builds, runs the tests of each",
              "part and prints your score; `make test` runs every test of the chapter.", ""]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bootcamp.lab", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("parts")
    sub.add_parser("check")
    make = sub.add_parser("make")
    make.add_argument("chapters", nargs="+")
    make.add_argument("--parts", default="")
    make.add_argument("--out", default="")
    args = parser.parse_args(argv)
    try:
        if (ROOT / HANDOUT_MANIFEST).exists() and args.command == "make":
            raise LabError("this is a handout: make a lab from the course's full tree")
        if args.command in ("parts", "check"):
            for chapter in chapters():
                for part in check_chapter(chapter):
                    if args.command == "parts":
                        print(f"{chapter.name:<18} {part.id:<16} {part.points:>3}  {part.title}")
            if args.command == "check":
                print("lab markers and parts: ok")
            return 0
        selected = [find_chapter(c) for c in args.chapters]
        out = Path(args.out) if args.out else ROOT / "build" / "lab" / "-".join(
            c.name for c in selected)
        make_lab(selected, [p for p in args.parts.split(",") if p], out.resolve())
        return 0
    except LabError as err:
        print(f"make lab: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
