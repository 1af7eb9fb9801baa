"""make bench's report: its format, and that every ratio it prints comes from
its own measurements. The timings here are made up; nothing is timed and no
time is asserted (figures live in make bench, never in a test)."""

import re
import shutil
from pathlib import Path

import pytest

from bootcamp import bench


def s(median):
    """A figure as make bench keeps it (made-up seconds)."""
    return {"median": median, "min": median, "max": median, "runs": 1}


def fake_report():
    floors = {
        "bios": {"clean_build": s(0.5), "rebuild": s(0.25), "qemu_ready": s(0.2),
                 "bochs_ready": s(1.0), "load": 3.0},
        "grub": {"clean_build": s(4.0), "rebuild": s(2.0), "qemu_ready": s(1.6),
                 "bochs_ready": s(2.5), "load": 3.0},
        "uefi": {"clean_build": s(2.0), "rebuild": s(1.0), "qemu_ready": s(5.0), "load": 3.0},
    }

    def chapter(name, floor, **figures):
        ch = {"chapter": name, "floor": floor, "ready_marker": "ready", "firmware": "bios",
              "images": {}, "boot_sectors": {}, "rebuild_touches": "x.c", "load": 4.0,
              "test_load": 4.0, "test_counts": {"passed": 3}, "test_cold_counts": {"passed": 3}}
        # The floor's boots taken in turn with the chapter's: here as fast as
        # the floor's boots of the whole run.
        for key in ("qemu_ready", "bochs_ready"):
            if key in floors[floor]:
                ch[f"floor_{key}"] = floors[floor][key]
        ch.update(figures)
        return ch
    chapters = [
        chapter("ch01-bootsector", "bios", clean_build=s(1.0), rebuild=s(0.5), qemu_ready=s(0.3),
                bochs_ready=s(1.5), test_seconds=4.0,
                boot_sectors={"boot": {"used": 255, "budget": 510}}),
        chapter("ch04-multiboot", "grub", clean_build=s(12.0), rebuild=s(8.0), qemu_ready=s(2.0),
                bochs_ready=s(3.0), test_seconds=16.0),
        chapter("ch06-uefi", "uefi", clean_build=s(6.0), qemu_ready=s(6.0), test_seconds=20.0,
                test_cold_seconds=60.0),
        chapter("ch07-net", "uefi", clean_build=s(8.0), qemu_ready=s(7.5), test_seconds=40.0,
                test_cold_seconds=120.0),
    ]
    return {"date": "2000-01-01T00:00:00", "runs": 1,
            "machine": {"cores": 2, "load_start": 3.0, "load_end": 5.0},
            "floors": floors, "chapters": chapters, "test_total_seconds": 80.0}


def test_each_chapter_is_read_against_its_own_floor():
    r = bench.ratios(fake_report())["chapters"]
    assert r["ch01-bootsector"]["qemu_ready"] == 0.3 / 0.2
    assert r["ch01-bootsector"]["bochs_ready"] == 1.5 / 1.0
    assert r["ch01-bootsector"]["clean_build"] == 1.0 / 0.5
    assert r["ch01-bootsector"]["rebuild"] == 0.5 / 0.25
    assert r["ch01-bootsector"]["boot_sectors"] == {"boot": 0.5}
    assert r["ch04-multiboot"]["qemu_ready"] == 2.0 / 1.6          # GRUB's, not the BIOS's
    assert r["ch04-multiboot"]["bochs_ready"] == 3.0 / 2.5
    assert r["ch06-uefi"]["qemu_ready"] == 6.0 / 5.0
    assert r["ch04-multiboot"]["test_in_floor_boots"] == 16.0 / 1.6


def test_boots_are_read_against_the_floor_booted_in_turn_with_them():
    report = fake_report()
    report["chapters"][1]["floor_qemu_ready"] = s(1.0)      # ch04's stretch was quicker
    r = bench.ratios(report)["chapters"]["ch04-multiboot"]
    assert r["qemu_ready"] == 2.0 / 1.0
    assert r["test_in_floor_boots"] == 16.0 / 1.6            # the floor of the whole run


