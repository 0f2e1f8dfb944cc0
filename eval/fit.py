"""Fit the judges' combiners on the dev claims and report them on the test claims: ``python -m eval.fit``.

Dev (fitted on): ``eval.datasets.JUDGE_DEV`` (the two sample-article claim files and the perturbed Reuters
claims). Test (never fitted on): ``JUDGE_TEST`` (claims written blind to the judges and to the dev claims). Also
reported, never fitted on: the reader model's own sentences on the Reuters questions (``REPLIES_DEV``, which
choices between judges were made on, and ``REPLIES_TEST``), the sentences verification really sees. For
each claim the checks and the model are run once (``OfflineJudge.assess`` via ``ModelJudge``) and the features
cached (keyed by the judge code and the model), then a logistic regression is fitted per combiner, its threshold
chosen on cross-validated dev probabilities, and the weights written to ``rag/judges/weights.json``.

    python -m eval.fit                 # fit on snippets, report test at snippet, chunk and article length
    python -m eval.fit --report-only   # score the weights in the repository, fit nothing
    python -m eval.fit --answerable DEV_RUN... --test-runs TEST_RUN...   # the refusal decision, from eval runs
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from eval.datasets import JUDGE_DEV, JUDGE_TEST, REPLIES_DEV, REPLIES_TEST, LabelledClaim, load_claims
from eval.passages import LENGTHS, at_length
from rag.judges import calibration

# Every feature the checks give, then backward elimination on 5-fold dev CV balanced accuracy (a feature went when
# leaving it out cost at most 0.002; run ``ablation`` to see each one's effect): the checks-only combiner does not
# need the cosine, coverage or short-answer flag; the model one does not need the cosine or the opposite-word check.
FEATURES = ("cosine", "coverage", "short_answer", "fails_number", "fails_date", "fails_name", "fails_role",
            "fails_negation", "fails_opposite", "fails_strength", "model_logit")
COMBINERS = {
    "offline": ("fails_number", "fails_date", "fails_name", "fails_role", "fails_negation", "fails_opposite",
                "fails_strength"),
    "model": ("coverage", "short_answer", "fails_number", "fails_date", "fails_name", "fails_role", "fails_negation",
              "fails_strength", "model_logit"),
}


def _code_hash() -> str:
    root = Path(__file__).resolve().parents[1] / "rag" / "judges"
    h = hashlib.sha256()
    for name in ("checks.py", "facts.py", "offline.py", "model.py", "polarity.py"):
        h.update((root / name).read_bytes())
    return h.hexdigest()[:12]


def _cache_path(tag: str) -> Path:
    from platformdirs import user_cache_dir

    path = Path(user_cache_dir("news-rag")) / "judge-features" / f"{tag}-{_code_hash()}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def features(judge: Any, claims: Sequence[LabelledClaim], tag: str, *, progress: bool = True
             ) -> tuple[list[dict[str, float]], list[float]]:
    """The combiner features of each claim (cached on disk per judge code and model), and seconds per claim."""
    from tqdm import tqdm

    path = _cache_path(tag)
    cache: dict[str, dict[str, Any]] = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            cache[row["key"]] = row
    out, seconds = [], []
    with path.open("a", encoding="utf-8") as sink:
        for c in tqdm(claims, desc=f"features {tag}", unit="claim", disable=not progress):
            key = hashlib.sha256(json.dumps([c.claim, c.passages, c.question]).encode()).hexdigest()
            if key not in cache:
                started = time.perf_counter()
                found = judge.assess(c.claim, c.passages, c.question)
                cache[key] = {"key": key, "features": found.features, "seconds": time.perf_counter() - started}
                sink.write(json.dumps(cache[key]) + "\n")
                sink.flush()
            out.append(cache[key]["features"])
            seconds.append(cache[key]["seconds"])
    return out, seconds


def fit(name: str, rows: list[dict[str, float]], labels: list[int], fitted_on: str) -> calibration.Combiner:
    """A logistic regression over ``COMBINERS[name]``; threshold: best balanced accuracy of 5-fold CV probabilities."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict

    names = COMBINERS[name]
    x = np.array([[r.get(f, 0.0) for f in names] for r in rows], dtype=float)
    y = np.array(labels)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000)
    cv = cross_val_predict(model, z, y, cv=5, method="predict_proba")[:, 1]
    threshold = max((balanced(labels, [p >= t for p in cv]), t) for t in np.arange(0.2, 0.81, 0.02))[1]
    model.fit(z, y)
    return calibration.Combiner(name, names, tuple(round(float(w), 5) for w in model.coef_[0]),
                                tuple(round(float(m), 5) for m in mean), tuple(round(float(s), 5) for s in scale),
                                round(float(model.intercept_[0]), 5), round(float(threshold), 2), fitted_on)


