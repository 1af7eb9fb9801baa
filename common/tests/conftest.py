"""What the shared tools' own tests share."""

from pathlib import Path

import pytest

from bootcamp.plugin import Chapter

ROOT = Path(__file__).resolve().parents[2]
FIRST_CHAPTER = ROOT / "ch01-bootsector"


@pytest.fixture
def first_chapter_to_ourselves() -> Path:
    """Tests that run ch01's own tests in the course's tree (its make test, make
    grade) take turns: each run clears and writes the same build/test-logs/."""
    with Chapter(FIRST_CHAPTER).taking_turns("tests"):
        yield FIRST_CHAPTER
