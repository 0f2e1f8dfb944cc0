"""Verified answers with the real lexical judge (fast, no model): drop, mark, add citations, refuse, quote spans."""

from __future__ import annotations

from pathlib import Path

import pytest

from index import Index
from rag.api import answer_from
from rag.backends.fake import ScriptedFakeLLM
from rag.judges.lexical import LexicalJudge
from rag.verify import UNSUPPORTED_MARK, verify

QUESTION = "What did the Dutch Defense Minister Ruben Brekelmans tell CNN?"
SUPPORTED = "Brekelmans told CNN that Europe must significantly enhance its efforts to safeguard its own continent"
PLANTED = "Brekelmans announced that the Netherlands will send 40,000 soldiers to Greenland next week"


def brekelmans_passage(idx: Index) -> int:
    hits = idx.search(QUESTION, k=3)
    return next(n for n, h in enumerate(hits, 1) if "Brekelmans" in h.text)


def test_planted_unsupported_sentence_is_removed_and_supported_one_kept(fake_index: Index, articles: Path) -> None:
    fake_index.ingest([articles])
    n = brekelmans_passage(fake_index)
    llm = ScriptedFakeLLM(f"{SUPPORTED} [{n}]. {PLANTED} [{n}].")
    answer = answer_from(fake_index, QUESTION, backend=llm, k=3, verify=LexicalJudge())
    assert not answer.refused and "Greenland" not in answer.text and "safeguard" in answer.text
    assert [d.sentence.rstrip(".") for d in answer.dropped] == [PLANTED]
    assert answer.dropped[0].citations == (n,) and "do not support" in answer.dropped[0].reason
    assert answer.verified_by.startswith("lexical")


def test_mark_mode_keeps_the_sentence_visibly_marked(fake_index: Index, articles: Path) -> None:
    fake_index.ingest([articles])
    n = brekelmans_passage(fake_index)
    llm = ScriptedFakeLLM(f"{SUPPORTED} [{n}]. {PLANTED} [{n}].")
    answer = answer_from(fake_index, QUESTION, backend=llm, k=3, verify=LexicalJudge(), unsupported="mark")
    assert f"Greenland next week. {UNSUPPORTED_MARK}" in answer.text and len(answer.dropped) == 1


def test_an_uncited_supported_sentence_gets_its_citation(fake_index: Index, articles: Path) -> None:
    fake_index.ingest([articles])
    n = brekelmans_passage(fake_index)
    answer = answer_from(fake_index, QUESTION, backend=ScriptedFakeLLM(SUPPORTED + "."), k=3, verify=LexicalJudge())
    assert answer.text.endswith(f"[{n}]") and [c.number for c in answer.citations] == [n]


def test_a_sentence_cited_to_the_wrong_passage_is_cited_to_the_right_one(fake_index: Index, articles: Path) -> None:
    fake_index.ingest([articles])
    n = brekelmans_passage(fake_index)
    hits = fake_index.search(QUESTION, k=3)
    wrong = next(i for i, h in enumerate(hits, 1) if not LexicalJudge().judge(SUPPORTED, [h.text]).supported)
    answer = answer_from(fake_index, QUESTION, backend=ScriptedFakeLLM(f"{SUPPORTED} [{wrong}]."), k=3,
                         verify=LexicalJudge())
    assert not answer.refused and answer.text.endswith(f"[{n}]") and [c.number for c in answer.citations] == [n]
    assert answer.citations[0].quote is not None


def test_nothing_supported_is_a_refusal_with_the_closest_passages(fake_index: Index, articles: Path) -> None:
    fake_index.ingest([articles])
    answer = answer_from(fake_index, QUESTION, backend=ScriptedFakeLLM(PLANTED + " [1]."), k=3, verify=LexicalJudge())
    assert answer.refused and answer.citations == [] and len(answer.passages) == 3
    assert answer.dropped and "Greenland" in answer.dropped[0].sentence


