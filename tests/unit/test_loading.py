from pathlib import Path

from index.loading import RawFile, Skip, discover, read


def test_bad_files_are_skipped_with_reasons(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 3)
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 au lait, na\xefve r\xe9sum\xe9.".encode("latin-1"))
    (tmp_path / "big.txt").write_text("x" * 2000)
    (tmp_path / "blank.md").write_text("   \n\n")
    reasons = {p.name: r.reason for p in tmp_path.iterdir() if isinstance(r := read(p, max_bytes=1000), Skip)}
    assert reasons["empty.txt"] == "empty file"
    assert "binary" in reasons["binary.txt"]
    assert "not UTF-8" in reasons["latin1.txt"] and "--encoding latin-1" in reasons["latin1.txt"]
    assert "over the" in reasons["big.txt"] and "--max-file-mb" in reasons["big.txt"]
    assert "whitespace" in reasons["blank.md"]


def test_latin1_reads_when_asked(tmp_path: Path) -> None:
    p = tmp_path / "latin1.txt"
    p.write_bytes("Caf\xe9 au lait.".encode("latin-1"))
    got = read(p, encoding="latin-1")
    assert isinstance(got, RawFile) and got.text == "Café au lait."


def test_discover(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.txt").write_text("x")
    (tmp_path / "a" / "two.HTML").write_text("x")
    (tmp_path / "a" / "skip.pdf").write_text("x")
    (tmp_path / "a" / ".hidden.txt").write_text("x")
    (tmp_path / "nothing").mkdir()
    (tmp_path / "nothing" / "img.png").write_bytes(b"x")
    (tmp_path / "notes.docx").write_text("x")
    files, skips = discover([tmp_path / "a", tmp_path / "nothing", tmp_path / "missing.txt", tmp_path / "notes.docx"])
    assert sorted(f.name for f in files) == ["one.txt", "two.HTML"]
    why = {Path(s.path).name: s.reason for s in skips}
    assert "no readable articles" in why["nothing"] and "1 other file" in why["nothing"]
    assert why["missing.txt"] == "no such file or folder"
    assert "unsupported file type" in why["notes.docx"]
