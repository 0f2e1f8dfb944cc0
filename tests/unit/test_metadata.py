from index import sample_dir
from index.cleaning import clean_text
from index.metadata import from_text, parse_date


def meta(prefix: str):
    path = next(sample_dir().glob(f"{prefix}_*.txt"))
    raw = path.read_text()
    return from_text(raw, clean_text(raw))


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


def test_parse_date() -> None:
    assert parse_date("12 Feb 2025") == "2025-02-12"
    assert parse_date("February 13, 2025") == "2025-02-13"
    assert parse_date("2025-02-01") == "2025-02-01"
    assert parse_date("someday") is None
