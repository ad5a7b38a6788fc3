"""TextLineDataset: files, gzip, line endings, parallel reads."""

from __future__ import annotations

import gzip

import pytest

from gputensor.data import TextLineDataset

from .reference import values


def test_lines_of_several_files_plain_and_gzip(tmp_path):
    a = tmp_path / "a.txt"
    a.write_text("one\ntwo\n")
    b = tmp_path / "b.txt.gz"
    with gzip.open(b, "wt") as f:
        f.write("three\r\nfour")
    assert values(TextLineDataset([str(a), str(b)])) == ["one", "two", "three", "four"]
    assert values(TextLineDataset(str(b), compression_type="GZIP")) == ["three", "four"]
    with pytest.raises(ValueError, match="compression_type"):
        TextLineDataset(str(a), compression_type="ZLIB")


def test_blocks_split_lines_exactly(tmp_path):
    lines = [f"line {i} " + "x" * (i % 17) for i in range(3000)]
    path = tmp_path / "many.txt"
    path.write_text("\n".join(lines) + "\n")
    for size in (7, 100, 1 << 16):
        assert values(TextLineDataset(str(path), buffer_size=size)) == lines


def test_empty_file_and_empty_lines(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert values(TextLineDataset(str(empty))) == []
    blank = tmp_path / "blank.txt"
    blank.write_text("\n\na\n")
    assert values(TextLineDataset(str(blank))) == ["", "", "a"]


def test_parallel_reads_interleave_files(tmp_path):
    paths = []
    for k in range(3):
        p = tmp_path / f"f{k}.txt"
        p.write_text("".join(f"{k}-{i}\n" for i in range(3)))
        paths.append(str(p))
    got = values(TextLineDataset(paths, num_parallel_reads=3))
    assert got == [f"{k}-{i}" for i in range(3) for k in range(3)]


def test_missing_file_and_bad_utf8(tmp_path):
    with pytest.raises(FileNotFoundError):
        list(TextLineDataset(str(tmp_path / "nope.txt")))
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"ok\n\xff\xfe\n")
    with pytest.raises(ValueError, match=r"bad\.txt, line 2"):
        list(TextLineDataset(str(bad)))


def test_batches_of_lines_are_text_arrays(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("a\nb\nc\n")
    batch = next(iter(TextLineDataset(str(path)).batch(2)))
    assert batch.tolist() == ["a", "b"]


def test_multibyte_characters_across_read_blocks(tmp_path):
    lines = ["héllo wörld " + "é" * i for i in range(300)]
    path = tmp_path / "utf8.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    for size in (7, 64, 1000):
        assert values(TextLineDataset(str(path), buffer_size=size)) == lines
