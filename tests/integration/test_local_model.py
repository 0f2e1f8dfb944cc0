"""The default reader, the bundled Qwen2.5 1.5B through a real llama.cpp, and the local model's failure modes.

The answer test uses the 1.5B (~15 s a question here); the error and trimming tests use SmolLM2, where any model
will do.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from eval.metrics import answer_match
from index import Index
from rag import ConfigError
from rag.api import answer_from, answer_stream
from rag.backends import gguf
from rag.backends.llama_cpp import LlamaCppBackend
from rag.judges import cited_sentences, strip_markers
from rag.types import Answer

pytestmark = pytest.mark.integration

# (question, accepted answers): gold questions about the sample articles (eval/data/questions.jsonl q01, q03, ...)
ANSWERED = [
    ("Will US troops be deployed to Ukraine as part of a security guarantee?",
     ["not be US troops", "not be U.S. troops", "no US troops", "no U.S. troops", "not deploy", "not be deployed",
      "would not be deployed", "will not be deployed"]),
    ("What share of GDP did Hegseth say NATO members should spend on defence?", ["5%", "5 percent", "five percent"]),
    ("Which country led the Ukraine Defense Contact Group meeting for the first time?",
     ["UK", "United Kingdom", "Britain", "British"]),
    ("What did Peskov say about territory exchanges?", ["never considered", "will not consider"]),
]


@pytest.mark.slow
def test_the_bundled_qwen_answers_sample_questions_with_cited_sentences(real_index: Index) -> None:
    backend = LlamaCppBackend()  # the default: qwen2.5-1.5b, joined from its packages and checked
    assert backend.model_path.name == gguf.MODELS["qwen2.5-1.5b"].file
    assert backend.model_path.stat().st_size == gguf.MODELS["qwen2.5-1.5b"].size
    right = []
    for question, accepted in ANSWERED:
        answer = answer_from(real_index, question, backend=backend, k=5)
        print(f"{question}\n  -> {answer.text!r} refused={answer.refused} dropped={answer.dropped}")
        if not answer.refused:
            for sentence, numbers in cited_sentences(answer.text):
                assert numbers, f"a kept sentence has no citation: {sentence!r}"
            assert answer.citations and all(1 <= c.number <= 5 for c in answer.citations)
        right.append(not answer.refused and answer_match(strip_markers(answer.text), accepted))
    assert sum(right) >= len(ANSWERED) - 1, f"correct and cited: {right}"


def test_streaming_then_the_verified_answer(real_index: Index) -> None:
    pieces = list(answer_stream(real_index, ANSWERED[0][0], backend=LlamaCppBackend("smollm2"), k=3))
    assert isinstance(pieces[-1], Answer) and len([p for p in pieces if isinstance(p, str)]) >= 3


def test_a_damaged_model_file_gives_a_clear_error(tmp_path: Path) -> None:
    whole = gguf.resolve("smollm2")
    cut = tmp_path / "cut.gguf"
    with whole.open("rb") as fh:
        cut.write_bytes(fh.read(2_000_000))  # a GGUF header, then nothing: a download that stopped
    backend = LlamaCppBackend(cut)
    with pytest.raises(ConfigError, match="could not load .*cut.gguf.*damaged"):
        backend.chat([{"role": "user", "content": "hello"}])


def test_an_over_long_context_is_trimmed_not_a_crash(real_index: Index) -> None:
    backend = LlamaCppBackend("smollm2", n_ctx=512, max_tokens=32, evidence_budget=None)  # whole passages
    hits = real_index.search("Hegseth NATO", k=5)
    huge = [replace(h, text=h.text * 20) for h in hits]
    messages = backend.messages("What did Hegseth say?" * 200, huge)
    assert backend.prompt_tokens(messages) <= 512 - 32
    user = messages[-1]["content"]
    assert "Question:" in user and "</passages>" in user, "the question and the fence survive trimming"
    assert "Passage 1 (" in user and "Passage 2 (" in user and "Hegseth" in user.split("Question:")[0], \
        "each passage keeps a share of its text"
    assert isinstance(backend.generate("What did Hegseth say?", huge), str)
    backend.evidence_budget = 2000  # selected sentences over budget for this window: the budget shrinks
    backend.use_embedder(real_index.embedder)
    trimmed = backend.messages("What did Hegseth say about NATO?", huge)
    assert backend.prompt_tokens(trimmed) <= 512 - 32 and "Hegseth" in trimmed[-1]["content"]
    with pytest.raises(ConfigError, match="n_ctx=256"):
        LlamaCppBackend("smollm2", n_ctx=256, max_tokens=200)
