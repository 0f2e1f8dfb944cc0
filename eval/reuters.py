"""Reuters-21578 stories as article files, for evaluation over real news nobody on the project wrote.

The corpus stays where it is (``../shared/corpora/reuters21578``, or a folder you name): this module reads its
SGML files and writes one ``reuters-<NEWID>.txt`` per story with a body into a cache folder, with front matter
(title, outlet "Reuters", date), the dateline kept at the start of the body as on the wire, lines re-joined into
paragraphs, ``&#n;`` control entities and the "Reuter" sign-off removed. Stories without a body are skipped.
A file that is not valid UTF-8 (``reut2-017.sgm`` holds one Latin-1 byte) is read story by story: a story that
does not decode as UTF-8 is read as Latin-1, so one bad byte costs nothing.

Run:  python -m eval.reuters [--corpus DIR] [--files reut2-000.sgm ...] [--out DIR]
"""

from __future__ import annotations

import argparse
import html
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from index.errors import ConfigError

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "reuters21578"
# The stories the Reuters question sets are about, and their distractors: the first two files (2,000 stories).
EVAL_FILES = ("reut2-000.sgm", "reut2-001.sgm")

_STORY = re.compile(rb"<REUTERS\b(.*?)</REUTERS>", re.DOTALL)
_NEWID = re.compile(r'NEWID="(\d+)"')
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SIGNOFF = re.compile(r"\s*\bReuters?\s*$")


@dataclass(frozen=True)
class Story:
    newid: int
    date: str  # YYYY-MM-DD
    title: str
    dateline: str
    body: str

    @property
    def stem(self) -> str:
        return f"reuters-{self.newid}"

    def as_article(self) -> str:
        """The story as a plain-text article with front matter, as ``rag ingest`` reads it."""
        title = self.title.replace("\n", " ")
        lead = f"{self.dateline} - " if self.dateline else ""
        return f"---\ntitle: {title}\nsource: Reuters\ndate: {self.date}\n---\n{title}\n\n{lead}{self.body}\n"


def _field(tag: str, text: str) -> str:
    m = re.search(rf"<{tag}>(.*?)</{tag}>", text, re.DOTALL)
    return m.group(1) if m else ""


def _clean(raw: str) -> str:
    return _CONTROL.sub("", html.unescape(raw))


def _paragraphs(body: str) -> str:
    """Wire bodies wrap at ~70 columns and start paragraphs with an indent: re-join lines, keep paragraphs."""
    paras = [" ".join(p.split()) for p in re.split(r"\n\s{2,}|\n\s*\n", body)]
    text = "\n\n".join(p for p in paras if p)
    return _SIGNOFF.sub("", text).strip()


def parse(data: bytes) -> list[Story]:
    """Every story with a body in one SGML file's bytes."""
    out = []
    for m in _STORY.finditer(data):
        chunk = m.group(0)
        try:
            text = chunk.decode("utf-8")
        except UnicodeDecodeError:
            text = chunk.decode("latin-1")
        newid = _NEWID.search(text)
        body = _paragraphs(_clean(_field("BODY", text)))
        if not newid or not body:
            continue
        raw_date = _clean(_field("DATE", text)).strip()
        try:
            day = datetime.strptime(raw_date.split()[0], "%d-%b-%Y").date().isoformat()
        except (ValueError, IndexError):
            day = ""
        dateline = " ".join(_clean(_field("DATELINE", text)).split()).rstrip(" -")
        title = " ".join(_clean(_field("TITLE", text)).split())
        out.append(Story(int(newid.group(1)), day, title, dateline, body))
    return out


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
