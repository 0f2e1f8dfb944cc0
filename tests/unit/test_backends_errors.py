import socket

import pytest

from rag import BackendUnavailableError, ConfigError, MissingKeyError, get_backend
from rag.backends.openai import OpenAIBackend

MESSAGES = [{"role": "user", "content": "hi"}]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unknown_backend_lists_known_names() -> None:
    with pytest.raises(ConfigError, match="extractive, llama-cpp, openai"):
        get_backend("gpt-5")


def test_openai_needs_a_url() -> None:
    with pytest.raises(ConfigError, match="RAG_OPENAI_BASE_URL"):
        OpenAIBackend()


def test_server_down_names_the_url() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    backend = OpenAIBackend(url, api_key_env="", retries=0)
    with pytest.raises(BackendUnavailableError, match=url.replace(".", r"\.")):
        backend.chat(MESSAGES)
    with pytest.raises(BackendUnavailableError, match=url.replace(".", r"\.")):
        list(backend.chat_stream(MESSAGES))


def test_missing_key_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    backend = OpenAIBackend("http://127.0.0.1:9/v1", api_key_env="MY_TEST_KEY")
    with pytest.raises(MissingKeyError, match="MY_TEST_KEY"):
        backend.chat(MESSAGES)


def test_key_never_appears_in_errors_or_description(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_TEST_KEY", "sk-very-secret-123")
    backend = OpenAIBackend(f"http://127.0.0.1:{free_port()}/v1", api_key_env="MY_TEST_KEY", retries=0)
    with pytest.raises(BackendUnavailableError) as err:
        backend.chat(MESSAGES)
    assert "sk-very-secret-123" not in str(err.value) + repr(err.value) + backend.describe() + repr(vars(backend))
