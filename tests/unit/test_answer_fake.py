"""ask() plumbing with the FAKE embedder and a FAKE scripted LLM."""

from pathlib import Path

from index import Index
from rag.api import answer_from
from rag.backends.fake import ScriptedFakeLLM


def test_reply_markers_become_citations(fake_index: Index, articles: Path) -> None:
    fake_index.ingest([articles])
    llm = ScriptedFakeLLM("Brekelmans spoke to CNN [1]. Something else [9].")
    answer = answer_from(fake_index, "What did Ruben Brekelmans say?", backend=llm, k=3, verify=False)
    assert not answer.refused
    assert [c.number for c in answer.citations] == [1]
    assert answer.citations[0].text == answer.passages[0].text
    assert answer.dropped_markers == [9] and "[9]" not in answer.text
    sent = llm.calls[0][-1]["content"]
    assert "Passage 1 (" in sent and "Passage 3 (" in sent and "What did Ruben Brekelmans say?" in sent


def test_refusal_reply_is_a_refusal(fake_index: Index, articles: Path) -> None:
    fake_index.ingest([articles])
    answer = answer_from(fake_index, "Who won the 1998 World Cup?", backend=ScriptedFakeLLM(), k=2)
    assert answer.refused and answer.citations == [] and len(answer.passages) == 2


def test_extractive_with_fake_embedder_quotes_a_passage(fake_index: Index, articles: Path) -> None:
    from rag.backends.extractive import ExtractiveBackend

    fake_index.ingest([articles])
    answer = answer_from(fake_index, "Who is the Dutch Defense Minister Ruben Brekelmans?",
                         backend=ExtractiveBackend(min_similarity=0.1), k=3)
    assert not answer.refused and answer.citations
    for line in answer.text.splitlines():
        quote = line.rsplit(" [", 1)[0].strip("“”")
        n = int(line.rsplit("[", 1)[1].rstrip("]"))
        assert quote in answer.passages[n - 1].text, "every extractive statement is verbatim from its passage"
