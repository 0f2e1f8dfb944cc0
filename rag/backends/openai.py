"""The ``openai`` backend: any OpenAI-compatible chat endpoint (OpenAI, vLLM, Ollama, LM Studio, llama.cpp server).

Spoken to with httpx. The API key is read from the environment variable you name, sent only in
the Authorization header, and never logged, printed or put in an error message.
"""

from __future__ import annotations

import email.utils
import json
import math
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from index.errors import BackendError, BackendUnavailableError, ConfigError, MissingKeyError
from rag.backends.base import ChatBackend

DEFAULT_KEY_ENV = "OPENAI_API_KEY"
RETRY_STATUS = (429, 500, 502, 503, 504)
MAX_WAIT_S = 30.0


class Secret:
    """A value that never shows itself: ``repr``/``str`` give ``Secret(***)``, so it cannot leak into logs."""

    __slots__ = ("_value",)

    def __init__(self, value: str | None) -> None:
        self._value = value or None

    def get(self) -> str | None:
        return self._value

    def __repr__(self) -> str:
        return "Secret(***)" if self._value else "Secret(None)"

    __str__ = __repr__


class OpenAIBackend(ChatBackend):
    """Chat completions from ``{base_url}/chat/completions``.

    Args:
        base_url: e.g. ``http://127.0.0.1:8080/v1``. Required: no hosted default is ever assumed.
        model: the model name the server expects.
        api_key_env: name of the environment variable holding the key; ``""`` or None for servers
            that need none.
        api_key: the key itself, for a program or the app's settings panel that has it in hand; held
            in memory as a ``Secret`` (never printed) and preferred over ``api_key_env``.
        timeout: seconds to wait for the reply (connecting gives up after 5 s).
        retries: how many times to retry a failed connection, and a reply of HTTP 429 (rate limited) or
            500/502/503/504 (server busy or restarting), waiting ``Retry-After`` seconds when the server
            gives it (at most 30), else 1 s, 2 s, 4 s ... (httpx itself retries only connections.)
    """

    name = "openai"
    streams = True

    def __init__(
        self, base_url: str | None = None, *, model: str = "default", api_key_env: str | None = DEFAULT_KEY_ENV,
        timeout: float = 120.0, max_tokens: int = 512, temperature: float = 0.0, retries: int = 2,
        api_key: str | None = None,
    ) -> None:
        if not base_url:
            raise ConfigError(
                "The openai backend needs the server's base URL: set RAG_OPENAI_BASE_URL or pass --base-url "
                "(e.g. http://127.0.0.1:8080/v1)"
            )
        if not re.match(r"^https?://[^\s/?#]+", base_url.strip()):
            raise ConfigError(f"The openai backend needs an http(s) URL such as http://127.0.0.1:8080/v1, "
                              f"not {_without_credentials(base_url.strip())[:100]!r}")
        # a user:password@ in the URL is sent as HTTP basic auth (in place of the API key), never left in the
        # URL: httpx logs request URLs
        url, login = _split_login(base_url.strip().rstrip("/"))
        self.base_url = self.shown_url = url  # shown_url: what messages show
        self.url_login = Secret("\n".join(login) if login else None)
        self.model = model
        self.api_key_env = api_key_env or None
        self.timeout = timeout
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.retries = retries
        self.api_key = Secret(api_key)

    def describe(self) -> str:
        return f"openai ({self.model} at {self.shown_url})"

    def _headers(self) -> dict[str, str]:
        if self.api_key.get():
            return {"Authorization": f"Bearer {self.api_key.get()}"}
        if not self.api_key_env:
            return {}
        key = os.environ.get(self.api_key_env)
        if not key:
            raise MissingKeyError(
                f"No API key: set the {self.api_key_env} environment variable, or set RAG_OPENAI_API_KEY_ENV "
                "to the variable that holds it (empty for a server that needs no key)"
            )
        return {"Authorization": f"Bearer {key}"}

    def _body(self, messages: list[dict[str, str]], stream: bool) -> dict[str, Any]:
        return {"model": self.model, "messages": messages, "temperature": self.temperature,
                "max_tokens": self.max_tokens, "stream": stream}

    def _client(self) -> Any:
        import httpx

        login = self.url_login.get()
        return httpx.Client(timeout=httpx.Timeout(self.timeout, connect=5.0),
                            transport=httpx.HTTPTransport(retries=self.retries),
                            auth=httpx.BasicAuth(*login.split("\n", 1)) if login else None)

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """httpx failures as our errors, each naming the URL and what to do."""
        import httpx

        try:
            yield
        except httpx.InvalidURL:
            raise ConfigError(
                f"{self.shown_url} is not a usable URL; give one such as http://127.0.0.1:8080/v1") from None
        except httpx.ConnectError:
            raise BackendUnavailableError(
                f"Cannot reach the OpenAI-compatible server at {self.shown_url}: is it running and is the URL right?"
            ) from None
        except httpx.TimeoutException:
            raise BackendUnavailableError(
                f"The server at {self.shown_url} did not answer within {self.timeout:.0f} s; "
                "try again or raise the timeout"
            ) from None
        except httpx.HTTPError as exc:
            raise BackendUnavailableError(f"Request to {self.shown_url} failed: {type(exc).__name__}") from None

    def _check(self, response: Any) -> None:
        if response.status_code in (401, 403):
            what = ("the user:password in the URL" if self.url_login.get() else
                    "the API key you entered" if self.api_key.get() else f"the API key from ${self.api_key_env}")
            raise BackendError(f"The server at {self.shown_url} refused {what} (HTTP {response.status_code}); check it")
        if response.status_code >= 400:
            password = (self.url_login.get() or "").partition("\n")[2]
            raise BackendUnavailableError(f"The server at {self.shown_url} answered HTTP {response.status_code}: "
                                          f"{_redacted(response, (password,))[:300]}")

    def _wait(self, response: Any, attempt: int) -> bool:
        """Whether to try again after ``response`` (sleeping first); False once retries are used up."""
        if response.status_code not in RETRY_STATUS or attempt >= self.retries:
            return False
        wait = _retry_after(response.headers.get("retry-after", ""))
        time.sleep(min(max(2.0 ** attempt if wait is None else wait, 0.0), MAX_WAIT_S))
        return True

    def chat(self, messages: list[dict[str, str]]) -> str:
        headers = self._headers()
        with self._errors(), self._client() as client:
            for attempt in range(self.retries + 1):
                response = client.post(f"{self.base_url}/chat/completions", json=self._body(messages, False),
                                       headers=headers)
                if not self._wait(response, attempt):
                    break
        self._check(response)
        try:
            data = response.json()
        except ValueError:
            raise BackendUnavailableError(f"The server at {self.shown_url} sent a reply that is not JSON") from None
        return _content(data, self.shown_url)

    def chat_stream(self, messages: list[dict[str, str]]) -> Iterator[str]:
        """Server-sent events (``"stream": true``): each ``data:`` line's delta content as it arrives.
        A busy server is retried before the first piece arrives, never after."""
        headers = self._headers()
        with self._errors(), self._client() as client:
            for attempt in range(self.retries + 1):
                request = client.build_request("POST", f"{self.base_url}/chat/completions",
                                               json=self._body(messages, True), headers=headers)
                response = client.send(request, stream=True)
                if response.status_code < 400:
                    break
                response.read()
                response.close()
                if not self._wait(response, attempt):
                    self._check(response)
            try:
                yield from self._events(response)
            finally:
                response.close()

    def _events(self, response: Any) -> Iterator[str]:
        for line in response.iter_lines():
            data = line[5:].strip() if line.startswith("data:") else ""
            if data == "[DONE]":
                break
            if data:
                piece = _delta(data, self.shown_url)
                if piece:
                    yield piece


