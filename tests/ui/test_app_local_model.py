"""The app with a local model (SmolLM2: any model will do for this): several users at once share one loaded
model, each waits its turn, and every one gets an answer."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from tests.helpers import free_port

pytestmark = pytest.mark.integration


def test_users_at_once_share_one_loaded_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_MODEL", "smollm2")
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    import llama_cpp as llama_cpp_lib
    from gradio_client import Client

    from rag.backends import llama_cpp
    from ui.app import launch

    made = []

    class Counting(llama_cpp_lib.Llama):  # the real class; only counts how often a model is loaded
        def __init__(self, *args: object, **kwargs: object) -> None:
            made.append(kwargs.get("model_path"))
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(llama_cpp_lib, "Llama", Counting)
    for key in [k for k in llama_cpp._loaded if k[0].endswith("SmolLM2-135M-Instruct.Q4_1.gguf")]:
        monkeypatch.delitem(llama_cpp._loaded, key)  # so this test's sessions must load it themselves
    port = free_port()
    app = launch(tmp_path / "index", port=port, block=False, backend="llama-cpp")
    try:
        questions = ["Will US troops be deployed to Ukraine?", "What did Peskov say about territory exchanges?",
                     "Who launched the Ukraine Defense Contact Group?"]
        got: dict[str, dict] = {}

        def ask(q: str) -> None:
            got[q] = Client(f"http://127.0.0.1:{port}/", verbose=False).predict(q, api_name="/ask")

        threads = [threading.Thread(target=ask, args=(q,)) for q in questions]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        assert set(got) == set(questions), "every user got a reply"
        assert all(g["backend"] == "llama-cpp" and g["text"] for g in got.values())
        assert len(made) == 1, f"one copy of the model in memory, shared by all sessions, not {made}"
        assert llama_cpp.GATE.ahead() == 0, "the line is empty once everyone is answered"
    finally:
        app.close()
        from rag.api import close_all

        close_all()
