"""The Gradio chat app (``rag ui``): streamed, verified answers with source cards, uploads, filters, settings.

Layout: the chat (left) and the sources panel (right); below, accordions for filters, articles (upload and
index statistics) and the answer backend. Each browser session has its own conversation and backend;
the index is shared. Programs can call the ``/ask`` endpoint with ``gradio_client`` (see the README).

Gradio is imported inside ``build`` (a heavy import; ``rag --help`` stays instant). Analytics and
Gradio's version check are off: ``GRADIO_ANALYTICS_ENABLED=False`` is set before it is imported.
"""

# No ``from __future__ import annotations`` here: Gradio reads ``gr.LikeData`` from the handler's annotation
# at run time, and ``gr`` is imported inside ``build``.
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import rag
import rag.api
from rag import Answer, Backend, Conversation, RagError, get_backend
from rag.backends import default_backend_name
from rag.settings import Settings
from ui import feedback, render, uploads

BACKENDS = ("extractive", "llama-cpp", "openai")
LOOPBACK = ("127.0.0.1", "localhost", "::1")
log = logging.getLogger(__name__)
CSS = """
.rag-card { border: 1px solid #d0d7de; border-radius: 8px; padding: 8px 10px; margin: 0 0 10px 0; }
.rag-card summary { cursor: pointer; }
.rag-closest { border-style: dashed; opacity: 0.9; }
.rag-meta, .rag-also { color: #57606a; font-size: 0.9em; margin: 2px 0; }
.rag-passage { white-space: pre-wrap; margin-top: 6px; line-height: 1.45; }
mark.rag-quote { background: #fff3a3; padding: 0 1px; }
.rag-refused { color: #9a3412; font-weight: 600; }
"""


@dataclass
class Session:
    """One browser session: its conversation, the answers shown (one per turn), and its backend."""

    backend: Backend | None = None
    conversation: Conversation | None = None
    answers: list[Answer | None] = field(default_factory=list)  # one per chat turn (None: the turn failed)
    asked: list[str] = field(default_factory=list)


def make_backend(name: str, local_model: str = "", base_url: str = "", model: str = "", api_key: str = "",
                 settings: Settings | None = None) -> Backend:
    """A backend from the settings panel's fields; blanks fall back to the ``RAG_*`` settings.

    The server's own key (the variable ``RAG_OPENAI_API_KEY_ENV`` names) is sent only to the configured
    ``RAG_OPENAI_BASE_URL``: a URL typed into the panel gets the key typed with it, or none. Otherwise anyone
    using the app could send the server's key to a URL of their choosing.
    """
    settings = settings or Settings()
    if name == "llama-cpp":
        return get_backend("llama-cpp", model=local_model.strip() or settings.model, wait=settings.model_wait)
    if name == "openai":
        options = settings.backend_options("openai")
        url = base_url.strip() or options["base_url"]
        own_server = bool(url) and url.rstrip("/") == (options["base_url"] or "").rstrip("/")
        options.update(base_url=url, model=model.strip() or options["model"], api_key=api_key or None,
                       api_key_env=options["api_key_env"] if own_server and not api_key else None)
        return get_backend("openai", **options)
    return get_backend(name)


@dataclass(frozen=True)
class Waiting:
    """This question waits for the shared local model, with ``ahead`` questions before it."""

    ahead: int


def pieces_and_waits(stream: Iterator[Any]) -> Iterator[Any]:
    """The pieces of an answer stream, with ``Waiting`` items while the question waits in the local model's line.

    The stream runs in a worker thread that reports its place in line (``waiting_notice``), so the page can say
    "busy, N ahead of you" instead of showing nothing; an error in the stream is raised here. When the page stops
    reading (the user left), the worker leaves the line or stops the stream, so nobody waits for an unread answer.
    """
    import contextvars
    import queue
    import threading

    from rag.backends.llama_cpp import waiting_notice

    out: queue.Queue[tuple[str, Any]] = queue.Queue()
    stop = threading.Event()
    told: list[int] = []

    def notice(ahead: int) -> None:
        if stop.is_set():
            raise _PageGone
        if not told or told[-1] != ahead:
            told.append(ahead)
            out.put(("wait", Waiting(ahead)))

    def work() -> None:
        waiting_notice.set(notice)
        try:
            for piece in stream:
                if stop.is_set():
                    return
                out.put(("piece", piece))
        except _PageGone:
            return
        except BaseException as exc:  # handed to the page's thread, which shows it
            out.put(("error", exc))
        else:
            out.put(("end", None))
        finally:
            close = getattr(stream, "close", None)
            if close:
                close()  # a stopped generator releases the model at once

    threading.Thread(target=contextvars.copy_context().run, args=(work,), daemon=True).start()
    try:
        while True:
            kind, item = out.get()
            if kind == "end":
                return
            if kind == "error":
                raise item
            yield item
    finally:
        stop.set()


