"""The chat app, really started on 127.0.0.1 (a free port) over a real index of the sample articles; closed after."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import free_port

pytestmark = pytest.mark.integration



@dataclass
class RunningApp:
    url: str
    index_dir: Path


@pytest.fixture(scope="session")
def running_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """The app on an empty index: it must seed itself with the sample articles."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    from ui.app import launch

    index_dir = tmp_path_factory.mktemp("ui") / "index"
    port = free_port()
    # the default host (tests check it is 127.0.0.1 only); the extractive backend, because these tests check the
    # app's plumbing and compare answers across users: the local model's own app test is test_app_local_model.py
    app = launch(index_dir, port=port, block=False, backend="extractive")
    try:
        yield RunningApp(f"http://127.0.0.1:{port}/", index_dir)
    finally:
        app.close()
        from rag.api import close_all

        close_all()
