"""The run folder's ``report.md`` and PNG plots (matplotlib, drawn off-screen)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

HEADLINE = ["hit@1", "hit@5", "mrr", "answer_match", "token_f1", "refusal_accuracy", "faithfulness",
            "citation_precision", "citation_recall"]


def fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def write_report(out: Path, summary: dict[str, Any], rows: list[dict[str, Any]]) -> Path:
    """Write ``report.md`` and its plots into ``out``; returns the report's path."""
    plots = write_plots(out, summary, rows)
    run = summary["run"]
    overall = summary["overall"]
    kinds = list(summary["by_kind"])
    lines = [
        f"# Evaluation run: {run['backend']}",
        "",
        f"- dataset: `{run['dataset']}` ({run['questions']} questions)",
        f"- backend: {run['backend']}; k = {run['k']}",
        f"- judge: **{run['judge']}**",
        f"- index: {run['chunking']}, {run['embedder']}",
        f"- created: {run['created']}",
        f"- command: `{run['command']}`",
        "",
        "## Summary",
        "",
        "| metric | all | " + " | ".join(kinds) + " |",
        "|---|---|" + "---|" * len(kinds),
    ]
    for key, value in overall.items():
        cells = [fmt(summary["by_kind"][kind].get(key)) for kind in kinds]
        lines.append(f"| {key} | {fmt(value)} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Retrieval and correctness are over answerable questions; a refused answerable question scores 0. "
        "Refusal accuracy counts both wrong refusals and wrong answers. Faithfulness and citation scores are "
        "averaged over the answers that were not refusals, as judged by the judge named above.",
        "",
    ]
    lines += [f"![{name}]({name})" for name in plots]
    lines += ["", "## Questions", "",
              "| id | kind | gold rank | refused | match | F1 | faithful | cit. P | cit. R | s |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r['id']} | {r['kind']} | {fmt(r['gold_rank'])} | {'yes' if r['refused'] else 'no'} | "
            f"{fmt(r.get('match'))} | {fmt(r.get('f1'))} | {fmt(r['faithfulness'])} | "
            f"{fmt(r['citation_precision'])} | {fmt(r['citation_recall'])} | {r['latency_s']:.2f} |")
    problems = [r for r in rows if not r["refusal_correct"] or any(not c["supported"] for c in r["claims"])]
    if problems:
        lines += ["", "## Wrong refusals and unsupported claims", ""]
        for r in problems:
            lines.append(f"- **{r['id']}** {r['question']}")
            if not r["refusal_correct"]:
                wrong = "refused an answerable question" if r["refused"] else "answered an unanswerable question"
                lines.append(f"  - {wrong}")
            for c in r["claims"]:
                if not c["supported"]:
                    lines.append(f"  - unsupported: “{c['claim']}” ({'; '.join(c['reasons'][:2])})")
    path = out / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_plots(out: Path, summary: dict[str, Any], rows: list[dict[str, Any]]) -> list[str]:
    """metrics.png (headline metrics), ranks.png (rank of the first gold passage), latency.png."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = []
    overall = summary["overall"]
    keys = [k for k in HEADLINE if overall.get(k) is not None]
    fig, ax = plt.subplots(figsize=(8, 3.5))
    ax.barh(keys[::-1], [overall[k] for k in keys[::-1]], color="#3b7dd8")
    ax.set_xlim(0, 1)
    ax.set_title(f"{summary['run']['backend']} — judge: {summary['run']['judge'].split(' ')[0]}", fontsize=9)
    for i, k in enumerate(keys[::-1]):
        ax.text(min(overall[k], 0.93) + 0.01, i, f"{overall[k]:.2f}", va="center", fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "metrics.png", dpi=100)
    plt.close(fig)
    names.append("metrics.png")

    ranks = [r["gold_rank"] for r in rows if r["answerable"]]
    labels = ["1", "2", "3", "4", "5", "6-10", "none"]
    counts = [sum(1 for x in ranks if x == n) for n in range(1, 6)]
    counts += [sum(1 for x in ranks if x and 6 <= x <= 10), sum(1 for x in ranks if not x)]
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.bar(labels, counts, color="#59a14f")
    ax.set_xlabel("rank of the first gold passage")
    ax.set_ylabel("questions")
    fig.tight_layout()
    fig.savefig(out / "ranks.png", dpi=100)
    plt.close(fig)
    names.append("ranks.png")

    fig, ax = plt.subplots(figsize=(6, 3))
    ax.hist([r["latency_s"] for r in rows], bins=20, color="#f28e2b")
    ax.set_xlabel("answer latency (s)")
    ax.set_ylabel("questions")
    fig.tight_layout()
    fig.savefig(out / "latency.png", dpi=100)
    plt.close(fig)
    names.append("latency.png")
    return names
