from pathlib import Path

import pytest

from index import sample_dir
from index.cleaning import clean_text, markdown_to_text

DEBRIS = [
    "Kommentare (0)", "Read more »", "No comments:", "Post a Comment", "Source link",
    "AliDropship", "Sell anywhere with", "Related Sources:", "Similar News:", "Latest News, United States Headlines",
]
# one real sentence from each sample article that cleaning must keep
KEPT = {
    "000": "The USA has been gradually withdrawing from the UDCG for months",
    "001": "there will not be U.S. troops deployed to Ukraine",
    "002": "a coalition of about 50 countries has supplied over $126 billion in aid",
    "003": "Hegseth's address, which marked the 26th meeting of the UDCG",
    "004": "The US provided about $64bn of that under the Biden administration.",
}


@pytest.mark.parametrize("path", sorted(sample_dir().glob("*.txt")), ids=lambda p: p.name[:3])
def test_sample_debris_is_gone_and_text_kept(path: Path) -> None:
    raw = path.read_text()
    cleaned = clean_text(raw)
    for line in DEBRIS:
        assert line not in cleaned
    assert KEPT[path.name[:3]] in cleaned
    assert len(cleaned) > 0.6 * len(raw) or path.name.startswith("003")


def test_teasers_after_similar_news_are_gone() -> None:
    cleaned = clean_text((sample_dir() / "003_3ab9bb8d13dd6ee1.txt").read_text())
    assert "Hegseth to Visit NATO Amid Concerns" not in cleaned
    assert cleaned.endswith("a more equitable and responsible approach.")


def test_repeated_title_kept_once() -> None:
    cleaned = clean_text((sample_dir() / "000_5327a3aa7c6e9fcb.txt").read_text())
    assert cleaned.count("Hegseth could skip important Ukraine support session") == 1


def test_tail_marker_early_in_text_only_drops_its_line() -> None:
    text = "Related articles\n" + "\n".join(f"Paragraph {i} says something useful." for i in range(20))
    cleaned = clean_text(text)
    assert "Related articles" not in cleaned
    assert "Paragraph 19 says something useful." in cleaned


def test_read_more_takes_its_teaser_along() -> None:
    text = "Real story sentence one.\nReal story sentence two.\n\nOther story teaser here\nRead more »\n"
    assert clean_text(text) == "Real story sentence one.\nReal story sentence two."


def test_markdown_to_text() -> None:
    md = "# Title here\n\nSee [the report](http://x.test/a) and **this**.\n![img](a.png)"
    assert markdown_to_text(md) == "Title here\n\nSee the report and this.\n"
