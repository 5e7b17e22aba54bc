"""``python -m zik_local.eval [--task T ...] [--providers a,b] [--verbose] [--json PATH] [--baseline PATH]
[--fail-under-targets]``: the AI evaluation suite (zik_local/eval/__init__.py).

Exit status: 0; 1 with --fail-under-targets when a provider misses a target; 2 when a case file or a rubric
is broken, or the command line names a task or provider that does not exist.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
from pathlib import Path

# The layer Lambda mounts at /opt/python (as pytest's pythonpath and the local cloud's workers see it).
LAYER = Path(__file__).resolve().parents[2] / "layers" / "shared"
# The eval prints a report: the gateway's per-call log lines and EMF metrics are not part of it, and no
# trace is wanted (each may be asked for back through the environment).
QUIET = {"POWERTOOLS_LOG_LEVEL": "ERROR", "POWERTOOLS_METRICS_DISABLED": "true", "POWERTOOLS_TRACE_DISABLED": "true"}


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m zik_local.eval", description="Grade the AI tasks' answers, provider by provider.")
    parser.add_argument("--task", action="extend", nargs="+", dest="tasks", metavar="T", help="only these tasks (default: every case file)")
    parser.add_argument("--providers", help="comma-separated providers (default: AI_PROVIDERS, else local)")
    parser.add_argument("--verbose", action="store_true", help="list each failing case and why")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write every figure and each case's result to PATH")
    parser.add_argument("--baseline", type=Path, metavar="PATH", help="compare with an earlier --json run")
    parser.add_argument("--fail-under-targets", action="store_true", help="exit 1 when a target is missed")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    from zik_local.eval import runner

    names = args.providers if args.providers is not None else os.environ.get("AI_PROVIDERS") or "local"
    providers = [name.strip() for name in names.split(",") if name.strip()]
    baseline = None
    if args.baseline is not None:
        try:
            baseline = runner.load_baseline(args.baseline)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            print(f"the baseline {args.baseline} cannot be read: {exc}", file=sys.stderr)
            return 2
    try:
        report = runner.evaluate(providers, args.tasks)
    except runner.UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(runner.render(report, verbose=args.verbose, baseline=baseline))
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report.to_json(), ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")
    if report.problems:
        return 2
    return 1 if args.fail_under_targets and report.targets_missed() else 0


def _layer_is_importable() -> bool:
    """The layer (``zik``) is on the import path as Lambda mounts it: ``make eval`` sets PYTHONPATH."""
    if importlib.util.find_spec("zik") is not None:
        return True
    print(f"zik is not importable: run make eval, or PYTHONPATH={LAYER} python -m zik_local.eval", file=sys.stderr)
    return False


if __name__ == "__main__":
    for key, value in QUIET.items():
        os.environ.setdefault(key, value)
    sys.exit(main() if _layer_is_importable() else 2)
