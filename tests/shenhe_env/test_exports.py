"""The generic list export: CSV (UTF-8 with BOM, streamed) and XLSX (typed cells), translated and injection-safe."""

import codecs
import csv
import datetime
import io
from decimal import Decimal
from operator import itemgetter
from unittest import mock
from urllib.parse import unquote

import openpyxl
import pytest
from django.http import StreamingHttpResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.exports import EXPORT_FORMATS, Column, attachment_disposition, export_response, neutralise_formula

# Headers whose translations the catalogue already holds; the export only needs them to be lazy labels.
COLUMNS = [
    Column(_("Community"), itemgetter("name")),
    Column(_("created at"), itemgetter("when")),
    Column(_("date"), itemgetter("day")),
    Column(_("quantity"), itemgetter("amount")),
    Column(_("reworks"), itemgetter("count")),
    Column(_("whistle"), itemgetter("flag")),
    Column(_("address"), itemgetter("missing")),
]
HEADERS = {
    "zh-hans": ["社区", "登记时间", "日期", "数量", "返工次数", "吹哨", "地址"],
    "en": ["Community", "created at", "date", "quantity", "reworks", "whistle", "address"],
}
# 01:30 UTC is 09:30 in Shenyang (UTC+8).
WHEN = datetime.datetime(2021, 8, 24, 1, 30, 15, tzinfo=datetime.UTC)
ROWS = [
    {
        "name": "和平社区",
        "when": WHEN,
        "day": datetime.date(2021, 8, 25),
        "amount": Decimal("12.50"),
        "count": 3,
        "flag": True,
        "missing": None,
    },
    {
        "name": "五爱社区",
        "when": None,
        "day": None,
        "amount": Decimal("-1.5"),
        "count": -2,
        "flag": False,
        "missing": None,
    },
]
# 2021-11-25 17:00 UTC is already 2021-11-26 in Shenyang: file names take the local date.
LATE_EVENING_UTC = datetime.datetime(2021, 11, 25, 17, 0, tzinfo=datetime.UTC)


def export(file_format, rows=ROWS, columns=COLUMNS, filename="案件列表"):
    return export_response(rows=rows, columns=columns, filename=filename, file_format=file_format)


def csv_rows(response):
    body = response.getvalue()
    assert body.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def xlsx_sheet(response):
    return openpyxl.load_workbook(io.BytesIO(response.getvalue())).active


def xlsx_rows(response):
    return [list(row) for row in xlsx_sheet(response).iter_rows(values_only=True)]


def exported_rows(response, file_format):
    return csv_rows(response) if file_format == "csv" else xlsx_rows(response)


def test_the_formats_are_csv_and_xlsx_and_any_other_raises():
    assert EXPORT_FORMATS == ("csv", "xlsx")
    with pytest.raises(ValueError, match="pdf"):
        export("pdf")


def test_csv_is_utf8_with_a_bom_and_streamed():
    response = export("csv")

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_rows(response) == [
        HEADERS["zh-hans"],
        ["和平社区", "2021-08-24 09:30", "2021-08-25", "12.50", "3", "是", ""],
        ["五爱社区", "", "", "-1.5", "-2", "否", ""],
    ]


def test_csv_reads_the_rows_only_while_streaming_in_the_language_of_the_request():
    read = []

    def rows():
        for row in ROWS:
            read.append(row["name"])
            yield row

    response = export("csv", rows=rows())
    assert read == []  # nothing is read (or held) before the response is sent

    with translation.override("en"):  # the server may have moved on to another request's language
        lines = csv_rows(response)
    assert read == ["和平社区", "五爱社区"]
    assert lines[0] == HEADERS["zh-hans"]
    assert [line[5] for line in lines[1:]] == ["是", "否"]


def test_a_long_csv_comes_in_several_chunks():
    rows = [dict(ROWS[0], count=number) for number in range(1000)]
    response = export("csv", rows=rows)

    chunks = list(response.streaming_content)
    assert len(chunks) > 2
    lines = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"), newline="")))
    assert [line[4] for line in lines[1:]] == [str(number) for number in range(1000)]


@pytest.mark.parametrize("file_format", EXPORT_FORMATS)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_headers_and_booleans_are_in_the_active_language(file_format, language):
    with translation.override(language):
        response = export(file_format)

    rows = exported_rows(response, file_format)
    assert rows[0] == HEADERS[language]
    expected = {"zh-hans": ["是", "否"], "en": ["Yes", "No"]}[language]
    assert [row[5] for row in rows[1:]] == expected


DANGEROUS = ["=1+1", "+1", "-1", "@SUM(A1)", '=HYPERLINK("http://evil.example","点我")', "\tx", "\rx", "  =1+1"]


