"""Secrets never show (issue #7): one canary secret, planted everywhere a secret goes, must come out nowhere.

The canary is the OpenAI-compatible API key (as an argument, and in the variable ``RAG_OPENAI_API_KEY_ENV``
names), the password in a base URL (``http://user:CANARY@host/v1``), the Chroma server token (in the variable
``RAG_CHROMA_TOKEN_ENV`` names) and the app's login password (``RAG_UI_PASSWORD``). Swept: every log record at
DEBUG of every logger, exception messages with their ``repr`` and chained causes, ``repr``/``str`` of the
objects that hold secrets, the ``rag`` command's stdout and stderr, the files an eval run writes, the app's
``/ask`` output, its backend panel and chat, and ``feedback.jsonl``. Servers are real where it matters: the fake
OpenAI-compatible server of the backend tests, a real ``chroma run``, the app on a free 127.0.0.1 port.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import subprocess
import sys
import traceback
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from index import Index, sample_dir
from rag import RagError
from rag.backends.openai import OpenAIBackend, Secret
from tests.helpers import free_port
from tests.ui.conftest import RunningApp
from tests.unit.test_backends_errors import FlakyFakeServer

pytestmark = pytest.mark.integration

HEX = uuid.uuid4().hex
CANARY = f"sk-canary-{HEX}"
BASIC = base64.b64encode(f"user:{CANARY}".encode()).decode()  # the canary as an HTTP basic-auth header carries it
NEEDLES = (CANARY, HEX[:12], HEX[-12:], BASIC)  # whole, either end of it (a cut-off or masked copy), or encoded
MESSAGES = [{"role": "user", "content": "hi"}]
QUESTION = "What did Hegseth say about NATO membership for Ukraine?"


def with_login(url: str) -> str:
    """``url`` with the canary as its password."""
    return url.replace("://", f"://user:{CANARY}@", 1)


def assert_clean(where: str, *texts: object) -> None:
    for text in texts:
        shown = text if isinstance(text, str) else repr(text)
        for needle in NEEDLES:
            at = shown.find(needle)
            assert at < 0, f"the secret leaked into {where}: ...{shown[max(at - 200, 0) : at + 80]}..."


def error_texts(exc: BaseException) -> list[str]:
    """``str``, ``repr`` and args of ``exc`` and of every exception chained to it, and the formatted traceback."""
    texts, todo, seen = ["".join(traceback.format_exception(exc))], [exc], set()
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        texts += [str(e), repr(e), repr(e.args)]
        todo += [e.__cause__, e.__context__]
    return texts


class AllLogs:
    """Every log record at DEBUG, from every logger, including those that do not pass records to the root."""

    def __init__(self, caplog: pytest.LogCaptureFixture) -> None:
        self.caplog = caplog
        self.attached: list[logging.Logger] = []
        self.widen()

    def widen(self) -> None:
        """Listen at DEBUG everywhere (again: a library may have set up its loggers since)."""
        self.caplog.set_level(logging.DEBUG)
        for name, logger in list(logging.root.manager.loggerDict.items()):
            if not isinstance(logger, logging.Logger):
                continue
            if logger.level > logging.DEBUG:
                self.caplog.set_level(logging.DEBUG, logger=name)
            if not logger.propagate and self.caplog.handler not in logger.handlers:
                logger.addHandler(self.caplog.handler)
                self.attached.append(logger)

    def texts(self) -> list[str]:
        return [self.caplog.text, *(repr(vars(r)) for r in self.caplog.records)]

    def close(self) -> None:
        for logger in self.attached:
            logger.removeHandler(self.caplog.handler)


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[AllLogs]:
    listening = AllLogs(caplog)
    yield listening
    listening.close()


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample articles indexed with the real MiniLM, for the command line, the eval run and the app."""
    folder = tmp_path_factory.mktemp("secrets") / "index"
    idx = Index(folder)
    idx.ingest([sample_dir()])
    idx.close()
    return folder


