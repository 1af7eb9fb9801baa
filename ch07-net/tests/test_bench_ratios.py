"""ch07's make bench reads every rate against the ceiling measured around it.
Made-up rates, no boot: nothing here is timed (bench_net.py measures)."""

from bench_net import figures, round_ratios


def test_each_round_is_read_against_the_ceilings_around_it():
    ceilings = [8.0, 4.0, 6.0]                      # before round 1, between, after round 2
    rounds = [{"ours": 5.4, "ipxe": 12.0}, {"ours": 4.5, "ipxe": None}]
    r = round_ratios(ceilings, rounds)
    assert r["ours"]["each"] == [0.9, 0.9]         # 5.4 / mean(8, 4); 4.5 / mean(4, 6)
    assert r["ours"]["median"] == 0.9
    assert r["ipxe"]["each"] == [2.0, None]         # a failed measurement is no ratio
    assert r["ipxe"]["median"] == 2.0


def test_a_missing_ceiling_leaves_the_other_one():
    r = round_ratios([None, 5.0], [{"ours": 4.0}])
    assert r["ours"]["each"] == [0.8]


def test_the_course_s_bench_gets_each_median_and_the_goal_for_the_checked_download():
    r = round_ratios([8.0, 4.0, 6.0], [{"ours": 5.4, "ours_count": 6.0, "ipxe": None},
                                       {"ours": 4.0, "ours_count": 5.0, "ipxe": None}])
    shown = {f["name"]: f for f in figures(r)}
    assert shown["ours"]["ratio"] == r["ours"]["median"] == 0.85      # 0.9 and 0.8
    assert shown["ours"]["goal_at_least"] == 0.9
    assert shown["ours_count"]["ratio"] == 1.0 and "goal_at_least" not in shown["ours_count"]
    assert shown["ipxe"]["ratio"] is None                             # not measured: no ratio
    assert shown["ours_upload"]["ratio"] is None                      # not in these rounds
    assert all(f["title"] for f in shown.values())
