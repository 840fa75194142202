"""Reading a spreadsheet (CSV or XLSX) into a header and numbered rows, and writing one.

CSV is read as UTF-8 (with or without a byte order mark); a file that is not UTF-8 is read
as Windows-1252 / Latin-1 only when charset-normalizer finds that reading coherent, with a
warning, and refused otherwise. The delimiter is what the header row uses most (Finnish
Excel writes ``;``)."""

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import IO, Any

import charset_normalizer
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils.exceptions import InvalidFileException

from services.registry.transfer.schemas import WARNING, Issue

Cell = str | int | float | bool | date | datetime | time | None
DELIMITERS = (";", ",", "\t", "|")
WESTERN = ["cp1252", "latin_1", "iso8859_15"]
MAX_CHAOS = 10.0  # percent of "messy" characters charset-normalizer may see in a guess
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBERISH = re.compile(r"[+-]?[\d\s().,/-]*")  # phone numbers and the like run nothing
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"


class FileProblem(Exception):
    """The file cannot be read as a table at all."""

    def __init__(self, code: str, message: str, field: str = "file") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


@dataclass
class Table:
    format: str
    headers: list[str]
    rows: list[tuple[int, list[Cell]]]
    encoding: str | None = None
    delimiter: str | None = None
    issues: list[Issue] = field(default_factory=list)


def sniff_format(filename: str, head: bytes) -> str:
    name = filename.lower()
    if head.startswith(OLE_MAGIC) or name.endswith(".xls"):
        raise FileProblem(
            "unsupported_format",
            "old Excel (.xls) files cannot be read; save the sheet as .xlsx or as CSV UTF-8",
        )
    if head.startswith(ZIP_MAGIC) or name.endswith((".xlsx", ".xlsm")):
        return "xlsx"
    if name.endswith((".csv", ".txt", ".tsv")) or not name or "." not in name:
        return "csv"
    raise FileProblem(
        "unsupported_format", "the file must be a CSV (.csv) or Excel workbook (.xlsx)"
    )


def read_table(filename: str, stream: IO[bytes], *, max_rows: int, max_columns: int) -> Table:
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    if not head:
        raise FileProblem("file_empty", "the file is empty")
    kind = sniff_format(filename, head)
    if kind == "xlsx":
        return _read_xlsx(stream, max_rows, max_columns)
    text, encoding, issues = decode_text(stream.read())
    table = _read_csv(text, max_rows, max_columns)
    table.encoding = encoding
    table.issues = issues + table.issues
    return table


# --- text and encodings --------------------------------------------------------------------


