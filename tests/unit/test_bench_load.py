"""The load benchmark's pure parts (zik_local/bench_load.py): the mix, the figures, the targets, the report,
and the process-tree memory reader on this test's own process. The measurement itself is `make load`'s."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from zik_local import bench_load
from zik_local.bench_load import GIB, MIB, LevelFigures, LoadFigures, Memory, Sample


def test_percentile_is_nearest_rank():
    values = [float(n) for n in range(1, 101)]
    assert bench_load.percentile(values, 0.50) == 50.0
    assert bench_load.percentile(values, 0.99) == 99.0
    assert bench_load.percentile(list(reversed(values)), 0.99) == 99.0
    # Few values: p99 is the slowest answer, never between two answers.
    assert bench_load.percentile([0.3, 0.1, 0.2], 0.99) == 0.3
    assert bench_load.percentile([0.7], 0.5) == 0.7
    with pytest.raises(ValueError):
        bench_load.percentile([], 0.5)


def test_each_client_posts_one_goal_and_one_chat_message_then_cycles_the_four_reads_and_writes():
    calls = bench_load.calls_of(3)
    routes = [next(calls).route for _ in range(5 + 5 + 4 * 10)]
    assert routes.count("POST /goals") == 1 and routes.count("POST /chat") == 1
    assert routes[0] == "POST /goals" and routes[5] == "POST /chat"
    cycle = ["GET /me", "GET /tasks", "POST /entries", "GET /entries"]
    assert routes[1:5] == cycle and routes[6:10] == cycle
    assert routes[10:] == cycle * 10


def test_the_mix_sends_bodies_the_api_accepts():
    schemas = Path(__file__).resolve().parents[2] / "layers/shared/zik/schemas/requests"
    required = {
        "POST /goals": json.loads((schemas / "goal_create.json").read_text())["required"],
        "POST /entries": json.loads((schemas / "entry_create.json").read_text())["required"],
        "POST /chat": json.loads((schemas / "chat_message.json").read_text())["required"],
    }
    for call in bench_load.mix(7, 0) + bench_load.mix(7, 1):
        if call.method == "POST":
            assert call.body is not None and set(required[call.route]) <= set(call.body), call
        else:
            assert call.body is None, call
    # One client's entries differ from pass to pass (no idempotent replay hides a write).
    assert bench_load.mix(7, 2)[2].body != bench_load.mix(7, 3)[2].body


def test_level_figures_count_throughput_percentiles_per_route_and_errors_by_status():
    samples = [Sample("GET /me", 200, 0.010 * n) for n in range(1, 11)]
    samples += [Sample("POST /entries", 201, 0.5), Sample("POST /entries", 429, 0.02, answer='{"message":"Too Many Requests"}')]
    samples += [Sample("GET /tasks", 0, 60.0, answer="TimeoutError()"), Sample("GET /tasks", 503, 0.1, answer="first")]
    samples += [Sample("GET /tasks", 503, 0.1, answer="second")]
    level = bench_load.level_figures(10, 8.0, samples)
    assert level.throughput == pytest.approx(15 / 8.0)
    assert level.overall.requests == 15 and level.overall.errors == 4
    assert level.overall.p99 == 60.0
    assert level.routes["GET /me"].p50 == pytest.approx(0.05) and level.routes["GET /me"].p99 == pytest.approx(0.10)
    assert level.routes["GET /me"].errors == 0
    assert level.routes["POST /entries"].errors == 1 and level.routes["GET /tasks"].errors == 3
    assert level.errors == {0: 1, 429: 1, 503: 2}
    # The first answer of each failed route and status, to tell what failed.
    assert level.failures == {
        "GET /tasks 503": "first",
        "GET /tasks no answer": "TimeoutError()",
        "POST /entries 429": '{"message":"Too Many Requests"}',
    }
    assert list(level.routes) == sorted(level.routes)
    assert level.second_half is None  # every sample says it was sent at the level's start


def test_the_second_half_of_a_level_counts_the_requests_sent_in_it():
    first = [Sample("POST /goals", 202, 4.0, sent=0.0), Sample("GET /me", 200, 3.0, sent=3.4)]
    later = [Sample("GET /me", 200, 0.1 * n, sent=5.0 + n) for n in range(1, 5)]
    level = bench_load.level_figures(2, 10.0, first + later)
    assert level.second_half == bench_load.Latency(4, 0.2, 0.4, 0)
    assert level.overall.p99 == 4.0
    text = bench_load.report(LoadFigures(Memory(1, 1, 1), [level], Memory(1, 1, 1), 1.0))
    assert (
        "2 client(s), 10.0 s, 6 requests (sent in its second half, after every client's goal and chat message sent in step: 4, p50 200 ms, p99 400 ms)"
        in text
    )


def _figures(
    *, idle: int = 500 * MIB, p99_10: float = 0.8, p99_50: float = 2.0, peak_50: int = GIB, errors_50: dict[int, int] | None = None
) -> LoadFigures:
    def level(clients: int, p99: float, peak: int, errors: dict[int, int]) -> LevelFigures:
        latency = bench_load.Latency(100, p99 / 4, p99, sum(errors.values()))
        failures = {
            f"GET /me {status or 'no answer'}": "TimeoutError()" if not status else '{"message":"Internal server error"}' for status in errors
        }
        return LevelFigures(clients, 30.0, 50.0, latency, {"GET /me": latency}, errors, Memory(peak, peak // 2, 12), failures=failures)

    return LoadFigures(
        idle=Memory(idle, idle // 2, 5),
        levels=[level(1, 0.1, idle, {}), level(10, p99_10, idle, {}), level(50, p99_50, peak_50, errors_50 or {})],
        after=Memory(idle, idle // 2, 5),
        back_after=4.0,
        functions=54,
    )


def test_every_target_is_met_by_figures_within_them():
    assert [met for _, _, met in bench_load.verdicts(_figures())] == [True] * 6


@pytest.mark.parametrize(
    ("figures", "missed"),
    [
        (_figures(idle=601 * MIB), 0),
        (_figures(p99_10=1.0), 1),
        (_figures(errors_50={500: 1}), 2),
        (_figures(p99_50=3.2), 3),
        (_figures(peak_50=int(1.6 * GIB)), 4),
    ],
)
def test_a_figure_past_its_target_misses_that_target_alone(figures, missed):
    met = [m for _, _, m in bench_load.verdicts(figures)]
    assert met == [n != missed for n in range(6)]


def test_memory_not_back_within_the_minute_misses_and_an_absent_level_is_not_judged():
    figures = _figures()
    figures.back_after = None
    figures.levels = figures.levels[:1]
    verdicts = bench_load.verdicts(figures)
    assert [met for _, _, met in verdicts] == [True, None, None, None, None, False]
    assert "not within the minute" in verdicts[-1][1]


def test_back_under_is_the_first_sample_from_which_memory_stays_under_the_limit():
    def after(*rss_mib: int) -> list[tuple[float, Memory]]:
        return [(float(n), Memory(r * MIB, 0, 1)) for n, r in enumerate(rss_mib)]

    assert bench_load.back_under(after(900, 700, 590, 580), 600 * MIB) == 2.0
    # Down, then up again: only the last descent counts.
    assert bench_load.back_under(after(900, 590, 700, 580, 570), 600 * MIB) == 3.0
    assert bench_load.back_under(after(900, 800, 700), 600 * MIB) is None
    assert bench_load.back_under([], 600 * MIB) is None


def test_the_report_has_a_row_per_level_routes_and_marks():
    figures = _figures(p99_50=3.5, errors_50={0: 2, 504: 1})
    text = bench_load.report(figures)
    assert "(54 functions)" in text
    assert "| idle | - | - | - | - | 500 MiB | 250 MiB | 5 |" in text
    assert "| 50 | 50.0 req/s | 875 ms | 3.50 s | 2× no answer, 1× 504 | 1.00 GiB | 512 MiB | 12 |" in text
    assert "| 1 min after |" in text
    assert "| 50 clients: p99 < 3 s | 3.50 s | ✗ |" in text
    assert "| 10 clients: p99 < 1 s | 800 ms | ✓ |" in text
    assert '- first GET /me 504: {"message":"Internal server error"}' in text and "- first GET /me no answer: TimeoutError()" in text
    document = bench_load.as_json(figures)
    assert json.loads(json.dumps(document))["levels"][2]["errors"] == {"0": 2, "504": 1}
    assert [t["met"] for t in document["targets"]] == [True, True, False, False, True, True]


def test_levels_are_parsed_from_the_command_line():
    assert bench_load.parse_levels("1,10,50") == [1, 10, 50]
    assert bench_load.parse_levels("5") == [5]
    for bad in ("", "0,10", "ten"):
        with pytest.raises((ValueError, bench_load.argparse.ArgumentTypeError)):
            bench_load.parse_levels(bad)


def test_descendants_walks_the_whole_tree_below_the_root():
    parent_of = {1: 0, 10: 1, 11: 10, 12: 10, 13: 12, 20: 1, 30: 99}
    assert bench_load.descendants(10, parent_of) == {10, 11, 12, 13}
    assert bench_load.descendants(13, parent_of) == {13}
    assert bench_load.descendants(1, parent_of) == {1, 10, 11, 12, 13, 20}


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads /proc (Linux)")
def test_tree_memory_of_this_process_counts_a_child_it_starts():
    alone = bench_load.tree_memory(os.getpid())
    assert alone.processes >= 1 and alone.rss > 10 * MIB and 0 < alone.pss <= alone.rss
    assert bench_load.parents()[os.getpid()] == os.getppid()
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        with_child = bench_load.tree_memory(os.getpid())
        assert child.pid in bench_load.descendants(os.getpid(), bench_load.parents())
        assert with_child.processes >= alone.processes + 1
    finally:
        child.communicate(b"")
    # A process that is gone counts nothing, rather than failing the sample.
    assert bench_load.tree_memory(child.pid) == Memory(0, 0, 1)
