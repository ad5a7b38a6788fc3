"""decode_csv and CsvDataset: types, defaults, quoting, NA, columns, and bad records."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gputensor as gt
from gputensor.data import CsvDataset, CsvRecordError, Dataset, TextLineDataset, decode_csv

from .reference import values


def test_scalar_record_types():
    a, b, c, d = decode_csv("1.5,7,cat,2", [[0.0], [0], [""], [np.float64(0)]])
    assert (a.dtype, b.dtype, d.dtype) == (gt.float32, gt.int32, gt.float64)
    assert (float(a), int(b), c, float(d)) == (1.5, 7, "cat", 2.0)
    assert a.shape == ()


def test_batch_records_defaults_and_na():
    cols = decode_csv(["1,,x", "NA,3,", "4,5,z"], [[-1.0], [9], ["?"]], na_value="NA")
    assert cols[0].tolist() == [1.0, -1.0, 4.0]
    assert cols[1].tolist() == [9, 3, 5]
    assert cols[2].tolist() == ["x", "?", "z"]


def test_int64_and_dtype_defaults():
    big = 2**60 + 3
    (v,) = decode_csv([str(big), "-5"], [gt.int64])
    assert v.dtype == gt.int64 and v.tolist() == [big, -5]
    with pytest.raises(CsvRecordError, match="required value is missing"):
        decode_csv(["1", ""], [gt.int64])


def test_quoting_delimiter_and_select_cols():
    cols = decode_csv(['1|"a|b"|2.5', '2|"say ""hi"""|3'], [[0], [""], [0.0]], field_delim="|")
    assert cols[1].tolist() == ["a|b", 'say "hi"']
    sel = decode_csv(["1,a,2.5,x", "2,b,3,y"], [[0.0], [""]], select_cols=[2, 3])
    assert sel[0].tolist() == [2.5, 3.0] and sel[1].tolist() == ["x", "y"]
    raw = decode_csv(['"1",2'], [[""], [0]], use_quote_delim=False)
    assert raw[0].tolist() == ['"1"']


def test_bad_records_name_record_and_field():
    with pytest.raises(CsvRecordError, match=r"record 1, field 1: could not parse 'x' as float32"):
        decode_csv(["1,2", "3,x"], [[0.0], [0.0]])
    with pytest.raises(CsvRecordError, match=r"record 0: expected 2 fields, found 3"):
        decode_csv("1,2,3", [[0.0], [0.0]])
    with pytest.raises(CsvRecordError, match="not an integer"):
        decode_csv(["1.5"], [[0]])
    with pytest.raises(CsvRecordError, match="out of range"):
        decode_csv(["300"], [[np.int8(0)]])
    with pytest.raises(ValueError, match="select_cols"):
        decode_csv("1", [[0]], select_cols=[0, 1])


_number = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False, width=64).map(repr),
    st.floats(-1e6, 1e6).map(lambda v: f"{v:.4f}"),
    st.integers(-10**17, 10**17).map(str),
    st.sampled_from(["", "nan", "-inf", "1e5", " 3", "-0", ".5", "5.", "+7", "0012.50"]),
)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.lists(_number, min_size=3, max_size=3), min_size=1, max_size=40))
def test_vectorized_parse_equals_python(rows):
    lines = [",".join(r) for r in rows]
    cols = decode_csv(lines, [[np.float64(-7.0)]] * 3)
    for j in range(3):
        expect = [float(r[j]) if r[j] != "" else -7.0 for r in rows]
        np.testing.assert_array_equal(cols[j].numpy(), np.array(expect))
        one = [decode_csv(line, [[np.float64(-7.0)]] * 3)[j].item() for line in lines]
        np.testing.assert_array_equal(np.array(one), np.array(expect))


def _write(path, text, gz=False):
    if gz:
        with gzip.open(path, "wt") as f:
            f.write(text)
    else:
        path.write_text(text)
    return str(path)