def test_objects_that_hold_secrets_never_show_them(monkeypatch: pytest.MonkeyPatch) -> None:
    from index.paths import chroma_server_from_env
    from rag.api import resolve_backend
    from rag.settings import Settings
    from ui.app import make_backend

    monkeypatch.setenv("RAG_OPENAI_BASE_URL", with_login("http://127.0.0.1:9/v1"))
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    monkeypatch.setenv("RAG_UI_USER", "editor")
    monkeypatch.setenv("RAG_UI_PASSWORD", CANARY)
    monkeypatch.setenv("RAG_CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("RAG_CHROMA_TOKEN_ENV", "CHROMA_TOKEN")
    monkeypatch.setenv("CHROMA_TOKEN", CANARY)
    settings = Settings()
    server = chroma_server_from_env()
    from_settings = resolve_backend("openai")
    typed = make_backend("openai", base_url=with_login("http://127.0.0.1:9/v1"), api_key=CANARY)
    by_argument = OpenAIBackend("http://127.0.0.1:9/v1", api_key=CANARY)
    # they do hold the canary
    assert settings.ui_password is not None and settings.ui_password.get_secret_value() == CANARY
    assert server is not None and server.headers == {"Authorization": CANARY}
    assert from_settings._headers() == {"Authorization": f"Bearer {CANARY}"}
    assert by_argument._headers() == {"Authorization": f"Bearer {CANARY}"} == typed._headers()
    for name, thing in [
        ("Secret", Secret(CANARY)),
        ("Settings", settings),
        ("SecretStr", settings.ui_password),
        ("ChromaServer", server),
        ("backend from settings", from_settings),
        ("backend from the panel", typed),
        ("backend given the key", by_argument),
    ]:
        assert_clean(f"repr/str of {name}", repr(thing), str(thing), f"{thing}", repr([thing]))
    for backend in (from_settings, typed, by_argument):
        assert_clean("a backend's attributes and description", repr(vars(backend)), backend.describe())


def echoing_server(status: int, body: str):
    """The replies of a misbehaving server, which quotes the credentials it was sent back in its reply."""
    import httpx

    def reply(request: httpx.Request) -> httpx.Response:
        sent = request.headers.get("authorization", "")
        assert CANARY in sent or BASIC in sent, "the secret was not even sent"
        return httpx.Response(status, text=body.replace("{sent}", sent), headers={"Retry-After": "0"})

    return reply


SERVERS = {  # what is at the URL
    "down": None,
    "401": (401, '{"error": "invalid key: {sent}"}'),
    "500": (500, "Internal error while handling Authorization: {sent}"),
    "not JSON": (200, "data: <html>proxy login for {sent}</html>"),  # for a stream: an event that is not JSON
}


def backend_for(how: str, url: str, monkeypatch: pytest.MonkeyPatch) -> OpenAIBackend:
    """An openai backend for ``url`` whose secret is the canary, given ``how``."""
    from rag.api import resolve_backend

    if how == "argument":
        return OpenAIBackend(url, api_key=CANARY, api_key_env=None, retries=1)
    if how == "environment":  # as the CLI and the app build it: RAG_* settings, key in $OPENAI_API_KEY
        monkeypatch.setenv("RAG_OPENAI_BASE_URL", url)
        monkeypatch.setenv("RAG_OPENAI_RETRIES", "1")
        monkeypatch.setenv("OPENAI_API_KEY", CANARY)
        backend = resolve_backend("openai")
        assert isinstance(backend, OpenAIBackend)
        return backend
    return OpenAIBackend(with_login(url), api_key_env=None, retries=1)


@pytest.mark.parametrize("how", ["argument", "environment", "url"])
@pytest.mark.parametrize("server", list(SERVERS))
@pytest.mark.parametrize("streamed", [False, True], ids=["chat", "stream"])
def test_backend_errors_and_logs_never_show_the_secret(
    server: str, how: str, streamed: bool, logs: AllLogs, monkeypatch: pytest.MonkeyPatch
) -> None:
    import httpx

    url = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    if SERVERS[server] is not None:  # else the real transport meets the closed port
        status, body = SERVERS[server]
        transport = httpx.MockTransport(echoing_server(status, body))
        monkeypatch.setattr(httpx, "HTTPTransport", lambda **_: transport)
    backend = backend_for(how, url, monkeypatch)
    with pytest.raises(RagError) as err:
        list(backend.chat_stream(MESSAGES)) if streamed else backend.chat(MESSAGES)
    assert "127.0.0.1" in str(err.value)  # the error names the server
    assert_clean(f"the error for a server that is {server}", *error_texts(err.value))
    assert_clean("the log", *logs.texts())


@pytest.mark.parametrize(
    "url",
    [
        "ftp://user:{}@127.0.0.1/v1",
        "http://user:{}@127.0.0.1:notaport/v1",
        "http://user:{}@127.0.0.1:99999/v1",
        "http://user:{}@[::1/v1",
        "http://user:{}@ 127.0.0.1/v1",
        "user:{}@127.0.0.1:8080/v1",
    ],
)
def test_a_bad_url_never_shows_its_password(url: str, logs: AllLogs) -> None:
    with pytest.raises(RagError) as err:
        OpenAIBackend(url.format(CANARY), api_key_env=None, retries=0).chat(MESSAGES)
    assert_clean("the error for a bad URL", *error_texts(err.value))
    assert_clean("the log", *logs.texts())


def test_a_working_server_with_the_secret_leaves_no_trace(logs: AllLogs) -> None:
    with FlakyFakeServer(busy=1) as server:  # one HTTP 503, retried, then the reply
        backend = OpenAIBackend(with_login(server.url), api_key=CANARY, retries=1)
        assert backend.chat(MESSAGES) == "whole" and server.seen == 2
    assert "HTTP Request: POST http://" in logs.caplog.text  # httpx logs each request's URL
    assert_clean("the log", *logs.texts())


def test_the_chroma_token_never_shows(
    chroma_server: tuple[str, int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    logs: AllLogs,
) -> None:
    from index.embedding.fake import FakeHashEmbedder
    from index.errors import StoreUnavailableError

    host, port = chroma_server
    monkeypatch.setenv("RAG_CHROMA_HOST", host)
    monkeypatch.setenv("RAG_CHROMA_PORT", str(port))
    monkeypatch.setenv("RAG_CHROMA_TOKEN_ENV", "CHROMA_TOKEN")
    monkeypatch.setenv("CHROMA_TOKEN", f"Bearer {CANARY}")
    monkeypatch.setenv("RAG_CHROMA_COLLECTION", f"secrets-{uuid.uuid4().hex[:8]}")
    idx = Index(tmp_path / "up", embedder=FakeHashEmbedder())  # a real server, sent the token with every request
    try:
        idx.ingest([sample_dir()])
        assert idx.info().chunks > 0
    finally:
        idx.close()
    monkeypatch.setenv("RAG_CHROMA_PORT", str(free_port()))  # and one that is down
    with pytest.raises(StoreUnavailableError) as err:
        Index(tmp_path / "down", embedder=FakeHashEmbedder())
    assert_clean("the error for a Chroma server that is down", *error_texts(err.value))
    assert_clean("the log", *logs.texts())


def rag_command(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "rag.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )


def test_the_command_line_never_prints_a_secret(index_dir: Path, tmp_path: Path) -> None:
    secrets = {
        "OPENAI_API_KEY": CANARY,
        "RAG_UI_USER": "editor",
        "RAG_UI_PASSWORD": CANARY,
        "CHROMA_TOKEN": CANARY,
        "RAG_INDEX_DIR": str(index_dir),
    }
    down = f"http://127.0.0.1:{free_port()}/v1"
    with FlakyFakeServer(busy=0) as server:
        openai = {**secrets, "RAG_BACKEND": "openai", "RAG_OPENAI_BASE_URL": with_login(server.url)}
        chroma_down = {
            **secrets,
            "RAG_INDEX_DIR": str(tmp_path / "idx"),
            "RAG_CHROMA_HOST": "127.0.0.1",
            "RAG_CHROMA_PORT": str(free_port()),
            "RAG_CHROMA_TOKEN_ENV": "CHROMA_TOKEN",
        }
        runs = {  # started together, so they load their models side by side
            "ask, server down": rag_command(
                "ask", QUESTION, "--backend", "openai", "--base-url", with_login(down), env=secrets
            ),
            "ask --stream": rag_command("ask", QUESTION, "--stream", env=openai),
            "info": rag_command("info", env=openai),
            "info, Chroma down": rag_command("info", env=chroma_down),
        }
        try:
            done = {name: (proc.communicate(timeout=180), proc.returncode) for name, proc in runs.items()}
        finally:
            for proc in runs.values():
                if proc.poll() is None:  # timed out: stop it
                    proc.kill()
                    proc.wait(timeout=10)
    for name, ((out, err), _code) in done.items():
        assert_clean(f"`rag {name}` output", out, err)
    (_, err), code = done["ask, server down"]
    assert code == 2 and f"Cannot reach the OpenAI-compatible server at {down}" in err
    (out, err), code = done["ask --stream"]
    assert code == 0 and "streamed" in out, err
    (out, err), code = done["info"]
    assert code == 0 and "backend:    openai (default at http://127.0.0.1:" in out, err
    (_, err), code = done["info, Chroma down"]
    assert code == 2 and "Cannot reach the Chroma server" in err


def test_an_eval_run_with_the_openai_backend_writes_no_secret(
    index_dir: Path, tmp_path: Path, logs: AllLogs, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from eval.datasets import QUESTIONS
    from rag.cli import main

    first = QUESTIONS.read_text(encoding="utf-8").splitlines()[0]
    dataset = tmp_path / "one.jsonl"
    dataset.write_text(first + "\n", encoding="utf-8")
    out = tmp_path / "run"
    with FlakyFakeServer(busy=0) as server:
        monkeypatch.setenv("RAG_OPENAI_BASE_URL", with_login(server.url))
        monkeypatch.setenv("OPENAI_API_KEY", CANARY)
        code = main(
            [
                "eval",
                "run",
                str(dataset),
                "--backend",
                "openai",
                "-k",
                "3",
                "--index",
                str(index_dir),
                "--out",
                str(out),
                "--no-progress",
            ]
        )
        assert code == 0 and server.seen == 1
    printed = capsys.readouterr()
    assert_clean("`rag eval run` output", printed.out, printed.err)
    files = [p for p in out.rglob("*") if p.is_file()]
    assert {"questions.jsonl", "summary.json", "report.md"} <= {p.name for p in files}
    assert "openai (default at http://127.0.0.1:" in (out / "report.md").read_text(encoding="utf-8")
    for path in files:
        assert_clean(f"the eval run's {path.name}", path.read_bytes().decode("utf-8", errors="replace"))
    assert_clean("the log", *logs.texts())


def app_function(app: Any, name: str) -> Any:
    """One of the app's event handlers, by its Python name (the panel's are not in the app's API)."""
    return next(f.fn for f in app.fns.values() if getattr(f.fn, "__name__", "") == name)


def test_the_app_never_shows_a_secret(
    index_dir: Path, monkeypatch: pytest.MonkeyPatch, logs: AllLogs, capsys: pytest.CaptureFixture[str]
) -> None:
    import gradio as gr
    from gradio_client import Client

    import ui.app
    from rag.cli import main
    from ui.app import Session

    launched: list[Any] = []
    real_launch = ui.app.launch

    def launch_in_background(*args: Any, **kwargs: Any) -> Any:
        launched.append(real_launch(*args, **{**kwargs, "block": False}))
        return launched[-1]

    port = free_port()
    with FlakyFakeServer(busy=0) as own, FlakyFakeServer(busy=0) as typed:
        for name, value in {
            "GRADIO_ANALYTICS_ENABLED": "False",
            "RAG_INDEX_DIR": str(index_dir),
            "RAG_UI_USER": "editor",
            "RAG_UI_PASSWORD": CANARY,
            "RAG_BACKEND": "openai",
            "RAG_OPENAI_BASE_URL": with_login(own.url),
            "OPENAI_API_KEY": CANARY,
        }.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr(ui.app, "launch", launch_in_background)
        assert main(["ui", "--port", str(port)]) == 0  # `rag ui`, reading the login from RAG_UI_PASSWORD
        app = RunningApp(f"http://127.0.0.1:{port}/", index_dir)
        try:
            logs.widen()  # the web server has set up its loggers
            got = Client(app.url, auth=("editor", CANARY), verbose=False).predict(QUESTION, api_name="/ask")
            assert got["backend"] == "openai" and own.seen == 1
            apply, respond, vote = (app_function(launched[0], n) for n in ("apply_settings", "respond", "vote"))
            state, status, cleared = apply(Session(), "openai", "", with_login(typed.url), "m", CANARY)
            assert "(API key set; it is kept in memory and never shown)" in status and cleared == ""
            chat = list(respond(QUESTION, [], state, None, "", ""))
            assert typed.seen == 1 and state.answers[0] is not None
            assert "recorded" in vote(state, gr.LikeData(None, {"index": 1, "value": "", "liked": True}))
            _, bad_url, _ = apply(Session(), "openai", "", "ftp://user:" + CANARY + "@127.0.0.1/v1", "", CANARY)
            state_down, _, _ = apply(
                Session(), "openai", "", with_login(f"http://127.0.0.1:{free_port()}/v1"), "", CANARY
            )
            failed = list(respond(QUESTION, [], state_down, None, "", ""))
            assert "Cannot reach" in failed[-1][0][-1]["content"] and "Not changed" in bad_url
        finally:
            for started in launched:
                started.close()
    printed = capsys.readouterr()
    assert "with a login" in printed.out
    assert_clean("`rag ui` output", printed.out, printed.err)
    assert_clean("the /ask answer", json.dumps(got))
    assert_clean("the backend panel", status, bad_url)
    assert_clean("the chat", repr(chat), repr(failed))
    lines = (index_dir / "feedback.jsonl").read_text(encoding="utf-8")
    assert json.loads(lines.splitlines()[-1])["backend"] == "openai"
    assert_clean("feedback.jsonl", lines)
    assert_clean("the log", *logs.texts())
