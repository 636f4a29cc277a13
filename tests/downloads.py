"""Reading the portal's downloads back in tests: CSV (with its BOM and separator) and Excel."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook


def body(response) -> bytes:
    """The whole body, streamed (CSV, Excel, files) or not."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def csv_rows(response_or_bytes, delimiter: str = ",") -> list[list[str]]:
    data = response_or_bytes if isinstance(response_or_bytes, bytes) else body(response_or_bytes)
    text = data.decode("utf-8")
    assert text.startswith("\ufeff"), "CSV files start with a UTF-8 byte order mark"
    return list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))


def workbook(response_or_bytes):
    data = response_or_bytes if isinstance(response_or_bytes, bytes) else body(response_or_bytes)
    return load_workbook(io.BytesIO(data))
