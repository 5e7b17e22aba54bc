"""``make load``: the local cloud under load, and the memory it holds, printed next to issue 18's targets.

    python -m zik_local.bench_load [--clients 1,10,50] [--seconds 30] [--json PATH]

It starts a fresh ``zik dev`` (every function of template.yaml, free ports), waits until the whole stack is
created, and runs each level of clients for ``--seconds``: each client is a thread with a user of its own
(new at each level, so that one level's entries do not weigh on the next's reads) and one keep-alive
connection, cycling GET /me, GET /tasks, POST /entries, GET /entries, with one goal created (POST /goals)
and one chat message (POST /chat) per client per level. The asynchronous work these start (an entry's
insight, a goal's roadmap workflow) runs meanwhile, as it would in the cloud.

Reported per level: throughput (answered requests per second of the level's wall time, in-flight requests
included), p50 / p99 per route and overall, errors by status (0: the connection failed), and the memory of
``zik dev``'s whole process tree (the server, its execution environments, the embedded AWS), sampled every
second from /proc: at idle before the first level, its peak during each level, and one minute after the
last. RSS is what the targets read (a forked environment's shared pages count once per process, as
``ps`` and the issue's figures count them); PSS beside it counts each shared page once, what the tree
really holds.

The per-user rate limit (UserRateLimitPerMinute, 1,000 a minute) is lifted for the run: one client here
sends more than a person would, and the bench measures the platform, not the limit. Its counter is still
written on every request, so its cost is in the figures. The stage throttle keeps the template's default.

The machine's other work shifts the figures; a missed target is reported, not fatal (exit 0). A server
that does not start exits 1.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from zik_local.bench import BenchError, DevProcess
from zik_local.runtime import IDLE_SECONDS, reap_period

MIB = 1024 * 1024
GIB = 1024 * MIB
DEFAULT_CLIENTS = (1, 10, 50)
DEFAULT_SECONDS = 30.0
# After the stack is complete, before idle is read: the environments that start-up used (its custom resources,
# the first route's) are reclaimed once idle for the runtime's IDLE_SECONDS, by a reaper that looks every
# reap_period (a sixth of it, at most 5 s); idle is the local cloud at rest, what a developer's laptop holds
# between requests. (ZIK_IDLE_SECONDS in the shell reaches the server too.)
_REAPED_AFTER = float(os.environ.get("ZIK_IDLE_SECONDS") or IDLE_SECONDS)
IDLE_SETTLE_SECONDS = _REAPED_AFTER + reap_period(_REAPED_AFTER) + 2.0
IDLE_SAMPLES = 5
AFTER_SECONDS = 60.0
SAMPLE_INTERVAL = 1.0
REQUEST_TIMEOUT = 60.0
# How much of a failed request's answer the report keeps: enough for the error's type and message.
ANSWER_KEPT = 300
NO_USER_RATE_LIMIT = ("--parameter", "UserRateLimitPerMinute=100000000")

TARGET_IDLE_BYTES = 600 * MIB
TARGET_P99_10_S = 1.0
TARGET_P99_50_S = 3.0
TARGET_PEAK_50_BYTES = int(1.5 * GIB)
TARGET_AFTER_RATIO = 1.2


# -- the mix ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: dict[str, Any] | None = None

    @property
    def route(self) -> str:
        return f"{self.method} {self.path}"


CHAT_MESSAGE = "What should I do today?"


def mix(client: int, turn: int) -> list[Call]:
    """The requests of one client's ``turn``-th pass through the mix: the four of every pass, with the level's
    one goal before the first pass and its one chat message before the second."""
    calls = [
        Call("GET", "/me"),
        Call("GET", "/tasks"),
        Call("POST", "/entries", {"content": f"Load client {client}, pass {turn}: a short day, a long walk, a good talk.", "mood": 3}),
        Call("GET", "/entries"),
    ]
    if turn == 0:
        return [Call("POST", "/goals", {"title": f"Run a 10k (load client {client})"}), *calls]
    if turn == 1:
        return [Call("POST", "/chat", {"message": CHAT_MESSAGE}), *calls]
    return calls


def calls_of(client: int) -> Iterator[Call]:
    turn = 0
    while True:
        yield from mix(client, turn)
        turn += 1


# -- figures ----------------------------------------------------------------------------------------------
def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (p99 of 50 values is the largest: no interpolation between two answers)."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(fraction * len(ordered))))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Sample:
    route: str
    status: int  # 0: no answer (the connection failed or timed out)
    seconds: float
    sent: float = 0.0  # seconds from the level's start to the request's
    answer: str = ""  # a failed request's answer (its start), to say what failed

    @property
    def failed(self) -> bool:
        return self.status == 0 or self.status >= 400


@dataclass(frozen=True)
class Latency:
    requests: int
    p50: float
    p99: float
    errors: int

    @staticmethod
    def of(samples: list[Sample]) -> Latency:
        seconds = [s.seconds for s in samples]
        return Latency(len(samples), percentile(seconds, 0.50), percentile(seconds, 0.99), sum(s.failed for s in samples))


@dataclass(frozen=True)
class Memory:
    rss: int
    pss: int
    processes: int


@dataclass
class LevelFigures:
    clients: int
    seconds: float
    throughput: float
    overall: Latency
    routes: dict[str, Latency]
    errors: dict[int, int]
    peak: Memory | None = None
    # The requests sent in the level's second half: its first holds every client's first requests at once (a
    # goal each, then a chat message each), its second the mix once the clients no longer move in step.
    second_half: Latency | None = None
    # The first answer of each route and status that failed ("GET /entries 500": its body's start).
    failures: dict[str, str] = field(default_factory=dict)


def level_figures(clients: int, seconds: float, samples: list[Sample]) -> LevelFigures:
    by_route: dict[str, list[Sample]] = {}
    for sample in samples:
        by_route.setdefault(sample.route, []).append(sample)
    errors = Counter(s.status for s in samples if s.failed)
    failures: dict[str, str] = {}
    for sample in samples:
        if sample.failed:
            failures.setdefault(f"{sample.route} {sample.status or 'no answer'}", sample.answer)
    return LevelFigures(
        clients=clients,
        seconds=seconds,
        throughput=len(samples) / seconds if seconds > 0 else 0.0,
        overall=Latency.of(samples),
        routes={route: Latency.of(found) for route, found in sorted(by_route.items())},
        errors=dict(sorted(errors.items())),
        second_half=Latency.of(later) if (later := [s for s in samples if s.sent >= seconds / 2]) else None,
        failures=dict(sorted(failures.items())),
    )


@dataclass
class LoadFigures:
    idle: Memory
    levels: list[LevelFigures]
    after: Memory  # one minute after the last level
    back_after: float | None  # seconds after the last level until the tree's RSS was under 1.2x idle; None: not within the minute
    functions: int = 0
    notes: list[str] = field(default_factory=list)


# -- memory of a process tree, from /proc -----------------------------------------------------------------
def parents() -> dict[int, int]:
    """Every process's parent, from /proc/<pid>/stat (this kernel has no /proc/<pid>/task/<tid>/children)."""
    found: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                # The command name is in parentheses and may hold spaces and parentheses: the parent follows the last ")".
                found[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue  # gone meanwhile
    return found


def descendants(root: int, parent_of: dict[int, int]) -> set[int]:
    """``root`` and every process below it."""
    children: dict[int, list[int]] = {}
    for pid, parent in parent_of.items():
        children.setdefault(parent, []).append(pid)
    tree, frontier = {root}, [root]
    while frontier:
        for child in children.get(frontier.pop(), []):
            if child not in tree:
                tree.add(child)
                frontier.append(child)
    return tree


def _kib_field(path: str, label: str) -> int:
    """A ``label: N kB`` line of a /proc file, in bytes; 0 when the process is gone or the line absent."""
    try:
        with open(path, encoding="ascii") as source:
            for line in source:
                if line.startswith(label):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def tree_memory(root: int) -> Memory:
    pids = descendants(root, parents())
    rss = sum(_kib_field(f"/proc/{pid}/status", "VmRSS:") for pid in pids)
    pss = sum(_kib_field(f"/proc/{pid}/smaps_rollup", "Pss:") for pid in pids)
    return Memory(rss, pss, len(pids))


class MemorySampler:
    """The tree's memory every second, on a thread of its own, with the moment of each sample."""

    def __init__(self, root: int, interval: float = SAMPLE_INTERVAL):
        self.root = root
        self.interval = interval
        self.samples: list[tuple[float, Memory]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="load-memory")

    def _run(self) -> None:
        while not self._stop.is_set():
            memory = tree_memory(self.root)
            with self._lock:
                self.samples.append((time.monotonic(), memory))
            self._stop.wait(self.interval)

    def between(self, start: float, end: float) -> list[Memory]:
        with self._lock:
            return [memory for at, memory in self.samples if start <= at <= end]

    def since(self, start: float) -> list[tuple[float, Memory]]:
        with self._lock:
            return [(at, memory) for at, memory in self.samples if at >= start]

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join(5)


def peak(memories: Iterable[Memory]) -> Memory:
    return max(memories, key=lambda m: m.rss, default=Memory(0, 0, 0))


# -- the clients ------------------------------------------------------------------------------------------
def mint_tokens(port: int, count: int, prefix: str) -> list[str]:
    """ID tokens of ``count`` new users from the local gateway's /_zik/token (what ``zik token`` calls)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        tokens = []
        for n in range(count):
            body = json.dumps({"user": f"{prefix}-{n}", "ttlSeconds": 3600}).encode()
            connection.request("POST", "/_zik/token", body=body, headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            answer = response.read()
            if response.status != 200:
                raise BenchError(f"POST /_zik/token answered {response.status}: {answer[:300]!r}")
            tokens.append(json.loads(answer)["token"])
        return tokens
    finally:
        connection.close()


def send(connection: http.client.HTTPConnection, call: Call, token: str) -> tuple[int, bytes]:
    headers = {"Authorization": f"Bearer {token}"}
    data = None
    if call.body is not None:
        data = json.dumps(call.body).encode()
        headers["Content-Type"] = "application/json"
    connection.request(call.method, call.path, body=data, headers=headers)
    response = connection.getresponse()
    return response.status, response.read()


def run_client(port: int, client: int, token: str, start: threading.Barrier, window: list[float], out: list[Sample]) -> None:
    """Cycle the mix on one keep-alive connection until the level's end (its ``window``, start and end, is set
    once every client is ready)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    calls = calls_of(client)
    start.wait()
    level_began, level_ends = window
    try:
        while time.monotonic() < level_ends:
            call = next(calls)
            began = time.monotonic()
            try:
                status, body = send(connection, call, token)
                answer = body[:ANSWER_KEPT].decode("utf-8", "replace") if status >= 400 else ""
            except (OSError, http.client.HTTPException) as exc:
                status, answer = 0, repr(exc)
                connection.close()  # the next request opens a new connection
            out.append(Sample(call.route, status, time.monotonic() - began, began - level_began, answer))
    finally:
        connection.close()


