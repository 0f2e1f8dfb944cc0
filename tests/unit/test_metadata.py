import subprocess
import sys
from datetime import date

import pytest

from index import sample_dir
from index.cleaning import clean_text
from index.loading import RawFile, read
from index.metadata import Meta, from_text, parse_date, split_front_matter
from index.pipeline import prepare
from index.types import Article


def meta(prefix: str):
    path = next(sample_dir().glob(f"{prefix}_*.txt"))
    raw = path.read_text()
    return from_text(raw, clean_text(raw))


def infer(text: str) -> Meta:
    return from_text(text, clean_text(text))


def test_sample_metadata_read_by_hand() -> None:
    m0 = meta("000")
    assert m0.title == "Hegseth could skip important Ukraine support session"
    m1 = meta("001")
    assert m1.source == "CNN" and m1.title is None
    m2 = meta("002")
    assert m2.title == "Shifting Dynamics: US Administration's New Approach on Ukraine Conflict"
    assert m2.published is None  # "On February 12" gives no year
    assert meta("003").title is None
    m4 = meta("004")
    assert m4.title == "US defence chief signals major shift in Ukraine support in first NATO meet"
    assert m4.source == "Al Jazeera"
    assert m4.published == "2025-02-12"  # "Published On", not the page's "Thursday, February 13"


# (title, source, published, url), read by hand from each sample article.
EXPECTED = {
    "000": ("Hegseth could skip important Ukraine support session", None, None, None),  # "told CNN" is not its outlet
    "001": (None, "CNN", None, None),  # first line is an ad; "Brussels / CNN / —" dateline
    "002": ("Shifting Dynamics: US Administration's New Approach on Ukraine Conflict", None, None, None),
    "003": (None, None, None, None),  # first line is a summary sentence
    "004": (
        "US defence chief signals major shift in Ukraine support in first NATO meet",
        "Al Jazeera",
        "2025-02-12",
        None,
    ),
}


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_prepare_sample_metadata(prefix: str) -> None:
    raw = read(next(sample_dir().glob(f"{prefix}_*.txt")))
    assert isinstance(raw, RawFile)
    article = prepare(raw)
    assert isinstance(article, Article)
    assert (article.title, article.source, article.published, article.url) == EXPECTED[prefix]


def test_parse_date() -> None:
    assert parse_date("12 Feb 2025") == "2025-02-12"
    assert parse_date("February 13, 2025") == "2025-02-13"
    assert parse_date("2025-02-01") == "2025-02-01"
    assert parse_date("someday") is None


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Feb. 12, 2025", "2025-02-12"),
        ("12 February 2025", "2025-02-12"),
        ("2025-02-12", "2025-02-12"),
        ("Thursday, February 13, 2025", "2025-02-13"),
        ("Sept. 3, 2024", "2024-09-03"),
        ("12th February 2025", "2025-02-12"),
        ("2025-02-13T10:00:00+01:00", "2025-02-13"),
        ("Wed, 12 Feb 2025 10:00:00 GMT", "2025-02-12"),  # only dateparser reads this one
        ("13/02/2025", "2025-02-13"),  # day > 12: not ambiguous
    ],
)
def test_parse_date_shapes(text: str, iso: str) -> None:
    assert parse_date(text) == iso


@pytest.mark.parametrize(
    "text",
    [
        "yesterday",
        "next week",
        "3 days ago",
        "today",
        "Feb 2025",  # no day
        "February 12",  # no year
        "12 Feb 3025",  # implausible year
        "3025-02-12",
        "1850-06-01",
        "12/02/2025",  # 12 Feb or Dec 2: skipped
        "1739318400",  # a timestamp is not a written date
        "",
    ],
)
def test_parse_date_refuses(text: str) -> None:
    assert parse_date(text) is None


def test_parse_date_year_limit_follows_today() -> None:
    assert parse_date(f"{date.today().year + 1}-01-01") is not None
    assert parse_date(f"{date.today().year + 2}-01-01") is None


def test_dateparser_imported_lazily() -> None:
    code = (
        "import sys, index.metadata as m; a = 'dateparser' in sys.modules; m.parse_date('12 Feb 2025');"
        " b = 'dateparser' in sys.modules; m.parse_date('Wed, 12 Feb 2025 10:00:00 GMT');"
        " print(a, b, 'dateparser' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False", "True"]


def test_published_label_beats_earlier_header_date() -> None:
    text = "Thursday, February 13, 2025\n\nA headline about the meeting today\n\nPublished On 12 Feb 2025\n\nBody."
    assert infer(text).published == "2025-02-12"
    assert infer("Thursday, February 13, 2025\n\nA headline about the meeting today\n\nBody.").published == (
        "2025-02-13"
    )


def test_published_preferred_over_updated() -> None:
    text = "A headline about the meeting today\nUpdated: 2025-02-14\nBy Jane Doe | Posted Feb. 12, 2025\nBody text."
    assert infer(text).published == "2025-02-12"
    assert infer("A headline about the meeting today\nLast updated: 2025-02-14\nBody text.").published == "2025-02-14"


