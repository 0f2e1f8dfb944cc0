"""Story versions: an update or correction its outlet filed again, grouped with the earlier filings.

Wire services re-file a story hours later: a repeat, a "CORRECTED - " re-filing with one figure changed, an update
with a paragraph added. Each filing is its own article (its own document), but a reader wants the story once,
as it stands now, and to know it was updated. Two articles are **versions of one story** (``Rule.accepts``) when

  * they come from the same outlet (both known),
  * their texts are near-identical, the more so the further apart they were published: the word 3-grams of the
    two articles (headline included, a re-filing mark such as "CORRECTED - " taken off it) overlap by
    ``min_similarity`` (0.7) or more when they were published at most ``window_hours`` (18 h) apart, by
    ``late_similarity`` (0.91) or more when at most ``late_window_hours`` (48 h) apart; overlap is
    ``SIMILARITY_DOC``. Hours come from their times, or from their days when either has no time (same day 0 h,
    one day apart 24 h); an undated article is never a version.

Recurring reports (the Fed's daily operation, a weekly table, a templated bond notice) share most of their wording
but come a day or a week apart with new figures: a day later, only a filing that is nearly word for word the same
counts. The windows and thresholds were chosen on labelled Reuters pairs (``eval/versions.py``;
``docs/versions.md`` has the figures).

A story is the set of articles linked by that relation (its connected component); its **latest version** (latest
time, then latest ingested) is the one search shows, with ``updated_from`` (when the first version was filed) and
``earlier`` (the earlier versions' doc ids). ``filters={"versions": "all"}`` shows every version. A version is
never folded into another as an outlet that agrees (``index.syndication`` keeps one story's passages apart).

**Finding candidates cheaply.** Comparing every new article with every article of its outlet would be quadratic.
Each article instead gets a MinHash sketch of its 3-grams, ``SKETCH_SIZE`` values, stored as keys in the manifest;
an article's candidates are the articles sharing at least ``MIN_SHARED_KEYS`` keys with it (one indexed SQLite
query), and only those get the outlet, time and text checks. Two bodies with Jaccard similarity J share about
J x 32 keys: at J = 0.15 a pair is found 96% of the time, and unrelated stories (J ~ 0.01) almost never.

**Linking** runs at the end of each ingest over the documents that have no sketch yet (``link``): new ones, and
all of them once in an index built before versions existed (no re-embedding: it reads the manifest's texts; about
16 s for the 17,900 documents of all of Reuters-21578 here). Removing a document removes its links, so its
story's previous version is the latest again.

**Hiding the earlier versions** is done by search from the manifest (``Stories.hidden``), not by a Chroma
``where``: any ``where`` clause made Chroma 1.5's query ~60x slower at 60,000 chunks (2 ms -> 125 ms, measured
here), so the dense side asks for as many extra neighbours as there are hidden chunks (at most twice as many)
and drops the hidden ones, which gives the same candidates a filter would; the BM25 side masks them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from index.types import Article

if TYPE_CHECKING:
    from index.manifest import Manifest

GRAM = 3
SKETCH_SIZE = 32
MIN_SHARED_KEYS = 2
WINDOW_HOURS = 18.0  # the same day's re-filings and corrections
MIN_SIMILARITY = 0.7
LATE_WINDOW_HOURS = 48.0  # a re-filing the next day or the one after: nearly word for word
LATE_SIMILARITY = 0.91  # dev: next-day recurring reports reached 0.88, next-day re-filings 0.94 and up
SIMILARITY_DOC = "shared word 3-grams over the smaller article's 3-grams"

_WORD = re.compile(r"\w+")
_MARK = re.compile(r"^\W*(?:CORRECTED|CORRECTION|REFILE|RPT|REPEAT|UPDATE\s*\d*)\b\W*", re.IGNORECASE)
_MASK = (1 << 64) - 1
# one odd 64-bit seed per sketch slot (fixed: sketches are stored, so they must be the same in every process)
_SEEDS = [int.from_bytes(hashlib.blake2b(f"slot{i}".encode(), digest_size=8).digest(), "big") | 1
          for i in range(SKETCH_SIZE)]


def grams(text: str, title: str | None = None) -> set[str]:
    """The article's word 3-grams, lower-cased, its headline included (in a templated notice, "Qtly div 25 cts
    vs 25 cts prior", only the headline names the company) but without a wire service's re-filing mark
    ("CORRECTED - ", "(CORRECTED) - ", "RPT-", "UPDATE 2-"), so the mark alone does not tell two filings apart."""
    first, _, rest = text.partition("\n")
    if title and " ".join(first.split()) == " ".join(title.split()):
        text = _MARK.sub("", first) + "\n" + rest
    words = _WORD.findall(text.lower())
    return {" ".join(words[i:i + GRAM]) for i in range(max(len(words) - GRAM + 1, 0))}


def similarity(a: Set[str], b: Set[str]) -> float:
    """Shared 3-grams over the smaller set's (0 when either is empty): 1.0 when one body holds the other whole,
    as an update that adds a paragraph holds the first filing."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