def test_quote_is_the_exact_span_in_the_article(fake_index: Index, articles: Path) -> None:
    fake_index.ingest([articles])
    n = brekelmans_passage(fake_index)
    answer = answer_from(fake_index, QUESTION, backend=ScriptedFakeLLM(f"{SUPPORTED} [{n}]."), k=3,
                         verify=LexicalJudge())
    (citation,) = answer.citations
    assert citation.quote is not None and citation.quotes == (citation.quote,)
    article = fake_index.document_text(citation.doc_id)
    q = citation.quote
    assert article[q.start:q.end] == q.text and citation.start <= q.start < q.end <= citation.end
    assert citation.text[q.start - citation.start:q.end - citation.start] == q.text


def test_verify_rejects_an_unknown_mode() -> None:
    with pytest.raises(ValueError, match="unknown verification mode"):
        verify("x [1].", [], LexicalJudge(), mode="hide")


def test_streaming_yields_pieces_then_the_verified_answer(fake_index: Index, articles: Path) -> None:
    from rag.api import answer_stream
    from rag.types import Answer

    fake_index.ingest([articles])
    n = brekelmans_passage(fake_index)
    reply = f"{SUPPORTED} [{n}]. {PLANTED} [{n}]."
    pieces = list(answer_stream(fake_index, QUESTION, backend=ScriptedFakeLLM(reply), k=3, verify=LexicalJudge()))
    text, final = pieces[:-1], pieces[-1]
    assert len(text) > 10 and all(isinstance(p, str) for p in text) and "".join(text) == reply
    assert isinstance(final, Answer) and "Greenland" not in final.text and final.dropped


def test_extractive_streams_its_sentences(fake_index: Index, articles: Path) -> None:
    from rag.api import answer_from, answer_stream
    from rag.backends.extractive import ExtractiveBackend

    fake_index.ingest([articles])
    backend = ExtractiveBackend(min_similarity=0.1)
    pieces = list(answer_stream(fake_index, QUESTION, backend=backend, k=3, verify=False))
    whole = answer_from(fake_index, QUESTION, backend=backend, k=3, verify=False)
    assert "".join(pieces[:-1]).strip() == whole.text and pieces[-1].text == whole.text


class CountingJudge(LexicalJudge):
    """The real lexical judge, counting how many judgements verification asks of it."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[int] = []

    def judge(self, claim, passages, question=None):  # type: ignore[no-untyped-def]
        self.calls.append(len(passages))
        return super().judge(claim, passages, question)


def test_re_citing_reads_the_other_passages_together_not_one_by_one(fake_index: Index, articles: Path) -> None:
    """A model judge costs a forward pass per judgement: a wrongly cited sentence costs three, whatever k is."""
    fake_index.ingest([articles])
    hits = fake_index.search(QUESTION, k=5)
    n = next(i for i, h in enumerate(hits, 1) if "Brekelmans" in h.text)
    wrong = next(i for i, h in enumerate(hits, 1) if not LexicalJudge().judge(SUPPORTED, [h.text]).supported)
    judge = CountingJudge()
    checked = verify(f"{SUPPORTED} [{wrong}].", hits, judge)
    assert checked.text.endswith(f"[{n}]") and checked.kept == 1
    assert judge.calls == [1, 4, 1]  # the cited passage, the four others together, the one holding the evidence


def test_an_unsupported_wrongly_cited_sentence_costs_two_judgements_and_a_reason(fake_index: Index,
                                                                                 articles: Path) -> None:
    fake_index.ingest([articles])
    hits = fake_index.search(QUESTION, k=5)
    judge = CountingJudge()
    checked = verify(f"{PLANTED} [1].", hits, judge)
    assert checked.kept == 0 and len(checked.dropped) == 1
    assert judge.calls == [1, 4, 1]  # cited, the others together, then why (memoised by the model judge)