def _retry_after(value: str) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (a number, or an HTTP date); None if absent or unreadable."""
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = email.utils.parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    return seconds if math.isfinite(seconds) else None


def _split_login(url: str) -> tuple[str, tuple[str, str] | None]:
    """``url`` without its ``user:password@`` (with or without ``scheme://``), and that login percent-decoded.

    The login ends at the last ``@`` before the path, query or fragment, as in RFC 3986 (and httpx), so an
    unencoded ``@`` in a password stays in the password and an ``@`` in a query string is not a login.
    """
    from urllib.parse import unquote

    found = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*://)?([^/?#]*)(.*)$", url, re.DOTALL)
    if not found:
        return url, None
    scheme, authority, rest = found.groups()
    userinfo, at, host = authority.rpartition("@")
    if not at:
        return url, None
    user, _, password = userinfo.partition(":")
    return f"{scheme or ''}{host}{rest}", ((unquote(user), unquote(password)) if user or password else None)


def _without_credentials(url: str) -> str:
    """``url`` with any ``user:password@`` removed, for messages and requests."""
    return _split_login(url)[0]


def _redacted(response: Any, secrets: tuple[str, ...] = ()) -> str:
    """The reply's text with the credentials the request carried blanked out (a server may echo them)."""
    text = str(response.text)
    sent = response.request.headers.get("authorization", "")
    for secret in (sent, sent.partition(" ")[2], *secrets):
        if secret.strip():
            text = text.replace(secret, "***")
    return text


def _delta(data: str, base_url: str) -> str:
    try:
        return str(json.loads(data)["choices"][0].get("delta", {}).get("content") or "")
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        raise BackendUnavailableError(
            f"The server at {base_url} sent a stream event that is not an OpenAI chat completion chunk"
        ) from None


def _content(data: Any, base_url: str) -> str:
    try:
        return str(data["choices"][0]["message"]["content"] or "")
    except (KeyError, IndexError, TypeError):
        raise BackendUnavailableError(
            f"The server at {base_url} sent a reply that is not an OpenAI chat completion"
        ) from None