@dataclass(frozen=True)
class Sketch:
    """A body's MinHash sketch: ``keys`` (one per slot, tagged with it, so two sketches share a key only in the
    same slot) and its 3-grams."""

    keys: tuple[int, ...]
    grams: frozenset[str] = field(default=frozenset(), repr=False)


def sketch(text: str, title: str | None = None) -> Sketch:
    import numpy as np

    g = grams(text, title)
    if not g:
        return Sketch((), frozenset())
    hashes = np.fromiter((int.from_bytes(hashlib.blake2b(x.encode(), digest_size=8).digest(), "big") for x in g),
                         dtype=np.uint64, count=len(g))
    x = hashes[:, None] ^ np.array(_SEEDS, dtype=np.uint64)[None, :]
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)  # splitmix64's finalizer: one hash per slot
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    mins = x.min(axis=0)
    return Sketch(tuple(int(v >> np.uint64(8)) * SKETCH_SIZE + i for i, v in enumerate(mins)), frozenset(g))


@dataclass(frozen=True)
class Doc:
    """What the rule looks at: outlet, day, time and 3-grams."""

    doc_id: str
    source: str | None
    published: str | None
    published_at: str | None
    grams: frozenset[str]

    @classmethod
    def of(cls, article: Article, sk: Sketch | None = None) -> Doc:
        g = sk.grams if sk is not None else frozenset(grams(article.text, article.title))
        return cls(article.doc_id, article.source, article.published, article.published_at, g)


def moment(published: str | None, published_at: str | None) -> datetime | None:
    """When an article was published, naive UTC (a day alone: its midnight); None when undated."""
    try:
        if published_at:
            at = datetime.fromisoformat(published_at)
            return at.astimezone(UTC).replace(tzinfo=None) if at.tzinfo else at
        return datetime.fromisoformat(published) if published else None
    except ValueError:
        return None


def hours_apart(a: Doc, b: Doc) -> float | None:
    """Hours between two articles' times; between their days (x 24) when either has no time; None if undated."""
    if a.published_at and b.published_at:
        ta, tb = moment(None, a.published_at), moment(None, b.published_at)
    else:
        ta, tb = moment(a.published, None), moment(b.published, None)
    if ta is None or tb is None:
        return None
    return abs((ta - tb).total_seconds()) / 3600


@dataclass(frozen=True)
class Rule:
    """When two articles are versions of one story (see the module docstring)."""

    window_hours: float = WINDOW_HOURS
    min_similarity: float = MIN_SIMILARITY
    late_window_hours: float = LATE_WINDOW_HOURS
    late_similarity: float = LATE_SIMILARITY

    @property
    def widest(self) -> float:
        return max(self.window_hours, self.late_window_hours)

    def in_window(self, a: Doc, b: Doc) -> bool:
        """Same outlet, and published close enough for the rule to compare their texts."""
        if a.doc_id == b.doc_id or not a.source or a.source != b.source:
            return False
        gap = hours_apart(a, b)
        return gap is not None and gap <= self.widest

    def accepts(self, a: Doc, b: Doc) -> bool:
        if not self.in_window(a, b):
            return False
        gap, sim = hours_apart(a, b) or 0.0, similarity(a.grams, b.grams)
        return (gap <= self.window_hours and sim >= self.min_similarity) or (
            gap <= self.late_window_hours and sim >= self.late_similarity)


# ---- stories: the components of the links -------------------------------------------------------------


@dataclass(frozen=True)
class Version:
    """One document's place in its story: the story's other versions, oldest first, split around it."""

    earlier: tuple[str, ...]
    later: tuple[str, ...]
    first_time: str  # the first version's published_at, else its day

    @property
    def updated_from(self) -> str | None:
        return self.first_time if self.earlier else None