def test_a_floor_s_units_are_all_its_boots_of_the_run():
    floors = {"grub": {"load": 3.0}, "bios": {"load": 3.0}}
    chapters = [{"floor": "grub", "floor_qemu_ready": bench.stats([1.0, 2.0]),
                 "floor_bochs_ready": bench.stats([5.0])},
                {"floor": "grub", "floor_qemu_ready": bench.stats([3.0])},
                {"floor": "bios", "floor_qemu_ready": bench.stats([0.5])}]
    bench.pool_floor_boots(floors, chapters)
    assert floors["grub"]["qemu_ready"]["samples"] == [1.0, 2.0, 3.0]
    assert floors["grub"]["qemu_ready"]["median"] == 2.0
    assert floors["grub"]["bochs_ready"]["median"] == 5.0
    assert floors["bios"]["qemu_ready"]["median"] == 0.5


def test_boots_compared_are_taken_in_turn_each_way(monkeypatch, tmp_path):
    order = []
    monkeypatch.setattr(bench, "RUNS", 4)
    monkeypatch.setattr(bench, "boot_to_ready",
                        lambda kind, spec, logdir, marker, source: order.append(spec) or 1.0)
    floor = {"name": "floor", "spec": "F", "marker": "", "source": "debug"}
    chapter = {"name": "ch", "spec": "C", "marker": "", "source": "debug"}
    times = bench.boots_in_turn(bench.Qemu, [floor, chapter], tmp_path)
    assert "".join(order) == "FCCFFCCF"
    assert times == [[1.0] * 4, [1.0] * 4]


def test_snapshots_are_compared_with_cold_boots_of_the_same_run():
    r = bench.ratios(fake_report())
    assert r["chapters"]["ch06-uefi"]["test_snapshots_over_cold"] == 20.0 / 60.0
    assert r["uefi_tests_snapshots_over_cold"] == (20.0 + 40.0) / (60.0 + 120.0)
    assert r["uefi_tests_chapters"] == ["ch06-uefi", "ch07-net"]
    assert "test_snapshots_over_cold" not in r["chapters"]["ch01-bootsector"]


def test_a_figure_without_its_floor_is_left_out():
    report = fake_report()
    del report["chapters"][1]["floor_bochs_ready"]
    assert "bochs_ready" not in bench.ratios(report)["chapters"]["ch04-multiboot"]


def test_the_report_prints_ratios_and_only_the_floors_in_seconds(capsys):
    report = fake_report()
    report["ratios"] = bench.ratios(report)
    bench.print_report(report, previous=None)
    text = capsys.readouterr().out
    floors, chapters = text.split("\nchapters", 1)
    # Seconds appear in the floors (the units) and in the whole make test only.
    seconds = [line for line in chapters.splitlines() if re.search(r"\d s\b", line)]
    assert len(seconds) == 1 and seconds[0].startswith("whole make test: 80.0 s"), seconds
    for name in ("bios", "grub", "uefi"):
        assert re.search(rf"^  {name} ", floors, re.M), floors
    assert "QEMU to ready    x1.25" in chapters           # ch04: 2.0 / 1.6
    assert "snapshots / cold, same run: x0.33" in chapters
    assert re.search(r"load average 3\.0 at the start, 5\.0 at the end", text)


def test_the_previous_run_is_shown_beside_each_ratio(capsys):
    previous = fake_report()
    previous["chapters"][1]["qemu_ready"] = s(3.2)                 # x2.00 last time
    previous["ratios"] = bench.ratios(previous)
    report = fake_report()
    report["ratios"] = bench.ratios(report)
    bench.print_report(report, previous)
    assert "QEMU to ready    x1.25  (last x2.00)" in capsys.readouterr().out


def with_own_figures(report, ratios=(0.96, 0.95)):
    """ch07's own bench, as its make bench leaves it (made-up ratios)."""
    report["chapters"][-1]["own_bench"] = {"figures": [
        {"name": "ours", "title": "download, checked / ceiling", "ratio": ratios[0],
         "goal_at_least": 0.9},
        {"name": "ours_count", "title": "download, counted / ceiling", "ratio": ratios[1]}]}
    return report


