"""``rag eval run / compare / judge`` end to end: real MiniLM, real Chroma, real spaCy, the extractive backend."""

from __future__ import annotations

import json
import re

import pytest

from eval.datasets import CLAIMS, QUESTIONS
from rag.cli import main

PICK = {"q03", "q35", "q48", "q20"}  # single, multi, unanswerable, single


@pytest.fixture(scope="module")
def small_dataset(tmp_path_factory: pytest.TempPathFactory):
    rows = [json.loads(x) for x in QUESTIONS.read_text().splitlines() if x.strip()]
    path = tmp_path_factory.mktemp("ds") / "small.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows if r["id"] in PICK))
    return path


@pytest.fixture(scope="module")
def runs(small_dataset, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("runs")
    index = root / "index"
    for k in (3, 5):
        code = main(["eval", "run", str(small_dataset), "--backend", "extractive", "-k", str(k), "--index", str(index),
                     "--out", str(root / f"k{k}"), "--no-progress"])
        assert code == 0
    return root / "k3", root / "k5"


def test_run_folder_is_complete(runs) -> None:
    run = runs[1]
    rows = [json.loads(x) for x in (run / "questions.jsonl").read_text().splitlines()]
    assert {r["id"] for r in rows} == PICK
    for r in rows:
        assert {"gold_rank", "hit@5", "refused", "faithfulness", "citation_precision", "claims", "latency_s"} <= set(r)
    single = next(r for r in rows if r["id"] == "q03")
    assert single["hit@5"] == 1.0 and single["match"] == 1.0  # "5 percent" is found and quoted
    assert single["faithfulness"] == 1.0  # extractive answers are verbatim
    summary = json.loads((run / "summary.json").read_text())
    assert summary["run"]["judge"].startswith("offline") and summary["run"]["backend"] == "extractive"
    assert summary["overall"]["questions"] == 4 and set(summary["by_kind"]) == {"single", "multi", "unanswerable"}
    for png in ("metrics.png", "ranks.png", "latency.png"):
        data = (run / png).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 2000


def test_report_renders_with_tables_plots_and_judge_name(runs) -> None:
    report = (runs[1] / "report.md").read_text()
    assert report.startswith("# Evaluation run: extractive")
    assert "judge: **offline" in report
    assert "| hit@5 |" in report and "| q03 | single |" in report
    for png in ("metrics.png", "ranks.png", "latency.png"):
        assert f"]({png})" in report


def test_compare_shows_both_runs_and_differences(runs, capsys) -> None:
    assert main(["eval", "compare", str(runs[0]), str(runs[1])]) == 0
    out = capsys.readouterr().out
    assert "hit@5" in out and "B-A" in out and "k=3" in out and "k=5" in out
    assert main(["eval", "compare", str(runs[0]), str(runs[1]), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    hit5 = next(r for r in rows if r["metric"] == "hit@5")
    assert hit5["delta"] == pytest.approx(hit5["b"] - hit5["a"])


def test_compare_refuses_a_folder_that_is_not_a_run(tmp_path, capsys) -> None:
    assert main(["eval", "compare", str(tmp_path), str(tmp_path)]) == 2
    assert "not a run folder" in capsys.readouterr().err


def test_judge_command_prints_a_table_and_json(tmp_path, capsys) -> None:
    lines = CLAIMS.read_text().splitlines()
    small = tmp_path / "claims.jsonl"
    small.write_text("\n".join(lines[:6] + lines[-6:]) + "\n")
    assert main(["eval", "judge", str(small), "--judge", "lexical", "--judge", "offline", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "bal.acc" in out and "offline (spaCy" in out and "lexical (content-word" in out
    assert main(["eval", "judge", str(small), "--judge", "lexical", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data[0]["judge"].startswith("lexical") and data[0]["scores"]["n"] == 12


def test_llm_judge_runs_on_the_real_smollm2() -> None:
    """The llm judge with the bundled SmolLM2 through llama.cpp: it returns a parsed verdict (its quality is
    measured, not asserted: see the judge table in docs/evaluation.md)."""
    from rag.judges import get_judge

    judge = get_judge("llm", backend="llama-cpp", model="smollm2")
    assert "SmolLM2" in judge.describe() or "smollm2" in judge.describe().lower()
    v = judge.judge("US troops will not be deployed to Ukraine.",
                    ["He clarified that “there will not be U.S. troops deployed to Ukraine.”"])
    assert isinstance(v.supported, bool) and v.score in (0.0, 1.0)
    assert v.supported or v.reasons  # a rejection always says why (the model's words)


def test_replies_become_claims_to_label_with_the_passages_they_cite(runs, tmp_path) -> None:
    from eval.replies import dump
    from rag.judges import strip_markers

    def flat(text: str) -> str:  # citation parsing tidies quotes and spaces before punctuation
        return re.sub(r"\s+([,.;:])", r"\1", " ".join(text.replace("“", "").replace("”", "").split()))

    run = runs[0]
    rows = [json.loads(x) for x in (run / "questions.jsonl").read_text().splitlines() if x.strip()]
    out = tmp_path / "to_label.jsonl"
    written = dump(run, out)
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert written == len(lines) > 0
    by_id = {r["id"]: r for r in rows}
    for line in lines:
        row = by_id[line["id"]]
        assert line["question"] == row["question"] and line["label"] is None
        assert flat(line["claim"]) in flat(strip_markers(row["reply"])), (line["claim"], row["reply"])
        assert line["passages"] and all(isinstance(p, str) and p for p in line["passages"])
        recorded = {(c["article"], c["start"], c["end"]) for c in row["citations"]}
        assert line["article"] in {a for a, _, _ in recorded} or len(line["passages"]) == 3  # cited, or all k=3
        assert line["article"] and not line["article"].startswith("reuters")  # the samples' file stems