@dataclass(frozen=True)
class Stories:
    """Every story with more than one version: each member's ``Version``, and the members that are not the
    latest (``hidden``). A document in no such story is its own latest version."""

    versions: dict[str, Version] = field(default_factory=dict)
    hidden: frozenset[str] = frozenset()
    story: dict[str, str] = field(default_factory=dict)  # doc id -> its story's first version's doc id
    hidden_chunks: int = 0  # how many chunks the hidden documents have

    @classmethod
    def build(cls, links: Iterable[tuple[str, str]], order: dict[str, tuple[Any, ...]],
              times: dict[str, str], chunks: dict[str, int] | None = None) -> Stories:
        """``links``: pairs of doc ids judged versions; ``order``: each linked doc's sort key (oldest first);
        ``times``: each linked doc's published_at, else its day; ``chunks``: each linked doc's chunk count."""
        parent: dict[str, str] = {}

        def root(x: str) -> str:
            while parent.setdefault(x, x) != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for a, b in links:
            if a in order and b in order:
                parent[root(a)] = root(b)
        groups: dict[str, list[str]] = {}
        for x in parent:
            groups.setdefault(root(x), []).append(x)
        versions: dict[str, Version] = {}
        story: dict[str, str] = {}
        hidden: set[str] = set()
        for members in groups.values():
            if len(members) < 2:
                continue
            members.sort(key=lambda d: order[d])
            hidden.update(members[:-1])
            for i, d in enumerate(members):
                versions[d] = Version(tuple(members[:i]), tuple(members[i + 1:]), times.get(members[0], ""))
                story[d] = members[0]
        return cls(versions, frozenset(hidden), story, sum((chunks or {}).get(d, 0) for d in hidden))

    def of(self, doc_id: str) -> Version | None:
        return self.versions.get(doc_id)


def stories(manifest: Manifest) -> Stories:
    """The index's stories, from the links the manifest records."""
    links = manifest.version_links()
    if not links:
        return Stories()
    rows = manifest.version_rows({d for pair in links for d in pair})
    order = {d: (moment(pub, at) or datetime.min, at is not None, added, d) for d, (pub, at, added, _) in rows.items()}
    times = {d: at or pub or "" for d, (pub, at, _, _) in rows.items()}
    return Stories.build(links, order, times, {d: n for d, (_, _, _, n) in rows.items()})


# ---- linking at ingest ------------------------------------------------------------------------------------


def link(manifest: Manifest, rule: Rule | None = None, *, progress: bool = False, batch: int = 500) -> int:
    """Sketch every document that has no sketch yet and link it to the versions the rule finds among the
    documents sketched before it (so also among each other); returns how many links were made."""
    from tqdm import tqdm

    rule = rule or Rule()
    todo = manifest.unsketched()
    made = 0
    show = progress and len(todo) > batch
    with tqdm(total=len(todo), desc="Linking versions", unit="article", disable=not show) as bar:
        for at in range(0, len(todo), batch):
            made += _link_batch(manifest, todo[at:at + batch], rule)
            bar.update(len(todo[at:at + batch]))
    return made


def _link_batch(manifest: Manifest, doc_ids: Sequence[str], rule: Rule) -> int:
    """Link one batch, written in one transaction; the batch's own documents are found through ``recent``."""
    recent: dict[int, list[Doc]] = {}  # sketch key -> this batch's documents with it (not written yet)
    rows: list[tuple[str, Sequence[int], Sequence[str]]] = []
    for doc_id in doc_ids:
        row = manifest.doc(doc_id)
        if row is None:
            continue
        sk = sketch(row.text, row.title)
        me = Doc(doc_id, row.source, row.published, row.published_at, sk.grams)
        if not (me.source and me.published):  # an undated or unattributed article has no versions
            rows.append((doc_id, (), []))
            continue
        first, last = _days_around(me.published, rule.widest)
        stored = manifest.version_candidates(sk.keys, MIN_SHARED_KEYS, me.source, first, last)
        found = {d: Doc(d, me.source, pub, at, frozenset()) for d, (pub, at) in stored.items()}
        shared: dict[str, int] = {}
        for key in sk.keys:
            for other in recent.get(key, ()):
                shared[other.doc_id] = shared.get(other.doc_id, 0) + 1
                found.setdefault(other.doc_id, other)
        linked = [d for d, other in found.items() if (d in stored or shared[d] >= MIN_SHARED_KEYS)
                  and _accepts(manifest, rule, me, other)]
        rows.append((doc_id, sk.keys, linked))
        for key in sk.keys:
            recent.setdefault(key, []).append(me)
    manifest.add_sketches(rows)
    return sum(len(linked) for _, _, linked in rows)


def _days_around(day: str, hours: float) -> tuple[str, str]:
    """The first and last day an article of ``day`` can be ``hours`` from (a day's slack for time zones)."""
    from datetime import date, timedelta

    d, reach = date.fromisoformat(day[:10]), timedelta(days=int(hours // 24) + 1)
    return (d - reach).isoformat(), (d + reach).isoformat()


def _accepts(manifest: Manifest, rule: Rule, me: Doc, other: Doc) -> bool:
    """The rule, on outlet and time first; the other's text is read only when those pass."""
    if not rule.in_window(me, other):
        return False
    if not other.grams:
        row = manifest.doc(other.doc_id)
        if row is None:
            return False
        other = Doc(other.doc_id, other.source, other.published, other.published_at,
                    frozenset(grams(row.text, row.title)))
    return rule.accepts(me, other)