def test_a_chapter_s_own_figures_join_its_ratios_and_the_report(capsys):
    previous = with_own_figures(fake_report(), ratios=(0.80, None))
    previous["ratios"] = bench.ratios(previous)
    report = with_own_figures(fake_report())
    report["ratios"] = bench.ratios(report)
    assert report["ratios"]["chapters"]["ch07-net"]["own"] == {"ours": 0.96, "ours_count": 0.95}
    assert "own" not in previous["ratios"]["chapters"]["ch06-uefi"]
    bench.print_report(report, previous)
    text = capsys.readouterr().out
    ch07 = text.split("\nch07-net", 1)[1]
    assert "  download, checked / ceiling: x0.96  (last x0.80)  (goal: x0.90 or more)" in ch07
    assert "  download, counted / ceiling: x0.95\n" in ch07          # no goal, no last ratio
    report["chapters"][-1]["own_bench"]["figures"][1]["title"] = "counted"
    bench.print_report(report, previous)
    ch07 = capsys.readouterr().out.split("\nch07-net", 1)[1]
    assert "  counted:                     x0.95\n" in ch07          # in line with the longest


def chapter_with_bench(tmp_path, recipe):
    folder = tmp_path / "ch99-x"
    folder.mkdir()
    (folder / "Makefile").write_text("bench:\n" + "".join(f"\t{line}\n" for line in recipe))
    return folder


def test_a_chapter_s_own_bench_that_fails_or_leaves_no_figures_is_named(tmp_path, capsys):
    logs = tmp_path / "logs"
    failing = chapter_with_bench(tmp_path, ["@echo the probe is missing", "@exit 3"])   # make: 2
    out = bench.own_bench(failing, "build/figures.json", logs)
    assert out["error"].startswith("its make bench failed (exit status 2); see "), out
    assert "the probe is missing" in Path(out["error"].rsplit("see ", 1)[1]).read_text()

    (failing / "Makefile").write_text("bench:\n\t@true\n")
    (failing / "build").mkdir()
    (failing / "build" / "figures.json").write_text('{"figures": []}')   # an earlier run's
    out = bench.own_bench(failing, "build/figures.json", logs)
    assert out["error"].startswith("its make bench left no figures in "), out
    assert "FileNotFoundError" in out["error"]

    (failing / "Makefile").write_text(
        "bench:\n\t@mkdir -p build; echo '{\"figures\": [{\"name\": \"x\"}]}' > build/figures.json\n")
    out = bench.own_bench(failing, "build/figures.json", logs)
    assert "a figure without a name, title or ratio" in out["error"], out

    report = fake_report()
    report["chapters"][-1]["own_bench"] = out
    report["ratios"] = bench.ratios(report)
    bench.print_report(report, None)
    assert f"  its own bench    {out['error']}" in capsys.readouterr().out


def test_a_chapter_s_own_bench_that_works_gives_its_figures(tmp_path):
    figures = '{"figures": [{"name": "x", "title": "x / ceiling", "ratio": 0.5}]}'
    folder = chapter_with_bench(tmp_path, [f"@mkdir -p build; echo '{figures}' > build/f.json"])
    out = bench.own_bench(folder, "build/f.json", tmp_path / "logs")
    assert out == {"figures": [{"name": "x", "title": "x / ceiling", "ratio": 0.5}]}


@pytest.mark.skipif(not shutil.which("gnuplot"), reason="gnuplot is not installed (make doctor)")
def test_the_chart_has_a_bar_for_each_ratio_and_each_own_figure(tmp_path):
    report = with_own_figures(fake_report())
    report["ratios"] = bench.ratios(report)
    assert bench.chart(report, tmp_path / "bench.png") == f"chart: {tmp_path / 'bench.png'}"
    assert (tmp_path / "bench.png").read_bytes().startswith(b"\x89PNG")
    header, *rows = (tmp_path / "bench.dat").read_text().splitlines()
    columns = header.split()[2:]
    assert columns == ["clean_build", "qemu_ready", "bochs_ready", "test_snapshots_over_cold",
                       "own:ours", "own:ours_count"]
    values = {row.split()[0]: dict(zip(columns, map(float, row.split()[1:]))) for row in rows}
    assert values["ch07-net"]["own:ours"] == 0.96
    assert values["ch07-net"]["test_snapshots_over_cold"] == round(40.0 / 120.0, 3)
    assert values["ch01-bootsector"]["own:ours"] == 0         # no bar (drawn as no point)
    assert values["ch04-multiboot"]["qemu_ready"] == 1.25