def run_level(port: int, tokens: list[str], seconds: float) -> tuple[list[Sample], float, float]:
    """Every client's samples, and when the level started and ended (monotonic)."""
    samples: list[list[Sample]] = [[] for _ in tokens]
    window = [0.0, 0.0]  # the level's start and end (monotonic)
    start = threading.Barrier(len(tokens) + 1)
    threads = [
        threading.Thread(target=run_client, args=(port, n, token, start, window, samples[n]), daemon=True, name=f"load-client-{n}")
        for n, token in enumerate(tokens)
    ]
    for thread in threads:
        thread.start()
    began = time.monotonic()
    window[:] = [began, began + seconds]
    start.wait()
    for thread in threads:
        thread.join()
    return [s for client in samples for s in client], began, time.monotonic()


# -- the run ----------------------------------------------------------------------------------------------
def _progress(message: str) -> None:
    print(f"load: {message}", file=sys.stderr, flush=True)


def _functions(dev: DevProcess) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", dev.port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request("GET", "/_zik/info")
        response = connection.getresponse()
        body = response.read()
        return len(json.loads(body).get("functions", [])) if response.status == 200 else 0
    except (OSError, ValueError):
        return 0
    finally:
        connection.close()


def back_under(after: list[tuple[float, Memory]], limit: float) -> float | None:
    """Seconds after the load of the first sample under ``limit`` bytes (RSS) from which every later one stays under."""
    for n, (at, _memory) in enumerate(after):
        if all(m.rss < limit for _, m in after[n:]):
            return at
    return None