def test_pipeline_error_names_file_line_and_field(tmp_path):
    path = _write(tmp_path / "data.csv", "a,b\n1,2\n3,4\n5,oops\n7,8\n")
    ds = TextLineDataset(path).skip(1).map(lambda line: decode_csv(line, [[0.0], [0.0]]))
    with pytest.raises(CsvRecordError, match=r"data\.csv, line 4, field 1: could not parse 'oops'"):
        list(ds)
    batched = TextLineDataset(path).skip(1).batch(3).map(lambda lines: decode_csv(lines, [[0.0], [0.0]]))
    with pytest.raises(CsvRecordError, match=r"data\.csv, line 4, field 1"):
        list(batched)
    err = None
    try:
        list(CsvDataset(path, [[0.0], [0.0]], header=True))
    except CsvRecordError as exc:
        err = exc
    assert (err.line, err.field) == (4, 1) and err.filename.endswith("data.csv")


def test_ignore_errors_skips_and_counts(tmp_path):
    path = _write(tmp_path / "d.csv", "1,2\n3\n5,6\n7,x\n9,10\n")
    ds = TextLineDataset(path).map(lambda line: decode_csv(line, [[0], [0]])).ignore_errors()
    assert values(ds) == [(1, 2), (5, 6), (9, 10)]
    assert ds.error_count == 2
    csv_ds = CsvDataset(path, [[0], [0]]).ignore_errors()
    assert values(csv_ds) == [(1, 2), (5, 6), (9, 10)]
    assert csv_ds.error_count == 2
    assert values(csv_ds.batch(2)) == [([1, 5], [2, 6]), ([9], [10])]


def test_csv_dataset_files_gzip_header_and_columns(tmp_path):
    a = _write(tmp_path / "a.csv", "x,y,z\n1,a,0.5\n2,b,1.5\n")
    b = _write(tmp_path / "b.csv.gz", "x,y,z\n3,c,2.5\n", gz=True)
    ds = CsvDataset([a, b], [[0], [""], [0.0]], header=True)
    assert values(ds) == [(1, "a", 0.5), (2, "b", 1.5), (3, "c", 2.5)]
    sel = CsvDataset([a, b], [[0], [0.0]], header=True, exclude_cols=[1])
    assert values(sel) == [(1, 0.5), (2, 1.5), (3, 2.5)]
    quoted = _write(tmp_path / "q.csv", '1,"x,y"\n2,"z"\n')
    assert values(CsvDataset(quoted, [[0], [""]])) == [(1, "x,y"), (2, "z")]


def test_csv_dataset_many_blocks_fast_path(tmp_path):
    rng = np.random.default_rng(0)
    data = rng.standard_normal((5000, 4)).astype(np.float32)
    text = "\n".join(",".join(f"{v:.6g}" for v in row) + f",{i}" for i, row in enumerate(data)) + "\n"
    path = _write(tmp_path / "big.csv", text)
    ds = CsvDataset(path, [[0.0]] * 4 + [[0]], buffer_size=4096).batch(1000)
    got = list(ds)
    cols = [np.concatenate([b[j].numpy() for b in got]) for j in range(5)]
    expect = np.array([[float(f"{v:.6g}") for v in row] for row in data], dtype=np.float32)
    np.testing.assert_array_equal(np.stack(cols[:4], 1), expect)
    np.testing.assert_array_equal(cols[4], np.arange(5000))


def test_decode_csv_rejects_non_strings():
    with pytest.raises(TypeError):
        decode_csv(gt.ones(3), [[0.0]])
    with pytest.raises(TypeError):
        decode_csv([1, 2], [[0.0]])
    with pytest.raises(TypeError):
        decode_csv("1", [[True]])
    assert values(Dataset.from_tensor_slices(["1,2"]).map(lambda s: decode_csv(s, [[0], [0]]))) == [(1, 2)]


def test_fast_parser_over_many_slices_matches_float():
    from gputensor.data import csv_fast

    rng = np.random.default_rng(7)
    numbers = rng.standard_normal(40_000) * 10.0 ** rng.integers(-3, 9, 40_000)
    fields = [f"{v:.{d}f}" for v, d in zip(numbers, rng.integers(0, 12, 40_000))]
    fields += ["1e5", "abc", "", "-", ".", "1.2.3", "+4", "12345678901234567", "0.000000001"] * 50
    data = csv_fast.padded(fields)
    starts, ends, n = csv_fast.split_fields(data, ord(","), len(fields))
    values, ok = csv_fast.parse_numbers(data, starts, ends)
    assert len(fields) > 2 * csv_fast.SLICE and ok.mean() > 0.8
    for text, value, fast in zip(fields, values, ok):
        if fast:
            assert value == float(text), text
