"""The ``llama-cpp`` backend: a local GGUF model through llama-cpp-python (the default answer backend).

``model`` is a bundled model's name (``qwen2.5-1.5b``, the default; ``qwen2.5-0.5b``; ``smollm2``: see
``rag.backends.gguf``) or a path to any GGUF file. The chat template comes from the file's own metadata.

One model, many users: a process loads each model file once, and every backend using it (one per chat session
in the app) shares it through one first-come-first-served line (``GATE``): one generation at a time, each
waiting at most ``wait`` seconds before ``BackendBusyError`` says how many were ahead. Whoever waits can be told
its place in line (``waiting_notice``). The prompt holds the sentences of each passage that matter
(``rag.evidence``), trimmed to fit the context window, and starts with the same system prompt every time, so
llama.cpp keeps that prefix evaluated between questions.
"""

from __future__ import annotations

import atexit
import math
import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import IO, Any

from index.errors import BackendBusyError, BackendUnavailableError, ConfigError, MissingExtraError
from index.types import Hit
from rag import evidence
from rag.backends import gguf
from rag.backends.base import ChatBackend
from rag.prompt import ANSWER_CUE, ANSWERABLE_ASK, build_messages

STOP = ["<|im_end|>", "<|endoftext|>"]
# Called with the number of generations ahead while a caller waits for the shared model (the app shows it), at
# least once a second, and with 0 when its turn comes; raising from it takes the caller out of the line.
waiting_notice: ContextVar[Callable[[int], None] | None] = ContextVar("waiting_notice", default=None)


class Gate:
    """One generation at a time, first come first served; a caller gives up after ``wait`` seconds."""

    def __init__(self) -> None:
        self._cv = threading.Condition()
        self._next = 0  # the next ticket to hand out
        self._serving = 0  # the ticket whose turn it is
        self._gave_up: set[int] = set()

    def ahead(self) -> int:
        """Generations running or waiting right now (what a newcomer would have ahead of it)."""
        with self._cv:
            return self._next - self._serving - len(self._gave_up)

    @contextmanager
    def turn(self, wait: float) -> Iterator[None]:
        """Hold the model for one generation, after those who came first; give up after ``wait`` seconds."""
        notice = waiting_notice.get()
        with self._cv:
            ticket = self._next
            self._next += 1
        deadline, told = time.monotonic() + wait, -1
        try:
            while True:
                with self._cv:
                    if self._serving == ticket:
                        break
                    ahead = ticket - self._serving - sum(1 for t in self._gave_up if t < ticket)
                    if time.monotonic() >= deadline:
                        raise BackendBusyError(
                            f"The local model is busy: {ahead} question(s) ahead of yours after {wait:g} s of "
                            "waiting. Ask again in a moment, raise RAG_MODEL_WAIT, or serve more users with a model "
                            "server (RAG_BACKEND=openai, see the README's server recipes).")
                if notice:  # each wake (at least once a second), outside the lock; it may raise to leave the line
                    notice(ahead)
                    told = ahead
                with self._cv:
                    if self._serving != ticket:
                        self._cv.wait(min(max(0.0, deadline - time.monotonic()), 1.0))
        except BaseException:  # gave up (or was interrupted) while waiting: leave the line, never block it
            self._leave(ticket)
            raise
        if notice and told > 0:
            notice(0)  # its turn now: the page can stop saying "busy"
        try:
            yield
        finally:
            self._leave(ticket)

    def _leave(self, ticket: int) -> None:
        with self._cv:
            if self._serving == ticket:
                self._serving += 1
                while self._serving in self._gave_up:
                    self._gave_up.discard(self._serving)
                    self._serving += 1
            else:
                self._gave_up.add(ticket)
            self._cv.notify_all()


GATE = Gate()
_loaded: dict[tuple[str, int, int], Any] = {}
_load_lock = threading.Lock()


