"""A report sheet (journeys.reports.sheets) as a CSV or an Excel file. Text a spreadsheet
would run as a formula stays text in both: the CSV through export.to_csv's guard, the
.xlsx by storing such a cell as a string (openpyxl would store it as a formula)."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from journeys.reports.export import to_csv
from journeys.reports.sheets import FRACTION, Cell, Sheet, column_kind

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERCENT_FORMAT = "0.0%"


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell)


def sheet_csv(sheet: Sheet) -> str:
    header, rows = sheet
    return to_csv(header, [[_text(cell) for cell in row] for row in rows])


def sheet_xlsx(sheet: Sheet, *, title: str) -> bytes:
    """One worksheet: a bold header row, numbers as numbers, fractions shown as
    percentages, dates as dates; frozen header, sensible widths."""
    header, rows = sheet
    book = Workbook()
    page = book.active
    assert page is not None
    page.title = title[:31]
    page.append(header)
    for cell in page[1]:
        cell.font = Font(bold=True)
    kinds = [column_kind(name) for name in header]
    for row in rows:
        page.append(list(row))
        for cell, kind in zip(page[page.max_row], kinds, strict=True):
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = TYPE_STRING  # text, never a formula
            elif kind == FRACTION and isinstance(cell.value, float):
                cell.number_format = PERCENT_FORMAT
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    for index, name in enumerate(header, start=1):
        page.column_dimensions[get_column_letter(index)].width = max(12, min(40, len(name) + 2))
    page.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