class _PageGone(Exception):
    """The page stopped reading an answer that was still waiting for the model."""


def answer_as_data(answer: Answer) -> dict[str, Any]:
    """An answer as plain data (what the ``/ask`` API returns)."""
    return {
        "text": answer.text,
        "refused": answer.refused,
        "refusal_reason": answer.refusal_reason,
        "question": answer.question,
        "backend": answer.backend,
        "citations": [
            {"number": c.number, "title": c.title, "source": c.source, "published": c.published, "url": c.url,
             "text": c.text, "start": c.start, "end": c.end, "doc_id": c.doc_id,
             "quote": None if c.quote is None else {"text": c.quote.text, "start": c.quote.start, "end": c.quote.end},
             "also_reported_by": sorted({p.label for p in c.also_in})}
            for c in answer.citations
        ],
        "dropped": [{"sentence": d.sentence, "reason": d.reason} for d in answer.dropped],
        "closest": [{"title": h.title, "source": h.source, "text": h.text} for h in answer.passages[:3]]
        if answer.refused else [],
    }


def stats_markdown(index_dir: Any) -> str:
    """Index statistics for the page (outlet names come from article files: shown as plain text)."""
    info = rag.info(index_dir)
    dates = f"{info.first_date} to {info.last_date}" if info.first_date else "none known"
    outlets = render.plain(", ".join(info.sources)) or "none known"
    return (f"**{info.documents}** articles · **{info.chunks}** passages · outlets: {outlets} · "
            f"dates: {render.plain(dates)}")


def filters_from(outlets: list[str] | None, since: str | None, until: str | None) -> dict[str, Any]:
    return {k: v for k, v in {"source": list(outlets or []), "since": (since or "").strip(),
                              "until": (until or "").strip()}.items() if v}