MAX_GATED_SUPPORTED = 0.01


def gate(rows: list[dict[str, float]], labels: list[int]) -> float:
    """The highest checks-only P below which at most ``MAX_GATED_SUPPORTED`` of the supported dev claims fall:
    the model judge does not ask the model below it."""
    rule = calibration.combiner("offline")
    supported = [rule.probability(r) for r, y in zip(rows, labels, strict=True) if y]
    best = 0.0
    for t in [i / 100 for i in range(0, 51)]:
        if sum(p < t for p in supported) <= MAX_GATED_SUPPORTED * len(supported):
            best = t
    return best


def said_by(name: str, row: dict[str, float]) -> bool:
    """The verdict of combiner ``name`` on a claim's features, as the judge gives it (the model judge's gate too)."""
    if name == "model" and calibration.combiner("offline").probability(row) < calibration.combiner("model").gate:
        return False
    rule = calibration.combiner(name)
    return rule.probability(row) >= rule.threshold


def ablation(name: str, rows: list[dict[str, float]], labels: list[int]) -> list[str]:
    """5-fold cross-validated dev balanced accuracy with all features and with each one left out: a check whose
    removal costs nothing is one the combination does not need."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict

    def cv_score(names: Sequence[str]) -> float:
        x = np.array([[r.get(f, 0.0) for f in names] for r in rows], dtype=float)
        scale = x.std(axis=0)
        scale[scale == 0] = 1.0
        model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000)
        p = cross_val_predict(model, (x - x.mean(axis=0)) / scale, np.array(labels), cv=5, method="predict_proba")
        return balanced(labels, [v >= 0.5 for v in p[:, 1]])

    names = FEATURES if name == "model" else FEATURES[:-1]
    lines = [f"ablation of {name} (dev, 5-fold CV balanced accuracy): all {cv_score(names):.3f}"]
    for f in names:
        lines.append(f"  without {f}: {cv_score([n for n in names if n != f]):.3f}")
    return lines


def balanced(labels: Sequence[int], said: Sequence[bool]) -> float:
    pos = [s for y, s in zip(labels, said, strict=True) if y]
    neg = [not s for y, s in zip(labels, said, strict=True) if not y]
    return (sum(pos) / max(1, len(pos)) + sum(neg) / max(1, len(neg))) / 2


def report(title: str, claims: Sequence[LabelledClaim], rows: list[dict[str, float]], seconds: list[float],
           judges: dict[str, Any]) -> list[str]:
    """Balanced accuracy of each combiner and the lexical baseline, overall, on short answers and by kind."""
    labels = [c.label for c in claims]
    said = {name: [said_by(name, r) for r in rows] for name in COMBINERS}
    gated = sum(calibration.combiner("offline").probability(r) < calibration.combiner("model").gate for r in rows)
    lexical = judges["lexical"]
    said["lexical"] = [lexical.judge(c.claim, c.passages, c.question).supported for c in claims]
    short = [i for i, r in enumerate(rows) if r.get("short_answer")]
    p50 = sorted(seconds)[len(seconds) // 2]
    lines = [f"\n{title}: n={len(claims)}, seconds/claim (checks + model) p50 {p50:.2f}; "
             f"the model judge's gate skips the model for {gated}"]
    lines.append(f"{'judge':<8} {'bal.acc':>7} {'short answers (n=' + str(len(short)) + ')':>22}")
    for name, verdicts in said.items():
        s = balanced([labels[i] for i in short], [verdicts[i] for i in short]) if short else float("nan")
        lines.append(f"{name:<8} {balanced(labels, verdicts):>7.3f} {s:>22.3f}")
    kinds: dict[str, list[int]] = defaultdict(list)
    for i, c in enumerate(claims):
        kinds[c.kind or ("supported" if c.label else "unsupported")].append(i)
    lines.append("right by kind: " + "; ".join(
        f"{k} (n={len(ix)}): " + " ".join(f"{n}={sum(said[n][i] == bool(labels[i]) for i in ix) / len(ix):.2f}"
                                           for n in said)
        for k, ix in sorted(kinds.items(), key=lambda kv: -len(kv[1]))))
    return lines


def calibration_table(name: str, rows: list[dict[str, float]], labels: list[int], bins: int = 5) -> list[str]:
    """Predicted P(supported) against the share really supported, in equal-width bins."""
    rule = calibration.combiner(name)
    ps = [rule.probability(r) for r in rows]
    out = [f"calibration of {name}: P bin -> n, mean P, share supported"]
    for b in range(bins):
        ix = [i for i, p in enumerate(ps) if b / bins <= p < (b + 1) / bins or (b == bins - 1 and p == 1.0)]
        if ix:
            mean = sum(ps[i] for i in ix) / len(ix)
            out.append(f"  {b / bins:.1f}-{(b + 1) / bins:.1f}: n={len(ix):>3} P={mean:.2f} "
                       f"supported={sum(labels[i] for i in ix) / len(ix):.2f}")
    return out


def _expanded(claims: list[LabelledClaim], length: str) -> list[LabelledClaim]:
    out = []
    for c in claims:
        try:
            out.append(at_length(c, length))
        except Exception:  # noqa: BLE001 - a claim whose snippet is not in its article: reported as skipped
            continue
    return out


ANSWERABLE: dict[str, tuple[str, ...]] = {
    "answerable-offline": ("fails_names", "fails_kind", "fails_speaker", "kept_share")}
ANSWERABLE["answerable"] = (*ANSWERABLE["answerable-offline"], "model_logit")
MAX_FALSE_REFUSALS = 0.05


def _run_rows(run: Path) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in (run / "questions.jsonl").read_text(encoding="utf-8").splitlines() if line]
    return [r for r in rows if r.get("answerability")]  # refused before the decision (nothing kept): not its call


def fit_answerable(name: str, rows: list[dict[str, Any]], fitted_on: str) -> calibration.Combiner:
    """Answer (1) or refuse (0), from the rows of dev runs; the threshold keeps dev false refusals (5-fold CV)
    at most ``MAX_FALSE_REFUSALS`` and refuses as many unanswerable questions as it can under that."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict

    names = ANSWERABLE[name]
    x = np.array([[r["answerability"].get(f, 0.0) for f in names] for r in rows], dtype=float)
    y = np.array([int(bool(r["answerable"])) for r in rows])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000)
    cv = cross_val_predict(model, z, y, cv=5, method="predict_proba")[:, 1]
    best = (-1.0, 0.0)
    for t in np.arange(0.02, 0.81, 0.02):
        false_refusals = float(np.mean(cv[y == 1] < t))
        if false_refusals <= MAX_FALSE_REFUSALS:
            best = max(best, (float(np.mean(cv[y == 0] < t)), float(t)))
    model.fit(z, y)
    return calibration.Combiner(name, names, tuple(round(float(w), 5) for w in model.coef_[0]),
                                tuple(round(float(m), 5) for m in mean), tuple(round(float(s), 5) for s in scale),
                                round(float(model.intercept_[0]), 5), round(best[1], 2), fitted_on)