@pytest.mark.parametrize("file_format", EXPORT_FORMATS)
def test_text_that_would_run_as_a_formula_gets_an_apostrophe_numbers_do_not(file_format):
    rows = [dict(ROWS[1], name=text) for text in [*DANGEROUS, "和平社区 = 好", "13812341234"]]
    response = export(file_format, rows=rows)

    lines = exported_rows(response, file_format)[1:]
    expected_text = ["'" + text for text in DANGEROUS] + ["和平社区 = 好", "13812341234"]
    if file_format == "xlsx":
        expected_text = [text.replace("\r", "\n") for text in expected_text]  # XML normalises a lone CR
    assert [line[0] for line in lines] == expected_text
    negative = {"csv": ("-1.5", "-2"), "xlsx": (-1.5, -2)}[file_format]
    assert {(line[3], line[4]) for line in lines} == {negative}


def test_xlsx_formula_text_is_a_string_cell():
    response = export("xlsx", rows=[dict(ROWS[1], name="=1+1")])

    cell = xlsx_sheet(response)["A2"]
    assert cell.data_type == "s"
    assert cell.value == "'=1+1"


@pytest.mark.parametrize("text", ["=1+1", "+8613812341234", "-", "@x", "\t1", "\r1", "\n1", " -1"])
def test_neutralise_formula(text):
    assert neutralise_formula(text) == "'" + text


@pytest.mark.parametrize("text", ["", "和平", "a=b", "1-2", "'=quoted"])
def test_harmless_text_is_left_alone(text):
    assert neutralise_formula(text) == text


def test_xlsx_has_typed_cells_in_local_time_and_a_bold_frozen_header():
    response = export("xlsx")

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = xlsx_sheet(response)
    assert sheet.title == "案件列表"
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    assert [cell.value for cell in sheet[1]] == HEADERS["zh-hans"]

    name, when, day, amount, count, flag, missing = sheet[2]
    assert name.value == "和平社区"
    assert when.is_date
    assert when.value == datetime.datetime(2021, 8, 24, 9, 30, 15)  # Shenyang's wall clock, naive
    assert when.number_format == "yyyy-mm-dd hh:mm"
    assert day.is_date
    assert day.value == datetime.datetime(2021, 8, 25)  # openpyxl reads a date cell back as a datetime
    assert day.number_format == "yyyy-mm-dd"
    assert (amount.data_type, amount.value) == ("n", 12.5)
    assert (count.data_type, count.value) == ("n", 3)
    assert flag.value == "是"
    assert missing.value is None
    assert [cell.value for cell in sheet[3]] == ["五爱社区", None, None, -1.5, -2, "否", None]


def test_xlsx_column_widths_fit_the_header_and_the_values():
    columns = [*COLUMNS, Column(_("Category"), itemgetter("name"), width=30)]
    response = export("xlsx", columns=columns)

    widths = {letter: dimension.width for letter, dimension in xlsx_sheet(response).column_dimensions.items()}
    assert widths["A"] >= len("和平社区") * 2  # Chinese characters are twice as wide
    assert widths["B"] >= len("2021-08-24 09:30")
    assert widths["H"] == 32  # the column's own width, plus padding


def test_xlsx_writes_every_row_beyond_the_ones_measured_for_widths():
    rows = [dict(ROWS[0], count=number) for number in range(250)]
    response = export("xlsx", rows=rows)

    assert [row[4] for row in xlsx_rows(response)[1:]] == list(range(250))


def test_xlsx_drops_control_characters_excel_cannot_store():
    response = export("xlsx", rows=[dict(ROWS[0], name="路灯\x01不亮\x1f")])

    assert xlsx_rows(response)[1][0] == "路灯不亮"


@pytest.mark.parametrize("file_format", EXPORT_FORMATS)
def test_the_file_name_is_dated_locally_with_an_ascii_fallback_and_rfc_5987_utf8(file_format):
    with mock.patch("django.utils.timezone.now", return_value=LATE_EVENING_UTC):
        response = export(file_format)

    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert f'filename="export-20211126.{file_format}"' in disposition
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert encoded.isascii()
    assert unquote(encoded) == f"案件列表-20211126.{file_format}"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(("language", "fallback", "utf8"), [("zh-hans", "export", "案件"), ("en", "Cases", "Cases")])
def test_a_lazy_file_name_is_translated(language, fallback, utf8):
    with translation.override(language), mock.patch("django.utils.timezone.now", return_value=LATE_EVENING_UTC):
        response = export("csv", filename=_("Cases"))

    disposition = response["Content-Disposition"]
    assert f'filename="{fallback}-20211126.csv"' in disposition
    assert unquote(disposition.split("filename*=UTF-8''", 1)[1]) == f"{utf8}-20211126.csv"


@pytest.mark.parametrize(
    ("filename", "header"),
    [
        (
            "Case list-20211126.csv",
            "attachment; filename=\"Case list-20211126.csv\"; filename*=UTF-8''Case%20list-20211126.csv",
        ),
        ('a"b;c.xlsx', "attachment; filename=\"abc.xlsx\"; filename*=UTF-8''a%22b%3Bc.xlsx"),
    ],
)
def test_attachment_disposition_quotes_what_needs_quoting(filename, header):
    assert attachment_disposition(filename) == header
