"""The generative backends against real models: SmolLM2 through llama.cpp, in process and behind a local server.

SmolLM2-135M is tiny and often wrong; these tests check the plumbing is real and the contract
holds (every citation points at a retrieved passage; bad markers are dropped), not its answers.
"""

from __future__ import annotations

import pytest

from index import Index
from rag import Answer
from rag.api import answer_from
from rag.backends.llama_cpp import LlamaCppBackend
from rag.backends.openai import OpenAIBackend

pytestmark = pytest.mark.integration
QUESTION = "What did Hegseth say about NATO membership for Ukraine?"


def check_contract(answer: Answer, k: int) -> None:
    assert answer.text.strip()
    assert len(answer.passages) == k
    for c in answer.citations:
        assert 1 <= c.number <= k
        assert c.text == answer.passages[c.number - 1].text
    assert f"[{k + 1}]" not in answer.text
    if answer.refused:
        assert answer.citations == []


def check_verified(answer: Answer, idx: Index) -> None:
    """The verified answer keeps no sentence the judge rejects, and every kept sentence is cited."""
    from rag.api import default_judge
    from rag.judges import cited_sentences

    assert answer.verified_by.startswith("offline")
    if answer.refused:
        return
    judge = default_judge(idx)
    for claim, numbers in cited_sentences(answer.text):
        assert numbers, f"uncited sentence kept: {claim!r}"
        verdict = judge.judge(claim, [answer.passages[n - 1].text for n in numbers])
        assert verdict.supported, f"kept a sentence the judge rejects: {claim!r} ({verdict.reasons})"


def test_llama_cpp_bundled_smollm2(real_index: Index) -> None:
    backend = LlamaCppBackend("smollm2")
    assert backend.model_path.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    reply = backend.chat([{"role": "user", "content": "Say the word: hello"}])
    assert reply.strip(), "the real model produced text"
    answer = answer_from(real_index, QUESTION, backend=backend, k=3)
    assert answer.backend == "llama-cpp"
    check_contract(answer, 3)
    check_verified(answer, real_index)
    raw = answer_from(real_index, QUESTION, backend=backend, k=3, verify=False)
    print(f"SmolLM2 raw: {raw.text!r}\nverified: {answer.text!r}\ndropped: {answer.dropped}")


def test_openai_backend_against_real_llama_server(real_index: Index, llama_server: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_SERVER_KEY", "not-checked-by-llama-server")
    backend = OpenAIBackend(llama_server, model="smollm2", api_key_env="TEST_SERVER_KEY", timeout=120)
    answer = answer_from(real_index, QUESTION, backend=backend, k=3)
    assert answer.backend == "openai"
    check_contract(answer, 3)
    check_verified(answer, real_index)


def check_streams(backend, idx: Index) -> None:
    """Real token streaming: several text pieces arrive before the final, verified Answer."""
    from rag.api import answer_stream

    pieces = list(answer_stream(idx, QUESTION, backend=backend, k=3))
    text = [p for p in pieces if isinstance(p, str)]
    assert isinstance(pieces[-1], Answer) and all(isinstance(p, str) for p in pieces[:-1])
    assert len(text) >= 3, f"expected several streamed pieces, got {text!r}"
    check_contract(pieces[-1], 3)
    check_verified(pieces[-1], idx)


def test_llama_cpp_streams(real_index: Index) -> None:
    check_streams(LlamaCppBackend("smollm2"), real_index)


def test_openai_backend_streams_from_a_real_llama_server(real_index: Index, llama_server: str) -> None:
    check_streams(OpenAIBackend(llama_server, model="smollm2", api_key_env="", timeout=120), real_index)