def idle_memory(memory: MemorySampler) -> Memory:
    """The median (by RSS) of a few samples once the stack's last background work has ended."""
    time.sleep(IDLE_SETTLE_SECONDS)
    since = time.monotonic()
    time.sleep(IDLE_SAMPLES * SAMPLE_INTERVAL)
    found = sorted(memory.between(since, time.monotonic()), key=lambda m: m.rss)
    return found[len(found) // 2]


def measure_level(dev: DevProcess, memory: MemorySampler, tokens: list[str], seconds: float) -> LevelFigures:
    samples, began, ended = run_level(dev.port, tokens, seconds)
    level = level_figures(len(tokens), ended - began, samples)
    level.peak = peak(memory.between(began, ended))
    return level


def memory_after(memory: MemorySampler) -> list[tuple[float, Memory]]:
    """The samples of the minute after the load, the first at its end."""
    ended = time.monotonic()
    time.sleep(AFTER_SECONDS + SAMPLE_INTERVAL / 2)
    return [(at - ended, m) for at, m in memory.since(ended)]


def measure(levels: list[int], seconds: float, log: Path | None = None) -> LoadFigures:
    """``log``: where zik dev's output is copied at the end (what a failed request logged)."""
    dev = DevProcess(*NO_USER_RATE_LIMIT)
    try:
        dev.wait_healthy()
        _progress(f"zik dev is answering; the stack was complete {dev.wait_complete():.1f}s after its start")
        functions = _functions(dev)
        tokens = {clients: mint_tokens(dev.port, clients, f"load-{clients}") for clients in levels}
        with MemorySampler(dev.process.pid) as memory:
            idle = idle_memory(memory)
            _progress(f"idle: {mib(idle.rss)} RSS over {idle.processes} processes")
            figures = []
            for clients in levels:
                _progress(f"{clients} client(s) for {seconds:.0f}s")
                level = measure_level(dev, memory, tokens[clients], seconds)
                figures.append(level)
                _progress(f"{clients} client(s): {level.throughput:.1f} req/s, p99 {duration(level.overall.p99)}, {level.overall.errors} errors")
            _progress(f"idle for {AFTER_SECONDS:.0f}s")
            after = memory_after(memory)
        back = back_under(after, TARGET_AFTER_RATIO * idle.rss)
        return LoadFigures(idle=idle, levels=figures, after=after[-1][1], back_after=back, functions=functions)
    except BenchError:
        raise
    except Exception as exc:
        raise BenchError(f"{exc!r}\n{dev.output()}") from exc
    finally:
        dev.stop(keep=log)


# -- the report -------------------------------------------------------------------------------------------
def mib(size: int) -> str:
    return f"{size / GIB:.2f} GiB" if size >= GIB else f"{size / MIB:.0f} MiB"


def duration(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def errors_text(errors: dict[int, int]) -> str:
    return ", ".join(f"{count}× {status or 'no answer'}" for status, count in errors.items()) or "0"


def level_of(figures: LoadFigures, clients: int) -> LevelFigures | None:
    return next((level for level in figures.levels if level.clients == clients), None)


def verdicts(figures: LoadFigures) -> list[tuple[str, str, bool | None]]:
    """Each of issue 18's targets: what it asks, what was measured, met (None: its level was not run)."""
    ten, fifty = level_of(figures, 10), level_of(figures, 50)
    limit = TARGET_AFTER_RATIO * figures.idle.rss
    back = "not within the minute" if figures.back_after is None else f"after {figures.back_after:.0f} s"
    return [
        ("idle, every function: <= 600 MiB", mib(figures.idle.rss), figures.idle.rss <= TARGET_IDLE_BYTES),
        ("10 clients: p99 < 1 s", duration(ten.overall.p99) if ten else "not run", ten.overall.p99 < TARGET_P99_10_S if ten else None),
        ("50 clients: 0 errors", errors_text(fifty.errors) if fifty else "not run", not fifty.errors if fifty else None),
        ("50 clients: p99 < 3 s", duration(fifty.overall.p99) if fifty else "not run", fifty.overall.p99 < TARGET_P99_50_S if fifty else None),
        (
            "50 clients: <= 1.5 GiB",
            mib(fifty.peak.rss) if fifty and fifty.peak else "not run",
            fifty.peak.rss <= TARGET_PEAK_50_BYTES if fifty and fifty.peak else None,
        ),
        (f"under 1.2x idle ({mib(int(limit))}) within a minute", f"{mib(figures.after.rss)} at 1 min; {back}", figures.back_after is not None),
    ]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header), *("| " + " | ".join(row) + " |" for row in rows)]


