"""``rag ui``: start the chat app (found by ``rag.cli`` through its command groups; ui imports rag, not the reverse)."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(sub: Any) -> None:
    """Add the ``ui`` command to the ``rag`` parser's subparsers."""
    p = sub.add_parser("ui", help="start the chat app in the browser (127.0.0.1:7860 by default)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1; 0.0.0.0 exposes the app to your network)")
    p.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    p.add_argument("--backend", default=None, help="default answer backend (default: RAG_BACKEND, else llama-cpp "
                   "with the bundled model, else extractive)")


def main(args: argparse.Namespace, settings: Any) -> int:
    from rag import ConfigError
    from ui.app import launch

    auth = None
    if settings.ui_user or settings.ui_password:
        if not (settings.ui_user and settings.ui_password):
            raise ConfigError("Set both RAG_UI_USER and RAG_UI_PASSWORD to require a login (or neither)")
        auth = (settings.ui_user, settings.ui_password.get_secret_value())
    print(f"Starting the app on http://{args.host}:{args.port}/ (Ctrl+C stops it)"
          + (" with a login" if auth else ""), flush=True)
    launch(settings.index_dir, host=args.host, port=args.port, backend=args.backend or settings.backend,
           k=settings.k, auth=auth, block=True)
    return 0
