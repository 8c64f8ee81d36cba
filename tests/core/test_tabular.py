"""Reading tabular files (core/tabular.py) knows no app: any columns, CSV in UTF-8 or GB18030, XLSX."""

from __future__ import annotations

import io

import openpyxl
import pytest

from core.tabular import ImportColumn, ImportFileError, parse_date, parse_phone, parse_yes_no, read_table

COLUMNS = (
    ImportColumn("street", "街道", "Street", required=True, aliases=("所在街道",)),
    ImportColumn("count", "数量", "Count"),
)


def _read(data: bytes, file_format: str = "csv", **limits):
    return read_table(
        data, file_format, COLUMNS, required={"street"}, **({"max_bytes": 10_000, "max_rows": 5} | limits)
    )


def test_a_gb18030_csv_with_an_alias_header_and_full_width_spaces_is_read():
    table = _read("所在街道, 数量\r\n滨河街道,3\r\n\r\n大南街道,\r\n".encode("gb18030"))
    assert table.positions == {"street": 0, "count": 1}
    assert [table.value(cells, "street") for _row, cells in table.rows] == ["滨河街道", "大南街道"]
    assert [row for row, _cells in table.rows] == [2, 4]  # spreadsheet row numbers, blank rows skipped


def test_an_xlsx_file_is_read_like_a_csv():
    book = openpyxl.Workbook()
    book.active.append(["Street", "Count"])
    book.active.append(["滨河街道", 7])
    buffer = io.BytesIO()
    book.save(buffer)
    table = _read(buffer.getvalue(), "xlsx", max_bytes=100_000)
    assert [table.value(cells, "count") for _row, cells in table.rows] == [7]


@pytest.mark.parametrize(
    ("data", "limits"),
    [
        (b"", {}),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", {}),  # an old .xls
        ("数量\n1\n".encode(), {}),  # the required column is missing
        ("街道\n" + "滨河街道\n" * 6, {}),  # more rows than allowed
        ("街道\n滨河街道\n".encode() * 1000, {}),  # larger than allowed
    ],
)
def test_a_file_that_cannot_be_read_whole_is_refused_with_a_message(data, limits):
    with pytest.raises(ImportFileError) as refused:
        _read(data.encode() if isinstance(data, str) else data, **limits)
    assert refused.value.message


def test_cells_are_parsed_as_staff_write_them():
    assert parse_phone("+86 138 1234 5678") == "13812345678"
    assert parse_yes_no("是") is True and parse_yes_no("否") is False
    assert str(parse_date("2021年8月28日")) == "2021-08-28"