def report(figures: LoadFigures) -> str:
    rows = [["idle", "-", "-", "-", "-", mib(figures.idle.rss), mib(figures.idle.pss), str(figures.idle.processes)]]
    for level in figures.levels:
        top = level.peak or Memory(0, 0, 0)
        rows.append(
            [
                str(level.clients),
                f"{level.throughput:.1f} req/s",
                duration(level.overall.p50),
                duration(level.overall.p99),
                errors_text(level.errors),
                mib(top.rss),
                mib(top.pss),
                str(top.processes),
            ]
        )
    rows.append(["1 min after", "-", "-", "-", "-", mib(figures.after.rss), mib(figures.after.pss), str(figures.after.processes)])
    functions = f" ({figures.functions} functions)" if figures.functions else ""
    lines = [f"Load on a fresh zik dev{functions}; memory: the whole process tree (peak during a level)", ""]
    lines += _table(["clients", "throughput", "p50", "p99", "errors", "RSS", "PSS", "processes"], rows)
    for level in figures.levels:
        half = level.second_half
        in_second_half = (
            f" (sent in its second half, after every client's goal and chat message sent in step: {half.requests}, "
            f"p50 {duration(half.p50)}, p99 {duration(half.p99)})"
            if half is not None
            else ""
        )
        lines += ["", f"{level.clients} client(s), {level.seconds:.1f} s, {level.overall.requests} requests{in_second_half}:"]
        lines += _table(
            ["route", "requests", "p50", "p99", "errors"],
            [[route, str(lat.requests), duration(lat.p50), duration(lat.p99), str(lat.errors)] for route, lat in level.routes.items()],
        )
        lines += [f"- first {failed}: {answer}" for failed, answer in level.failures.items()]
    lines += ["", "Targets (issue 18, on 2 cores):"]
    mark = {True: "✓", False: "✗", None: "-"}
    lines += _table(["target", "measured", ""], [[target, measured, mark[met]] for target, measured, met in verdicts(figures)])
    lines += [f"note: {note}" for note in figures.notes]
    return "\n".join(lines)