def _load(path: str, n_ctx: int, n_threads: int) -> Any:
    """The model in ``path``, loaded once per process and shared."""
    with _load_lock:
        key = (path, n_ctx, n_threads)
        if key not in _loaded:
            try:
                from llama_cpp import Llama
            except ImportError:
                raise MissingExtraError("local-llm", "The llama-cpp backend") from None
            try:
                llm = Llama(model_path=path, n_ctx=n_ctx, n_threads=n_threads, n_threads_batch=n_threads, seed=0,
                            verbose=False)
            except (ValueError, RuntimeError) as exc:
                raise ConfigError(
                    f"llama.cpp could not load {path} ({exc}): the file is damaged or is not a model this llama.cpp "
                    "runs. Get the file again, or set RAG_MODEL to a bundled model "
                    f"({gguf.known()}); a bundled model's joined file is rebuilt if you delete it.") from None
            atexit.register(llm.close)  # free it before interpreter teardown, or llama.cpp's __del__ errors at exit
            _loaded[key] = llm
        return _loaded[key]


def available(model: str | None = None) -> str:
    """"" when ``model`` (default: the bundled default) can run here, else why not (with the command to fix it)."""
    import importlib.util

    if importlib.util.find_spec("llama_cpp") is None:
        return "llama.cpp is not installed"
    name = model or gguf.DEFAULT_MODEL
    try:
        if name in gguf.MODELS and gguf.MODELS[name].split:
            gguf.part_paths(gguf.MODELS[name])
        else:
            gguf.resolve(name)
    except ConfigError as exc:
        return str(exc)
    return ""


