import subprocess
import sys

import rag

EXPECTED = {
    "Answer", "Backend", "BackendBusyError", "BackendError", "BackendUnavailableError", "Citation", "ConfigError",
    "Conversation",
    "EmptyIndexError", "Hit", "IndexBusyError", "IndexInfo", "IndexMismatchError", "IndexStateError", "IngestReport",
    "MissingExtraError", "MissingKeyError", "RagError", "StoreUnavailableError", "ask", "ask_stream", "get_backend",
    "info", "ingest", "sample_articles", "search",
}


def test_exported_members() -> None:
    assert set(rag.__all__) == EXPECTED
    for name in rag.__all__:
        assert getattr(rag, name) is not None


def test_dataclass_fields_match_the_spec() -> None:
    from dataclasses import fields

    assert {"text", "score", "doc_id", "title", "source", "published", "start", "end"} <= {
        f.name for f in fields(rag.Hit)}
    assert {"number", "text", "doc_id", "title", "source", "published", "start", "end"} <= {
        f.name for f in fields(rag.Citation)}
    assert {"text", "citations", "refused"} <= {f.name for f in fields(rag.Answer)}
    assert {"added", "updated", "removed", "skipped"} <= {f.name for f in fields(rag.IngestReport)}


def test_help_imports_nothing_heavy() -> None:
    code = (
        "import sys, contextlib, io\n"
        "from rag.cli import main\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['--help'])\n"
        "heavy = [m for m in ('torch', 'chromadb', 'sentence_transformers', 'llama_cpp', 'gradio', 'trafilatura',"
        " 'nltk', 'httpx', 'llama_index') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_layers_import_one_way() -> None:
    import pathlib
    import re

    root = pathlib.Path(rag.__file__).parents[1]
    for path in (root / "index").rglob("*.py"):
        assert not re.search(r"^\s*(from|import) (rag|ui|eval)\b", path.read_text(), re.M), path
    for path in (root / "rag").rglob("*.py"):
        assert not re.search(r"^\s*(from|import) (ui|eval)\b", path.read_text(), re.M), path