def as_json(figures: LoadFigures) -> dict[str, Any]:
    document = asdict(figures)
    document["targets"] = [{"target": t, "measured": m, "met": met} for t, m, met in verdicts(figures)]
    return document


def parse_levels(text: str) -> list[int]:
    levels = [int(part) for part in text.split(",") if part.strip()]
    if not levels or any(n < 1 for n in levels):
        raise argparse.ArgumentTypeError(f"clients: positive whole numbers separated by commas, not {text!r}")
    return levels


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zik_local.bench_load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=parse_levels, default=list(DEFAULT_CLIENTS), help="the levels, e.g. 1,10,50 (the default)")
    parser.add_argument("--seconds", type=float, default=DEFAULT_SECONDS, help=f"seconds each level runs (default {DEFAULT_SECONDS:.0f})")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--log", type=Path, help="copy zik dev's output here (a failed request's traceback, by its requestId)")
    args = parser.parse_args(argv)
    if not Path("/proc/self/status").exists():
        print("bench_load: needs /proc (Linux) to read the process tree's memory", file=sys.stderr)
        return 1
    load_before = os.getloadavg()[0]
    try:
        figures = measure(args.clients, args.seconds, args.log)
    except BenchError as exc:
        print(f"bench_load: {exc}", file=sys.stderr)
        return 1
    figures.notes.append(
        f"{os.cpu_count()} CPUs shared with whatever else runs here (load average {load_before:.1f} before the run, "
        f"{os.getloadavg()[0]:.1f} after; this run's own work is part of it): throughput and latency move with it"
    )
    print(report(figures))
    if args.json:
        args.json.write_text(json.dumps(as_json(figures), indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
