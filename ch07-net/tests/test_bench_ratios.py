"""ch07's make bench reads every rate against the ceiling measured around it.
Made-up rates, no boot: nothing here is timed (bench_net.py measures)."""

from bench_net import round_ratios


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