def refusal_report(title: str, run: Path) -> str:
    """Refusal rates of a run re-decided with the fitted weights (the run answered everything it could verify)."""
    rows = [json.loads(line) for line in (run / "questions.jsonl").read_text(encoding="utf-8").splitlines() if line]
    refused, correct = [], []
    for r in rows:
        values = r.get("answerability") or {}
        if not values:
            no = True
        else:
            rule = calibration.combiner("answerable" if "model_logit" in values else "answerable-offline")
            no = rule.probability(values) < rule.threshold
        refused.append(no)
        correct.append(bool(r["answerable"]) and not no and bool(r.get("match")))
    ans = [i for i, r in enumerate(rows) if r["answerable"]]
    una = [i for i, r in enumerate(rows) if not r["answerable"]]
    share = lambda ix, xs: sum(xs[i] for i in ix) / max(1, len(ix))  # noqa: E731
    return (f"{title:<34} n={len(rows):>3} correct {share(ans, correct):.2f}  refused answerable "
            f"{share(ans, refused):.2f}  refused unanswerable {share(una, refused):.2f}  ({run})")


def main_answerable(dev: list[Path], test: list[Path], report_only: bool, model: str) -> None:
    rows = [r for run in dev for r in _run_rows(run)]
    with_model = [r for r in rows if "model_logit" in r["answerability"]]
    if not report_only:
        weights = json.loads(calibration.WEIGHTS.read_text()) if calibration.WEIGHTS.is_file() else {}
        # the checks-only decision is fitted on runs without the model; with none given, on these runs' checks
        without = [r for r in rows if "model_logit" not in r["answerability"]]
        without = without if len(without) >= 20 else rows  # too few to fit on: these runs' checks
        for name, fit_rows in (("answerable", with_model), ("answerable-offline", without)):
            if fit_rows:
                fitted_on = " + ".join(run.name for run in dev)
                weights[name] = fit_answerable(name, fit_rows, fitted_on).as_dict()
        weights["answerable"]["model"] = model  # whose P(yes) the runs recorded
        calibration.WEIGHTS.write_text(json.dumps(weights, indent=1) + "\n", encoding="utf-8")
        calibration.combiner.cache_clear()
        print(f"wrote {calibration.WEIGHTS}")
    for run in dev:
        print(refusal_report("dev (fitted on): " + run.name.split("-k")[0][6:], run))
    for run in test:
        print(refusal_report("test: " + run.name.split("-k")[0][6:], run))


