"""``rag eval compare RUN_A RUN_B``: two runs' summaries side by side, with the differences."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from index.errors import ConfigError

# Metrics where lower is better (everything else: higher is better).
LOWER_IS_BETTER = {"refused_answerable", "latency_p50_s", "latency_p95_s"}


def load_summary(run_dir: str | Path) -> dict[str, Any]:
    path = Path(run_dir) / "summary.json"
    if not path.is_file():
        raise ConfigError(f"{run_dir}: not a run folder (no summary.json); make one with: rag eval run DATASET.jsonl")
    summary: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return summary


def compare(run_a: str | Path, run_b: str | Path) -> list[dict[str, Any]]:
    """One row per overall metric: a, b, b - a, and whether b is better, worse or the same."""
    a, b = load_summary(run_a)["overall"], load_summary(run_b)["overall"]
    rows = []
    for key in dict.fromkeys([*a, *b]):
        va, vb = a.get(key), b.get(key)
        delta = vb - va if isinstance(va, int | float) and isinstance(vb, int | float) else None
        verdict = ""
        if delta is not None and abs(delta) > 1e-9 and key != "questions":
            better = delta < 0 if key in LOWER_IS_BETTER else delta > 0
            verdict = "better" if better else "worse"
        rows.append({"metric": key, "a": va, "b": vb, "delta": delta, "b_is": verdict})
    return rows


def format_comparison(run_a: str | Path, run_b: str | Path) -> str:
    sa, sb = load_summary(run_a)["run"], load_summary(run_b)["run"]
    lines = [f"A: {run_a}  ({sa['backend']}; judge {sa['judge'].split(' ')[0]}; k={sa['k']})",
             f"B: {run_b}  ({sb['backend']}; judge {sb['judge'].split(' ')[0]}; k={sb['k']})"]
    if sa["judge"] != sb["judge"]:
        lines.append("warning: the runs used different judges, so faithfulness and citation scores differ in kind")
    if sa["dataset"] != sb["dataset"]:
        lines.append("warning: the runs used different datasets")
    lines += ["", f"{'metric':<24} {'A':>8} {'B':>8} {'B-A':>8}  B is", "-" * 60]
    for r in compare(run_a, run_b):
        lines.append(f"{r['metric']:<24} {_f(r['a']):>8} {_f(r['b']):>8} {_f(r['delta'], signed=True):>8}  {r['b_is']}")
    return "\n".join(lines)


def _f(v: Any, signed: bool = False) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:+.3f}" if signed else f"{v:.3f}"
    return f"{v:+d}" if signed and isinstance(v, int) else str(v)
