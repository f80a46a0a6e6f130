"""The fault's onset the diagnosis reads from: episodes bridged, old warnings left out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from smokejumper.rca.onset import Signal, episode, fault_onset

HOUR = timedelta(hours=1)
T0 = datetime(2026, 11, 2, tzinfo=UTC)


def _at(index: int) -> datetime:
    return T0 + index * HOUR


def _verdicts(marks: str) -> list[tuple[datetime, bool | None]]:
    """``x`` unhealthy, ``.`` healthy, ``?`` no verdict, `` `` not observed; hourly from T0."""
    table = {"x": False, ".": True, "?": None}
    return [(_at(i), table[m]) for i, m in enumerate(marks) if m != " "]


def test_a_flickering_page_reaches_back_to_where_the_fault_began() -> None:
    # accuracy under a label-mix shift: unhealthy from window 4, healthy now and then
    observed = {"accuracy": _verdicts("....xxxx.xxx.xxxxxxx")}
    page = Signal("accuracy", _at(13), True, HOUR)  # its trailing run began at 13
    assert fault_onset([page], observed) == _at(4)


def test_a_break_longer_than_the_bridge_and_the_run_beyond_it_ends_the_episode() -> None:
    observed = {"accuracy": _verdicts("...x...xxxxxx")}
    assert fault_onset([Signal("accuracy", _at(7), True, HOUR)], observed) == _at(7)
    # the same break of three, before a run of three: most windows unhealthy, bridged
    longer = {"accuracy": _verdicts("xxx...xxxxxx")}
    assert fault_onset([Signal("accuracy", _at(6), True, HOUR)], longer) == _at(0)
    # two healthy windows in a row are always bridged
    flicker = {"accuracy": _verdicts("....x..x.x..xxxx")}
    assert fault_onset([Signal("accuracy", _at(12), True, HOUR)], flicker) == _at(4)


def test_a_warning_that_ended_long_before_the_page_is_left_out() -> None:
    observed = {"accuracy": _verdicts("..........xxxxx"), "drift": _verdicts("x..............")}
    signals = [Signal("drift", _at(0), False, HOUR), Signal("accuracy", _at(10), True, HOUR)]
    assert fault_onset(signals, observed) == _at(10)


def test_a_warning_that_runs_into_the_page_moves_the_onset_earlier() -> None:
    # a feature drifts from window 3; accuracy pages from 6 (one healthy window between counts)
    observed = {"accuracy": _verdicts("......xxxx"), "drift": _verdicts("...xx.xxxx")}
    signals = [Signal("accuracy", _at(6), True, HOUR), Signal("drift", _at(6), False, HOUR)]
    assert fault_onset(signals, observed) == _at(3)
    apart = {"accuracy": _verdicts("......xxxx"), "drift": _verdicts(".xx.......")}
    signals = [Signal("accuracy", _at(6), True, HOUR), Signal("drift", _at(1), False, HOUR)]
    assert fault_onset(signals, apart) == _at(6)


def test_without_a_page_every_alert_anchors() -> None:
    observed = {"drift": _verdicts("..xxx.xx"), "quality": _verdicts(".....xxx")}
    signals = [Signal("drift", _at(6), False, HOUR), Signal("quality", _at(5), False, HOUR)]
    assert fault_onset(signals, observed) == _at(2)
    assert fault_onset([], observed) is None


def test_unjudged_and_missing_windows_break_like_healthy_ones() -> None:
    assert episode(_verdicts("xx?xx"), _at(4), HOUR) == (_at(0), _at(4))
    assert episode(_verdicts("x???xx"), _at(5), HOUR) == (_at(4), _at(5))
    assert episode(_verdicts("x?.?xx"), _at(5), HOUR) == (_at(4), _at(5))
    assert episode(_verdicts("x   xx"), _at(5), HOUR) == (_at(4), _at(5))
    assert episode(_verdicts("xx xx"), _at(4), HOUR) == (_at(0), _at(4))
    # a monitor without observations keeps its alert's own window
    assert fault_onset([Signal("gone", _at(3), True, HOUR)], {}) == _at(3)