class LlamaCppBackend(ChatBackend):
    """A local GGUF model: a bundled model's name (default ``qwen2.5-1.5b``) or a file path.

    Args:
        model: ``qwen2.5-1.5b``, ``qwen2.5-0.5b``, ``smollm2`` or a path to a GGUF file.
        n_ctx: the context window; prompts are trimmed to fit it with room for ``max_tokens``.
        n_threads: threads for prompt and generation (default: all cores).
        evidence_budget: tokens of selected passage sentences in the prompt (None: whole passages).
        wait: seconds to wait for the shared model while other questions are answered.
    """

    name = "llama-cpp"
    streams = True

    def __init__(
        self, model: str | os.PathLike[str] | None = None, *, n_ctx: int = 4096, n_threads: int | None = None,
        max_tokens: int = 200, temperature: float = 0.0, repeat_penalty: float = 1.0,
        evidence_budget: int | None = evidence.BUDGET, wait: float = 120.0,
    ) -> None:
        self.model = str(model or gguf.DEFAULT_MODEL)
        self.model_path = gguf.resolve(self.model)
        self.n_ctx = n_ctx
        self.n_threads = n_threads or max(1, os.cpu_count() or 1)
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.repeat_penalty = repeat_penalty
        self.evidence_budget = evidence_budget
        self.wait = wait
        self._last_prompt: tuple[Any, list[dict[str, str]]] | None = None
        if self._limit() < 128:
            raise ConfigError(f"n_ctx={n_ctx} leaves no room for a prompt with max_tokens={max_tokens}: give the model "
                              f"a context of at least {max_tokens + 160} tokens")

    def describe(self) -> str:
        known = gguf.MODELS.get(self.model)
        return f"llama-cpp ({known.name}: {known.title})" if known else f"llama-cpp ({self.model_path.name})"

    def busy(self) -> bool:
        return GATE.ahead() > 0

    def warm_up(self) -> None:
        self.llm()

    def llm(self) -> Any:
        return _load(str(self.model_path), self.n_ctx, self.n_threads)

    def _options(self) -> dict[str, Any]:
        return {"temperature": self.temperature, "max_tokens": self.max_tokens, "seed": 0,
                "repeat_penalty": self.repeat_penalty, "stop": STOP}

    def messages(self, question: str, passages: Sequence[Hit], budget: int | None = None) -> list[dict[str, str]]:
        """The prompt, shrunk until it fits the context window with room for the reply (never an overflow):
        a smaller evidence budget first, then no worked example, then every passage's text cut to an equal share
        (labels and fence kept), then the last passages left out. The last one built is kept: the answerability
        ask before an answer (``answerable_probability``) builds the same prompt."""
        key = (question, tuple((h.doc_id, h.start, h.end, h.text) for h in passages), budget, id(self.embedder))
        last = self._last_prompt
        if last is not None and last[0] == key:
            return [dict(m) for m in last[1]]
        built = self._fitted_messages(question, passages, budget)
        self._last_prompt = (key, built)
        return [dict(m) for m in built]

    def _fitted_messages(self, question: str, passages: Sequence[Hit], budget: int | None) -> list[dict[str, str]]:
        limit = self._limit()
        llm = self.llm()
        question = _cut(llm, question, min(300, max(16, limit // 4)))
        budget = budget or self.evidence_budget
        messages = super().messages(question, passages, budget)
        while budget and self.embedder is not None and budget > 20 and (used := self.prompt_tokens(messages)) > limit:
            budget = max(20, int(budget * limit / used * 0.9))
            messages = super().messages(question, passages, budget)
        if self.prompt_tokens(messages) <= limit:
            return messages
        if budget and self.embedder is not None:
            from rag.evidence import select

            texts = select(question, passages, self.embedder, budget=budget)
        else:
            texts = {n: hit.text for n, hit in enumerate(passages, 1)}
        while texts:
            bare = _bare(build_messages(question, passages, {n: "" for n in texts}))
            share = (limit - self.prompt_tokens(bare)) // len(texts)
            if share >= 8:
                cut = {n: _cut(llm, t, share) for n, t in texts.items()}
                messages = _bare(build_messages(question, passages, cut))
                if self.prompt_tokens(messages) <= limit:
                    return messages
            texts.pop(max(texts))  # too many passages for this window: the last ones go
        return _bare(build_messages(question, passages, {}))

    def _limit(self) -> int:
        return self.n_ctx - self.max_tokens - 32

    def prompt_tokens(self, messages: list[dict[str, str]]) -> int:
        """Tokens of ``messages`` as the model reads them (content plus a few per message for the template)."""
        llm = self.llm()
        return sum(len(llm.tokenize(m["content"].encode(), add_bos=False, special=False)) + 5 for m in messages) + 3

    def chat(self, messages: list[dict[str, str]]) -> str:
        llm = self.llm()
        with GATE.turn(self.wait):
            out = llm.create_chat_completion(messages=messages, **self._options())
        return str(out["choices"][0]["message"]["content"] or "")

    def yes_probability(self, messages: list[dict[str, str]]) -> float:
        """P(the reply to ``messages`` starts with "Yes" rather than "No"), from the next-token probabilities of
        one forward pass (no sampling). What the last call already evaluated (the same system prompt and
        evidence, when the variable part comes last) is kept in llama.cpp's cache and not evaluated again."""
        import numpy as np

        llm = self.llm()
        template, yes, no = _format(llm)
        tokens = llm.tokenize(str(template(messages=messages).prompt).encode(), special=True)
        if len(tokens) >= self.n_ctx:
            raise ValueError(f"a yes/no prompt of {len(tokens)} tokens does not fit n_ctx={self.n_ctx}")
        with GATE.turn(self.wait):
            done = 0
            for have, want in zip(llm.input_ids[:llm.n_tokens], tokens[:-1], strict=False):
                if have != want:
                    break
                done += 1
            llm.n_tokens = done  # keep the shared prefix; llm.eval drops the rest of the cache
            llm.eval(tokens[done:])
            logits = np.ctypeslib.as_array(_llama_cpp().llama_get_logits_ith(llm._ctx.ctx, -1), shape=(llm.n_vocab(),))
            y, n = float(np.logaddexp.reduce(logits[yes])), float(np.logaddexp.reduce(logits[no]))
        return 1.0 / (1.0 + math.exp(max(-50.0, min(50.0, n - y))))

    def answerable_probability(self, question: str, passages: Sequence[Hit]) -> float | None:
        """``yes_probability`` of ``ANSWERABLE_ASK`` in place of the answer cue, asked before the answer is written:
        the answer prompt's system prompt, example, evidence and question are evaluated once, by this ask, and the
        generation that follows reuses them from llama.cpp's cache (only its cue is new)."""
        messages = self.messages(question, passages)
        user = messages[-1]["content"]
        if not user.endswith(ANSWER_CUE):
            return None  # a prompt trimmed to fit a small window: decide on the checks alone
        messages[-1] = {"role": "user", "content": user[:-len(ANSWER_CUE)] + ANSWERABLE_ASK}
        try:
            return self.yes_probability(messages)
        except ValueError:
            return None

    def chat_stream(self, messages: list[dict[str, str]]) -> Iterator[str]:
        llm = self.llm()
        with GATE.turn(self.wait):
            for chunk in llm.create_chat_completion(messages=messages, stream=True, **self._options()):
                piece = chunk["choices"][0].get("delta", {}).get("content")
                if piece:
                    yield str(piece)


_YES, _NO = ("Yes", "yes", " Yes", " yes", "YES"), ("No", "no", " No", " no", "NO")
_formats: dict[int, tuple[Any, list[int], list[int]]] = {}


def _llama_cpp() -> Any:
    import llama_cpp

    return llama_cpp


def _format(llm: Any) -> tuple[Any, list[int], list[int]]:
    """The model's chat template (from its metadata) and its single-token spellings of "Yes" and "No"."""
    key = id(llm)
    if key not in _formats:
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        template = llm.metadata.get("tokenizer.chat_template")
        if not template:
            raise ConfigError(f"{llm.model_path}: the GGUF file has no chat template; use a chat (instruct) model")
        eos, bos = (llm.detokenize([t], special=True).decode("utf-8", "ignore") for t in (llm.token_eos(),
                                                                                            llm.token_bos()))
        ids = [sorted({t[0] for w in words if len(t := llm.tokenize(w.encode(), add_bos=False)) == 1})
               for words in (_YES, _NO)]
        _formats[key] = (Jinja2ChatFormatter(template, eos_token=eos, bos_token=bos), ids[0], ids[1])
    return _formats[key]




def _bare(messages: list[dict[str, str]]) -> list[dict[str, str]]:
    """The system prompt and the question's turn, without the worked example between them."""
    return [messages[0], messages[-1]]


def _cut(llm: Any, text: str, tokens: int) -> str:
    """``text`` cut to its first ``tokens`` model tokens (unchanged when it is shorter)."""
    ids = llm.tokenize(text.encode(), add_bos=False, special=False)
    if len(ids) <= tokens:
        return text
    return llm.detokenize(ids[:tokens]).decode("utf-8", errors="ignore") + " …"


@contextmanager
def local_server(
    model: str | os.PathLike[str] | None = "smollm2", *, n_ctx: int = 4096, n_threads: int = 2,
    ready_within: float = 60.0, log: IO[str] | None = None,
) -> Iterator[str]:
    """Run ``python -m llama_cpp.server`` on a free 127.0.0.1 port; yields its base URL, stops it on exit.

    A real OpenAI-compatible server for the ``openai`` backend's tests and benchmarks (default: SmolLM2, fast).
    Waiting for readiness is bounded in time and in polls. If this process dies without stopping it
    (``kill -9``), the server notices within a second and exits (``index.orphan_guard``).
    """
    from index.servers import free_port, guarded, stop, wait_until

    path = gguf.resolve(model)
    port = free_port()
    proc = subprocess.Popen(  # under index.orphan_guard: the server stops if this process is killed
        guarded("llama_cpp.server", "--model", str(path), "--host", "127.0.0.1", "--port", str(port),
                "--n_ctx", str(n_ctx), "--n_threads", str(n_threads)),
        stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/v1"
    try:
        wait_until(lambda: _answers(f"{base}/models"), proc, within=ready_within, what=f"llama_cpp.server at {base}",
                   error=BackendUnavailableError)
        yield base
    finally:
        stop(proc)


def _answers(url: str) -> bool:
    import httpx

    try:
        return httpx.get(url, timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