def test_updated_in_prose_is_not_a_label() -> None:
    prose = "Officials said the plan was updated on March 3, 2024 after talks that ran late into the night."
    assert infer(f"A headline about the meeting today\n\n{prose}").published is None


FRONT = """---
title: "Talks: what was agreed"
outlet: 'Reuters'
published: Feb. 12, 2025
url: https://www.example.com/world/talks-2025-02-12.
tags:
  - nato
  - ukraine
---
Brussels
AP
 —
Published On 1 Jan 2024
Ministers met in Brussels on Wednesday to talk about support for Ukraine.
Source: Associated Press
"""


def test_split_front_matter_reads_all_fields_and_strips_block() -> None:
    fm, body = split_front_matter(FRONT)
    assert fm == Meta(
        title="Talks: what was agreed",
        source="Reuters",
        published="2025-02-12",
        url="https://www.example.com/world/talks-2025-02-12",
    )
    assert body.startswith("Brussels\nAP\n")
    assert "outlet:" not in body and "---" not in body


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("source: CNN", Meta(source="CNN")),
        ("Publisher: CNN", Meta(source="CNN")),
        ("date: 12 February 2025", Meta(published="2025-02-12")),
        ("canonical: https://cnn.com/x/y", Meta(url="https://cnn.com/x/y")),
        ("title: It's done", Meta(title="It's done")),
        ("title: 'It''s done'", Meta(title="It's done")),
    ],
)
def test_front_matter_keys(line: str, expected: Meta) -> None:
    fm, body = split_front_matter(f"---\n{line}\nauthor: Jane Doe\n---\nText.")
    assert fm == expected
    assert body == "Text."


@pytest.mark.parametrize(
    "text",
    [
        "---\ntitle: A title\nno closing fence here\n",  # never closed
        "---\nThis is a horizontal rule, then prose.\n---\nMore prose.",  # not key: value lines
        "---\n---\nText after an empty block.",  # no keys at all
        "Text first.\n---\ntitle: Not at the top\n---\n",  # not at the very top
        "Plain article with no front matter.\n",
    ],
)
def test_malformed_or_missing_front_matter_is_left_as_body(text: str) -> None:
    assert split_front_matter(text) == (Meta(), text)


def test_front_matter_source_url_is_an_address() -> None:
    fm, _ = split_front_matter("---\nsource: https://example.org/a/story\ndate: 12/02/2025\n---\nText.")
    assert fm == Meta(url="https://example.org/a/story")  # and the ambiguous date is dropped


def test_from_text_honours_front_matter_and_it_wins() -> None:
    m = infer(FRONT)
    assert m.title == "Talks: what was agreed"
    assert m.source == "Reuters"  # not the "AP" dateline nor "Source: Associated Press"
    assert m.published == "2025-02-12"  # not "Published On 1 Jan 2024"
    assert m.url == "https://www.example.com/world/talks-2025-02-12"


def test_from_text_infers_what_front_matter_lacks() -> None:
    text = "---\nsource: Reuters\n---\nMinisters agree on new support package\nPublished On 12 Feb 2025\nBody text."
    assert infer(text) == Meta(title="Ministers agree on new support package", source="Reuters", published="2025-02-12")


@pytest.mark.parametrize(
    ("line", "url"),
    [
        ("URL: https://www.example.com/news/a-story.", "https://www.example.com/news/a-story"),
        ("Source: https://www.example.com/news/a-story", "https://www.example.com/news/a-story"),
        ("Originally published at https://blog.example.com/2025/02/post).", "https://blog.example.com/2025/02/post"),
        ("Canonical: <https://www.example.com/a?id=7>", "https://www.example.com/a?id=7"),
        ("https://en.wikipedia.org/wiki/Foo_(bar)", "https://en.wikipedia.org/wiki/Foo_(bar)"),
    ],
)
def test_url_lines(line: str, url: str) -> None:
    body = "\n".join(f"Paragraph {i} of the article body goes on about the meeting." for i in range(30))
    assert infer(f"A headline about the meeting today\n{line}\n{body}").url == url
    assert infer(f"A headline about the meeting today\n{body}\n{line}").url == url


def test_url_not_taken_from_middle_home_page_or_outlet() -> None:
    body = [f"Paragraph {i} of the article body goes on about the meeting." for i in range(30)]
    middle = "\n".join([*body[:15], "https://www.example.com/news/a-story", *body[15:]])
    assert infer(f"A headline about the meeting today\n{middle}").url is None
    assert infer("A headline about the meeting today\nhttps://www.example.com/\nBody.").url is None
    m = infer("A headline about the meeting today\nBody text.\nSource: https://www.example.com/news/a-story")
    assert m.source is None and m.url == "https://www.example.com/news/a-story"


def test_front_matter_lines_are_never_the_inferred_title() -> None:
    text = "---\nauthor: Jane Quincy Public Smith\n---\nMinisters agree on new support package\nBody text."
    assert infer(text).title == "Ministers agree on new support package"