def decode_text(data: bytes) -> tuple[str, str, list[Issue]]:
    """The text of a CSV file, the encoding used, and a warning when it was guessed."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig", []
        except UnicodeDecodeError as exc:
            raise _not_utf8(exc) from exc
    for bom, name in (
        (b"\xff\xfe\x00\x00", "UTF-32"),
        (b"\x00\x00\xfe\xff", "UTF-32"),
        (b"\xff\xfe", "UTF-16"),
        (b"\xfe\xff", "UTF-16"),
    ):
        if data.startswith(bom):
            raise FileProblem(
                "encoding_unsupported",
                f"the file is in {name}; save it as CSV UTF-8 (in Excel: Save as → "
                "'CSV UTF-8 (comma delimited)') and upload it again",
            )
    if b"\x00" in data:
        raise FileProblem(
            "encoding_unsupported",
            "the file holds binary data or UTF-16 text, not a CSV in UTF-8; save it as "
            "CSV UTF-8 and upload it again",
        )
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError as exc:
        guessed = _western(data)
        if guessed is None:
            raise _not_utf8(exc) from exc
        return guessed


def _western(data: bytes) -> tuple[str, str, list[Issue]] | None:
    """A coherent Windows-1252 / Latin-1 reading of ``data``, if charset-normalizer finds one."""
    best = charset_normalizer.from_bytes(data, cp_isolation=WESTERN).best()
    if best is None or best.percent_chaos > MAX_CHAOS:
        return None
    try:
        text = data.decode("cp1252")
        encoding = "cp1252"
    except UnicodeDecodeError:
        text, encoding = data.decode("latin-1"), "latin-1"
    if _CONTROL.search(text):
        return None
    label = "Windows-1252" if encoding == "cp1252" else "Latin-1 (ISO-8859-1)"
    warning = Issue(
        code="encoding_guessed",
        severity=WARNING,
        field="file",
        message=f"the file is not UTF-8; it was read as {label}. Check that letters such as "
        "ä, ö and å look right in the result, or save the file as CSV UTF-8",
    )
    return text, encoding, [warning]


def _not_utf8(exc: UnicodeDecodeError) -> FileProblem:
    best = charset_normalizer.from_bytes(exc.object).best()
    looks = f" (it looks like {best.encoding})" if best is not None else ""
    return FileProblem(
        "encoding_unsupported",
        f"the file is not UTF-8 and its characters cannot be read reliably{looks}; save it "
        "as CSV UTF-8 (in Excel: Save as → 'CSV UTF-8 (comma delimited)') and upload it again",
    )


# --- CSV -----------------------------------------------------------------------------------


def sniff_delimiter(text: str) -> str:
    """The delimiter the header row uses most; csv.Sniffer decides a tie."""
    header = next(iter(text.splitlines()), "")
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts.values())
    if best == 0:
        return ","
    candidates = [d for d, n in counts.items() if n == best]
    if len(candidates) == 1:
        return candidates[0]
    try:
        return csv.Sniffer().sniff(text[: 64 * 1024], delimiters="".join(candidates)).delimiter
    except csv.Error:
        return candidates[0]


def _read_csv(text: str, max_rows: int, max_columns: int) -> Table:
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    table = Table(format="csv", headers=[], rows=[], delimiter=delimiter)
    try:
        _fill(table, enumerate(reader, start=1), max_rows, max_columns)
    except csv.Error as exc:
        raise FileProblem("file_unreadable", f"the CSV cannot be read: {exc}") from exc
    return table


def _fill(
    table: Table,
    numbered: Iterable[tuple[int, Iterable[Cell]]],
    max_rows: int,
    max_columns: int,
) -> None:
    """Header from the first non-blank row, then the non-blank rows with their numbers."""
    for number, raw in numbered:
        cells = list(raw)
        if not any(_present(c) for c in cells):
            continue
        while cells and not _present(cells[-1]):
            cells.pop()
        if len(cells) > max_columns:
            raise FileProblem(
                "too_many_columns", f"row {number} has more than {max_columns} columns"
            )
        if not table.headers:
            table.headers = [_text(c) for c in cells]
            continue
        if len(table.rows) >= max_rows:
            raise FileProblem(
                "too_many_rows",
                f"the file has more than {max_rows} rows; split it into smaller files",
            )
        table.rows.append((number, cells))
    if not table.headers:
        raise FileProblem("file_empty", "the file has no header row and no data")


def _present(cell: Cell) -> bool:
    return cell is not None and (not isinstance(cell, str) or cell.strip() != "")


def _text(cell: Cell) -> str:
    return "" if cell is None else str(cell).strip()


# --- XLSX ----------------------------------------------------------------------------------


def _read_xlsx(stream: IO[bytes], max_rows: int, max_columns: int) -> Table:
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileProblem(
            "file_unreadable", "the file is not a readable Excel workbook (.xlsx)"
        ) from exc
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise FileProblem("file_empty", "the workbook has no sheets")
        table = Table(format="xlsx", headers=[], rows=[])
        rows: Iterator[tuple[Any, ...]] = sheet.iter_rows(values_only=True)
        _fill(table, enumerate(rows, start=1), max_rows, max_columns)
        if len(workbook.worksheets) > 1:
            table.issues.append(
                Issue(
                    code="other_sheets_ignored",
                    severity=WARNING,
                    field="file",
                    message=f"only the first sheet ({sheet.title}) was read",
                )
            )
        return table
    finally:
        workbook.close()


# --- writing -------------------------------------------------------------------------------


def safe_text(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    if value.startswith(_FORMULA_START) and not _NUMBERISH.fullmatch(value):
        return "'" + value
    return value


def csv_lines(rows: Iterable[list[Cell]], delimiter: str) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if c is None else safe_text(str(c)) for c in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def xlsx_bytes(headers: list[str], rows: Iterable[list[Cell]], title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append(headers)
    try:
        for row in rows:
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]  # dates work
                if isinstance(value, str):
                    cell.data_type = "s"  # text stays text, even when it starts with "="
                elif isinstance(value, date):
                    cell.number_format = "d.m.yyyy"
                cells.append(cell)
            sheet.append(cells)
    except BaseException:
        sheet.close()  # the rows failed (a refused filter): end the sheet's writer too
        raise
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
