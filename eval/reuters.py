"""Reuters-21578 stories as article files, for evaluation over real news nobody on the project wrote.

The corpus stays where it is (``../shared/corpora/reuters21578``, or a folder you name): this module reads its
SGML files with ``index.archives`` (the one reader of archives: title, date, dateline, body re-joined into
paragraphs, entities and sign-off removed, stories without a body skipped, a non-UTF-8 story read as Latin-1)
and writes one ``reuters-<NEWID>.txt`` per story into a cache folder, with front matter (title, outlet
"Reuters", date) and the dateline at the start of the body as on the wire (``Story.as_article``).
``rag ingest reut2-000.sgm`` reads the same stories straight from the archive, as the same documents.

Run:  python -m eval.reuters [--corpus DIR] [--files reut2-000.sgm ...] [--out DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from index.errors import ConfigError
from index.sgml import Story, parse

__all__ = ["CORPUS", "EVAL_FILES", "Story", "default_out_dir", "parse", "stories", "write_articles"]

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "reuters21578"
# The stories the Reuters question sets are about, and their distractors: the first two files (2,000 stories).
EVAL_FILES = ("reut2-000.sgm", "reut2-001.sgm")


def stories(corpus: Path = CORPUS, files: tuple[str, ...] = EVAL_FILES) -> list[Story]:
    """The stories of ``files`` in the corpus folder, in file order."""
    if not corpus.is_dir():
        raise ConfigError(f"No Reuters-21578 corpus at {corpus}: pass --corpus DIR (the folder of reut2-*.sgm files)")
    out: list[Story] = []
    for name in files:
        path = corpus / name
        if not path.is_file():
            raise ConfigError(f"{path}: no such file in the Reuters corpus; known: reut2-000.sgm ... reut2-021.sgm")
        out.extend(parse(path.read_bytes()))
    return out


def default_out_dir(files: tuple[str, ...] = EVAL_FILES) -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("news-rag")) / ("reuters-" + "-".join(f.split(".")[0][-3:] for f in files))


def write_articles(out: Path | None = None, corpus: Path = CORPUS, files: tuple[str, ...] = EVAL_FILES) -> Path:
    """Write the stories as article files into ``out`` (default: a cache folder); unchanged files are left alone,
    so the index's size-and-mtime check skips them on the next ingest. Returns the folder."""
    out = out or default_out_dir(files)
    out.mkdir(parents=True, exist_ok=True)
    for story in stories(corpus, files):
        path = out / f"{story.stem}.txt"
        text = story.as_article()
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--files", nargs="+", default=list(EVAL_FILES))
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    out = write_articles(args.out, args.corpus, tuple(args.files))
    print(f"{len(list(out.glob('reuters-*.txt')))} articles in {out}")


if __name__ == "__main__":
    main()
