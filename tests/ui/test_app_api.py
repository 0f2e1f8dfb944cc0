"""The app's API driven by gradio_client, as a program would: answers with citations, uploads, refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.conftest import RunningApp

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def client(running_app: RunningApp):
    from gradio_client import Client

    return Client(running_app.url, verbose=False)


def test_the_app_listens_on_loopback_only_by_default(running_app: RunningApp) -> None:
    from tests.helpers import listening_on

    port = int(running_app.url.rstrip("/").rsplit(":", 1)[1])
    assert listening_on(port) == {"127.0.0.1"}


def test_an_answer_comes_back_as_data_with_citations(client) -> None:
    got = client.predict("Who must back any security guarantees for Ukraine, according to Hegseth?", api_name="/ask")
    assert got["refused"] is False and got["citations"]
    assert "non-European" in got["text"] or any("non-European" in c["text"] for c in got["citations"])
    c = got["citations"][0]
    assert c["quote"] and c["quote"]["text"] in c["text"] and c["source"] is not None or c["title"]


def test_an_unanswerable_question_is_refused_with_a_reason(client) -> None:
    got = client.predict("What is the recipe for a traditional apple strudel?", api_name="/ask")
    assert got["refused"] is True and got["citations"] == [] and got["refusal_reason"]
    assert got["closest"]


def test_filters_reach_the_search(client) -> None:
    got = client.predict("What did Hegseth say about NATO membership for Ukraine?", ["Al Jazeera"], "", "",
                         api_name="/ask")
    assert not got["refused"] and {c["source"] for c in got["citations"]} == {"Al Jazeera"}


def test_an_uploaded_article_is_stored_safely_and_ingested(client, running_app: RunningApp, tmp_path: Path) -> None:
    from gradio_client import handle_file

    article = tmp_path / "Harbour news (draft).md"
    article.write_text("---\ntitle: Harbour reopens\nsource: Port Gazette\ndate: 2025-03-01\n---\n\n"
                       "The harbour of Eastport reopened on Saturday after the storm, the port authority said. "
                       "Seventeen ships were waiting to enter, and the ferry to Westholm resumed at noon.\n",
                       encoding="utf-8")
    summary, stats, _outlets = client.predict([handle_file(str(article))], api_name="/add_articles")
    assert "1 added" in summary, summary
    assert "Port Gazette" in stats
    stored = running_app.index_dir / "uploads" / "Harbour_news_draft.md"
    assert stored.is_file()
    got = client.predict("How many ships were waiting to enter the harbour of Eastport?", api_name="/ask")
    assert not got["refused"] and "Seventeen" in got["text"]


def test_parallel_users_each_get_their_own_answer(running_app: RunningApp) -> None:
    """Six users ask at once (the queue runs 4 answers at a time, the rest wait): every user gets the answer
    to their own question, the same one a lone user gets."""
    from concurrent.futures import ThreadPoolExecutor

    from gradio_client import Client

    questions = [
        "Who must back any security guarantees for Ukraine, according to Hegseth?",
        "What did Hegseth say about NATO membership for Ukraine?",
        "How many troops would European countries have to contribute to a peacekeeping force in Ukraine?",
    ] * 2
    alone = {q: Client(running_app.url, verbose=False).predict(q, api_name="/ask") for q in questions[:3]}

    def ask(question: str) -> dict:
        return Client(running_app.url, verbose=False).predict(question, api_name="/ask")

    with ThreadPoolExecutor(max_workers=len(questions)) as pool:
        together = list(pool.map(ask, questions, timeout=300))
    for question, got in zip(questions, together, strict=True):
        want = alone[question]
        assert (got["refused"], got["text"]) == (want["refused"], want["text"]), question
        assert [(c["doc_id"], c["start"], c["end"]) for c in got["citations"]] == \
            [(c["doc_id"], c["start"], c["end"]) for c in want["citations"]]


def test_an_upload_while_another_ingest_writes_is_kept_and_added_later(client, running_app: RunningApp,
                                                                     tmp_path: Path) -> None:
    import subprocess
    import sys

    from gradio_client import handle_file

    first, second = tmp_path / "Quay notes.md", tmp_path / "Quay notes 2.md"
    first.write_text("---\ntitle: Quay repaired\nsource: Port Gazette\n---\n\nWorkers repaired the north quay of "
                     "Eastport in eleven days, the harbour master said on Monday.\n", encoding="utf-8")
    second.write_text("---\ntitle: Ferry timetable\nsource: Port Gazette\n---\n\nThe Westholm ferry will sail "
                      "four times a day from April, the operator announced.\n", encoding="utf-8")
    holder = subprocess.Popen(  # another process holding the index's ingest lock, as a running `rag ingest` does
        [sys.executable, "-c", "import fcntl, sys, time; f = open(sys.argv[1], 'a+'); "
         "fcntl.flock(f.fileno(), fcntl.LOCK_EX); print('held', flush=True); time.sleep(60)",
         str(running_app.index_dir / "ingest.lock")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        summary, _stats, _outlets = client.predict([handle_file(str(first))], api_name="/add_articles")
        assert "Not added yet" in summary and "Another ingest" in summary, summary
    finally:
        holder.kill()
        holder.wait(timeout=10)
    summary, _stats, _outlets = client.predict([handle_file(str(second))], api_name="/add_articles")
    assert "2 added" in summary, summary
    got = client.predict("How many days did the repair of the north quay of Eastport take?", api_name="/ask")
    assert not got["refused"] and "eleven" in got["text"]
