
import pytest

from rag import BackendUnavailableError, ConfigError, MissingKeyError, get_backend
from rag.backends.openai import OpenAIBackend
from tests.helpers import free_port

MESSAGES = [{"role": "user", "content": "hi"}]



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


class FlakyFakeServer:
    """A real HTTP server on 127.0.0.1 standing in for an LLM server: answers 503 (with Retry-After: 0)
    ``busy`` times, then a fixed chat completion (plain or streamed). Serves at most 10 requests."""

    def __init__(self, busy: int) -> None:
        import http.server
        import json
        import threading

        self.busy, self.seen = busy, 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.seen += 1
                if outer.seen <= outer.busy:
                    self.send_response(503)
                    self.send_header("Retry-After", "0")
                    self.send_header("Content-Length", "4")
                    self.end_headers()
                    self.wfile.write(b"busy")
                    return
                if body.get("stream"):
                    chunk = json.dumps({"choices": [{"delta": {"content": "streamed"}}]})
                    data = f"data: {chunk}\n\ndata: [DONE]\n\n".encode()
                else:
                    data = json.dumps({"choices": [{"message": {"content": "whole"}}]}).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        for _ in range(10):  # bounded; each wait ends after server.timeout, and closing the socket ends it
            try:
                self.server.handle_request()
            except (OSError, ValueError):
                return

    def __enter__(self) -> "FlakyFakeServer":
        self.server.timeout = 10
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.server_close()


def test_busy_server_is_retried_then_answers() -> None:
    with FlakyFakeServer(busy=2) as server:
        assert OpenAIBackend(server.url, api_key_env="", retries=2).chat(MESSAGES) == "whole"
        assert server.seen == 3
    with FlakyFakeServer(busy=1) as server:
        assert list(OpenAIBackend(server.url, api_key_env="", retries=1).chat_stream(MESSAGES)) == ["streamed"]
        assert server.seen == 2


def test_retries_give_up_with_the_status_and_url() -> None:
    with FlakyFakeServer(busy=5) as server:
        with pytest.raises(BackendUnavailableError, match="HTTP 503") as err:
            OpenAIBackend(server.url, api_key_env="", retries=1).chat(MESSAGES)
        assert server.url in str(err.value) and server.seen == 2


def test_a_key_given_directly_is_sent_but_never_shown() -> None:
    backend = OpenAIBackend("http://127.0.0.1:9/v1", api_key_env="UNSET_VARIABLE_FOR_TEST", api_key="sk-typed-456")
    assert backend._headers() == {"Authorization": "Bearer sk-typed-456"}
    assert "sk-typed-456" not in repr(vars(backend)) + str(backend.api_key) + backend.describe()


def test_retry_after_reads_seconds_and_dates_and_ignores_junk() -> None:
    import email.utils
    import time

    from rag.backends.openai import _retry_after

    assert _retry_after("3") == 3.0 and _retry_after("") is None
    assert _retry_after("nan") is None and _retry_after("inf") is None and _retry_after("soon") is None
    later = email.utils.formatdate(time.time() + 20, usegmt=True)
    assert 15 < (_retry_after(later) or 0) <= 21


def test_urls_are_checked_and_never_shown_with_credentials() -> None:
    with pytest.raises(ConfigError, match="http"):
        OpenAIBackend("ftp://example.invalid/v1")
    backend = OpenAIBackend("http://user:pw-secret@127.0.0.1:9/v1", api_key_env="", retries=0)
    assert "pw-secret" not in backend.describe()
    with pytest.raises(BackendUnavailableError) as err:
        backend.chat(MESSAGES)
    assert "pw-secret" not in str(err.value) and "127.0.0.1:9" in str(err.value)


def test_a_reply_that_is_not_json_is_a_clear_error() -> None:
    import http.server
    import threading

    class NotJson(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Length", "5")
            self.end_headers()
            self.wfile.write(b"hello")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotJson)
    server.timeout = 10
    thread = threading.Thread(target=server.handle_request, daemon=True)  # serves exactly one request
    thread.start()
    try:
        with pytest.raises(BackendUnavailableError, match="not JSON"):
            OpenAIBackend(f"http://127.0.0.1:{server.server_address[1]}/v1", api_key_env="", retries=0).chat(MESSAGES)
    finally:
        thread.join(timeout=10)
        server.server_close()


@pytest.mark.parametrize(("url", "request_url", "login"), [
    ("http://user:p@ss@127.0.0.1:9/v1", "http://127.0.0.1:9/v1", ("user", "p@ss")),  # '@' in the password
    ("http://u%3Ax:p%40w@127.0.0.1:9/v1", "http://127.0.0.1:9/v1", ("u:x", "p@w")),  # percent-encoded
    ("http://127.0.0.1:9/v1?x=me@example.com", "http://127.0.0.1:9/v1?x=me@example.com", None),  # not a login
    ("http://@127.0.0.1:9/v1", "http://127.0.0.1:9/v1", None),  # an empty login is no login
    ("http://127.0.0.1:9/v1", "http://127.0.0.1:9/v1", None),
])
def test_a_login_in_the_url_is_split_off_where_rfc_3986_says(url: str, request_url: str, login: tuple | None) -> None:
    from rag.backends.openai import _split_login

    assert _split_login(url) == (request_url, login)
    backend = OpenAIBackend(url, api_key_env="", retries=0)
    assert backend.base_url == request_url
    assert backend.url_login.get() == ("\n".join(login) if login else None)