def build(index_dir: Any = None, *, backend: str | None = None, k: int = 5, seed_samples: bool = True,
          backend_changes: bool = True) -> Any:
    """The app, not yet launched. ``seed_samples``: ingest the sample articles if the index is empty.
    ``backend_changes``: let users pick another backend, URL or model file (off when the app is shared on
    a network: a user could otherwise make the server call any URL or load any file it can read)."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    try:
        import gradio as gr
    except ImportError:
        from rag import MissingExtraError

        raise MissingExtraError("ui", "The chat app") from None

    data_dir = Path(rag.info(index_dir).index_dir)
    if seed_samples and rag.info(index_dir).documents == 0:
        rag.ingest([rag.sample_articles()], index_dir=index_dir)
    default_backend, fallback_note = (backend, "") if backend else default_backend_name(Settings().model)
    if fallback_note:  # llama.cpp or the model is not installed: extractive, and the page says why
        log.warning(fallback_note)

    def session_backend(state: Session) -> Backend:
        if state.backend is None:  # the default, configured from RAG_* settings like the CLI
            state.backend = rag.api.resolve_backend(default_backend)
        return state.backend

    def respond(message: str, history: list[dict[str, Any]], state: Session, outlets: list[str] | None,
                since: str, until: str) -> Iterator[tuple[Any, ...]]:
        message = (message or "").strip()
        if not message:
            yield history, gr.update(), state, ""
            return
        history = [*history, {"role": "user", "content": message}, {"role": "assistant", "content": "…"}]
        state.asked.append(message)
        state.answers.append(None)
        slot = len(state.answers) - 1  # this turn's place, whatever else the session does meanwhile
        yield history, gr.update(), state, ""
        try:
            backend_now = session_backend(state)
            chat = state.conversation
            if chat is None or chat.llm is not backend_now:  # first question, or the backend changed
                chat = state.conversation = Conversation(llm=backend_now, index_dir=index_dir, k=k)
            chat.filters = filters_from(outlets, since, until) or None
            streamed = ""
            started = time.perf_counter()
            for piece in pieces_and_waits(chat.ask_stream(message)):
                if isinstance(piece, Waiting):
                    history[-1] = {"role": "assistant", "content": render.waiting_markdown(piece.ahead)}
                    yield history, gr.update(), state, ""
                elif isinstance(piece, Answer):
                    state.answers[slot] = piece
                    turn = slot + 1
                    history[-1] = {"role": "assistant", "content": render.answer_markdown(piece, turn)}
                    took = f"{time.perf_counter() - started:.1f} s"
                    yield history, render.cards_html(piece, turn), state, took
                else:
                    streamed += piece
                    history[-1] = {"role": "assistant", "content": render.streaming_markdown(streamed)}
                    yield history, gr.update(), state, ""
        except RagError as exc:
            history[-1] = {"role": "assistant", "content": f"**Error:** {render.plain(str(exc))}"}
            yield history, gr.update(), state, ""
        except Exception as exc:  # never leave the chat on "…": say what failed; the question stays in the history
            log.exception("answering %r failed", message)
            history[-1] = {"role": "assistant",
                           "content": f"**Unexpected error** ({type(exc).__name__}); see the server log."}
            yield history, gr.update(), state, ""

    def vote(state: Session, data: gr.LikeData) -> str:
        index = data.index[0] if isinstance(data.index, list | tuple) else data.index
        turn = int(index) // 2  # user, assistant, user, assistant ...
        answer = state.answers[turn] if 0 <= turn < len(state.answers) else None
        if answer is None or data.liked in ("", None):  # nothing there, or a vote taken back
            return "Nothing recorded."
        liked = data.liked is True or data.liked == "Like"
        feedback.record(data_dir, state.asked[turn], answer, liked)
        return f"Thanks: recorded {'👍' if liked else '👎'} in {feedback.FILE_NAME}."

    def add_files(files: list[str] | None,
                  progress: Any = gr.Progress(track_tqdm=True)) -> tuple[Any, ...]:  # noqa: B008 - Gradio's way
        if not files:
            return f"Choose {', '.join(uploads.ALLOWED)} files first.", stats_markdown(index_dir), gr.update()
        progress(0, desc="Storing uploads")
        stored = uploads.store(list(files), data_dir / "uploads")
        lines = []
        if stored.paths:
            try:  # the whole uploads folder: files a busy index refused earlier are added now (the rest are unchanged)
                report = rag.ingest([data_dir / "uploads"], index_dir=index_dir, progress=True)
            except RagError as exc:  # e.g. another ingest is writing (IndexBusyError): the files stay stored
                lines.append(f"**Not added yet:** {render.plain(str(exc))} Your files are kept and are added with "
                             "the next upload.")
            else:
                lines.append(f"**{report.summary()}**")
                lines += [f"- skipped {render.plain(Path(p).name)}: {render.plain(why)}" for p, why in report.skipped]
        lines += [f"- skipped {render.plain(name)}: {render.plain(why)}" for name, why in stored.skipped]
        outlets_now = rag.info(index_dir).sources
        return "\n".join(lines) or "Nothing was added.", stats_markdown(index_dir), gr.update(choices=outlets_now)

    def apply_settings(state: Session, name: str, local_model: str, base_url: str, model: str,
                       api_key: str) -> tuple[Any, ...]:
        if not backend_changes:
            return state, "Backend changes are off while the app is shared on a network.", ""
        try:
            state.backend = make_backend(name, local_model, base_url, model, api_key)
        except RagError as exc:
            return state, f"**Not changed:** {render.plain(str(exc))}", ""
        state.conversation = None  # the next question starts a conversation with the new backend
        key = " (API key set; it is kept in memory and never shown)" if api_key else ""
        return state, f"Backend: {render.plain(state.backend.describe())}{key}", ""  # "" clears the key box

    def ask_api(question: str, outlets: list[str] | None = None, since: str = "",
                until: str = "") -> dict[str, Any]:
        """Ask one question (no conversation) with the app's default backend; returns the answer as data."""
        answer = rag.api.answer_from(rag.api.open_index(index_dir), question,
                                     backend=rag.api.resolve_backend(default_backend), k=k,
                                     filters=filters_from(outlets, since, until) or None)
        return answer_as_data(answer)

    with gr.Blocks(title="News answers", analytics_enabled=False) as app:
        state = gr.State(Session())
        gr.Markdown("## Ask the articles\nEvery statement is checked against the passage it cites; "
                    "if the articles do not answer, the app says so.")
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(elem_id="chat", height=520, label="Answers",
                                  feedback_options=("Like", "Dislike"))
                question = gr.Textbox(elem_id="question", placeholder="Ask about the articles…", show_label=False)
                with gr.Row():
                    ask_button = gr.Button("Ask", variant="primary", elem_id="ask")
                    took = gr.Textbox(label="Answered in", interactive=False, elem_id="took", max_lines=1)
                rated = gr.Markdown(elem_id="rated")
            with gr.Column(scale=2):
                sources = gr.HTML("<p>Sources appear here.</p>", elem_id="sources", label="Sources")
        with gr.Accordion("Filters", open=False):
            outlets = gr.Dropdown(choices=rag.info(index_dir).sources, multiselect=True, label="Outlets",
                                  elem_id="outlets")
            with gr.Row():
                since = gr.Textbox(label="Published since (YYYY-MM-DD)", elem_id="since")
                until = gr.Textbox(label="Published until (YYYY-MM-DD)", elem_id="until")
        with gr.Accordion("Articles", open=False):
            stats = gr.Markdown(stats_markdown(index_dir), elem_id="stats")
            files = gr.File(file_count="multiple", file_types=list(uploads.ALLOWED), label="Add articles",
                            elem_id="upload")
            add_button = gr.Button("Add to the index", elem_id="add")
            added = gr.Markdown(elem_id="added")
        with gr.Accordion("Answer backend", open=False):
            name = gr.Radio(list(BACKENDS), value=default_backend, label="Backend", elem_id="backend")
            local_model = gr.Textbox(label="Local model (llama-cpp): qwen2.5-1.5b, qwen2.5-0.5b, smollm2 or a GGUF "
                                           "file path; empty = RAG_MODEL (default qwen2.5-1.5b)")
            base_url = gr.Textbox(label="Server URL (openai), e.g. http://127.0.0.1:8080/v1")
            model = gr.Textbox(label="Model name (openai)")
            api_key = gr.Textbox(label="API key (openai; optional, never shown again)", type="password")
            apply_button = gr.Button("Use this backend", interactive=backend_changes)
            backend_status = gr.Markdown(f"Backend: {default_backend}" + (f" ({render.plain(fallback_note)})"
                                                                          if fallback_note else "") + (
                "" if backend_changes else " (changes are off while the app is shared on a network)"))

        pending = gr.State("")  # the question being answered: the box is cleared at once, so typing goes on
        inputs = [pending, chat, state, outlets, since, until]
        outputs = [chat, sources, state, took]
        gr.on([ask_button.click, question.submit], lambda q: ("", q), [question], [question, pending],
              api_visibility="private", queue=False).then(respond, inputs, outputs, api_visibility="private",
                                                          concurrency_id="answers")
        chat.like(vote, [state], [rated], api_visibility="private")
        chat.clear(lambda: (Session(), "<p>Sources appear here.</p>"), None, [state, sources],
                   api_visibility="private")  # the trash button: a new conversation, and votes map again
        add_button.click(add_files, [files], [added, stats, outlets], api_name="add_articles",
                         concurrency_limit=1)  # one ingest at a time
        apply_button.click(apply_settings, [state, name, local_model, base_url, model, api_key],
                           [state, backend_status, api_key], api_visibility="private")
        gr.api(ask_api, api_name="ask", concurrency_id="answers")
        # statistics and outlets as they are when a page opens (another user may have added articles)
        app.load(lambda: (stats_markdown(index_dir), gr.update(choices=rag.info(index_dir).sources)), None,
                 [stats, outlets], api_visibility="private")
    app.queue(default_concurrency_limit=4, max_size=64)
    return app


def launch(index_dir: Any = None, *, host: str = "127.0.0.1", port: int = 7860, backend: str | None = None,
           k: int = 5, auth: tuple[str, str] | None = None, block: bool = True) -> Any:
    """Build and start the app on ``host:port`` (127.0.0.1 unless told otherwise); returns the app."""
    settings = Settings()
    app = build(index_dir, backend=backend, k=k, backend_changes=host in LOOPBACK)
    app.launch(server_name=host, server_port=port, auth=auth, share=False, prevent_thread_lock=not block,
               quiet=not block, css=CSS, footer_links=["api"], show_error=False,
               max_file_size=f"{settings.max_file_mb:g}mb")
    return app
