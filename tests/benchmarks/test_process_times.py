"""The benchmark's growth schedule and verdicts (no timing: the script's arithmetic on given numbers)."""

from __future__ import annotations

import argparse

from benchmarks.process_times import Timing, growth_schedule, verdict


def args(**given) -> argparse.Namespace:
    return argparse.Namespace(**{"endpoints": None, "growth_use_cases": 50, "repeat": 3, **given})


def test_the_default_schedule_has_the_heavy_points_at_their_own_repeat():
    assert growth_schedule(args(), 1) == [(1, 0, 3), (10, 0, 3), (30, 0, 3), (100, 0, 1), (0, 50, 1)]


def test_heavy_repeat_zero_leaves_out_the_heavy_points_even_when_named():
    assert growth_schedule(args(), 0) == [(1, 0, 3), (10, 0, 3), (30, 0, 3)]
    assert growth_schedule(args(endpoints=[100]), 0) == []


def test_one_growth_point_alone():
    assert growth_schedule(args(endpoints=[100], growth_use_cases=0), 1) == [(100, 0, 1)]


def test_a_missed_memory_target_names_the_floor_and_the_gap():
    text = verdict("plan 100 endpoints", Timing(4.5, 4.6, 391), Timing(2.1, 2.2, 283))
    assert text == "<= 5.0 met; <= 300 MiB MISSED (floor 283 MiB, +108 over it)"
    assert verdict("plan 100 endpoints", Timing(4.5, 4.6, 290), Timing(2.1, 2.2, 283)) == "<= 5.0 met; <= 300 MiB met"


def test_a_memory_target_under_the_floor_says_so():
    text = verdict("plan 100 endpoints", Timing(4.5, 4.6, 391), Timing(2.5, 2.6, 336))
    assert text == "<= 5.0 met; <= 300 MiB MISSED (floor 336 MiB, itself over the target; +55 over it)"