def main(argv: Sequence[str] | None = None) -> None:
    from rag.judges import get_judge

    ap = argparse.ArgumentParser(prog="python -m eval.fit", description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=None, help="the local model the model judge uses (default: RAG_MODEL's)")
    ap.add_argument("--report-only", action="store_true", help="score the weights in the repository; fit nothing")
    ap.add_argument("--lengths", default=",".join(LENGTHS), help="test passage lengths to report")
    ap.add_argument("--answerable", nargs="+", type=Path, metavar="DEV_RUN",
                    help="fit the refusal decision on these eval runs (folders) instead of the judge")
    ap.add_argument("--test-runs", nargs="*", type=Path, default=[], help="eval runs to report the refusals on")
    args = ap.parse_args(argv)
    if args.answerable:
        from rag.backends.gguf import DEFAULT_MODEL

        main_answerable(args.answerable, args.test_runs, args.report_only, args.model or DEFAULT_MODEL)
        return
    judge: Any = get_judge("model", **({"model": args.model} if args.model else {}))  # a ModelJudge
    tag = f"model-{judge.backend.model}"
    dev = [c for path in JUDGE_DEV for c in load_claims(path)]
    rows, seconds = features(judge, dev, tag)
    labels = [c.label for c in dev]
    if not args.report_only:
        fitted_on = " + ".join(p.name for p in JUDGE_DEV)
        weights = json.loads(calibration.WEIGHTS.read_text()) if calibration.WEIGHTS.is_file() else {}
        for name in COMBINERS:
            weights[name] = fit(name, rows, labels, fitted_on).as_dict()
        weights["model"]["model"] = judge.backend.model
        calibration.WEIGHTS.write_text(json.dumps(weights, indent=1) + "\n", encoding="utf-8")
        calibration.combiner.cache_clear()
        weights["model"]["gate"] = gate(rows, labels)
        calibration.WEIGHTS.write_text(json.dumps(weights, indent=1) + "\n", encoding="utf-8")
        calibration.combiner.cache_clear()
        print(f"wrote {calibration.WEIGHTS}")
    judges = {"lexical": get_judge("lexical")}
    lines = report("dev (fitted on; in-sample)", dev, rows, seconds, judges)
    for name in COMBINERS:
        lines += ablation(name, rows, labels)
    lines += calibration_table("model", rows, labels)
    test = [c for path in JUDGE_TEST for c in load_claims(path)]
    for length in args.lengths.split(","):
        claims = _expanded(test, length)
        trows, tsec = features(judge, claims, tag)
        lines += report(f"test, passages = {length}", claims, trows, tsec, judges)
        if length == "snippet":
            lines += calibration_table("model", trows, [c.label for c in claims])
    for title, path in (("the reader's sentences, Reuters dev questions (not fitted on)", REPLIES_DEV),
                        ("the reader's sentences, Reuters test questions", REPLIES_TEST)):
        claims = load_claims(path)  # each with the passages it cites, as verification judges it first
        rrows, rsec = features(judge, claims, tag)
        lines += report(title, claims, rrows, rsec, judges)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
