"""The labels of the tables stacked as cards on a phone, read from a page's HTML.

A table with class ``table-stack`` shows each row as a card and each cell as a line "label:
value", the label taken from the cell's ``data-label`` (service_portal/static/css/portal.css).
``problems(html)`` lists what a page's lists lack, by the rules of the browser's phone sweep
(tests/e2e/test_phone_fit.py):

- a list table (``table-stack``, or ``table-hover``: the portal's lists) is a stacked table;
- every body cell of a stacked table carries its column's label, but a cell spanning columns (a
  "nothing found" line, a group's heading), a row's only cell, its buttons (``table-actions``),
  its heading (``th scope=row``) and an empty cell;
- in a row with one cell per column the label is the column heading's text (a label copied from
  the wrong column is found).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser


def _text(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


class _Tables(HTMLParser):
    """Per table: its classes, its column headings' texts and its body rows' cells."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self._stack: list[dict] = []  # open tables (a table inside a cell is a table of its own)
        self._cell: dict | None = None
        self._heading: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            table = {
                "classes": (attrs.get("class") or "").split(),
                "name": attrs.get("data-testid") or attrs.get("id") or attrs.get("class") or "",
                "part": None,
                "columns": [],
                "rows": [],
            }
            self.tables.append(table)
            self._stack.append(table)
            return
        if not self._stack:
            return
        table = self._stack[-1]
        if tag in ("thead", "tbody", "tfoot"):
            table["part"] = tag
        elif tag == "tr" and table["part"] == "tbody":
            table["rows"].append([])
        elif tag == "th" and table["part"] == "thead":
            self._heading = [""]
            table["columns"].append(self._heading)
        elif tag in ("td", "th") and table["part"] == "tbody" and table["rows"]:
            self._cell = {
                "tag": tag,
                "label": attrs.get("data-label"),
                "colspan": "colspan" in attrs,
                "classes": (attrs.get("class") or "").split(),
                "scope": attrs.get("scope"),
                "text": "",
            }
            table["rows"][-1].append(self._cell)

    def handle_endtag(self, tag):
        if tag == "table" and self._stack:
            table = self._stack.pop()
            table["columns"] = [_text(column[0]) for column in table["columns"]]
        elif tag in ("td", "th"):
            self._cell = None
            self._heading = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell["text"] += data
        if self._heading is not None:
            self._heading[0] += data


def problems(html: str) -> tuple[list[str], int]:
    """What a page's lists lack, and how many labelled data rows they have."""
    parser = _Tables()
    parser.feed(html)
    problems, rows_checked = [], 0
    for table in parser.tables:
        name = table["name"]
        if "table-hover" in table["classes"] and "table-stack" not in table["classes"]:
            problems.append(f"table {name}: a list that is not stacked on a phone (table-stack)")
        if "table-stack" not in table["classes"]:
            continue
        columns = table["columns"]
        for row in table["rows"]:
            if len(row) == 1:
                continue
            spans = any(cell["colspan"] for cell in row)
            checked = False
            for index, cell in enumerate(row):
                if (
                    cell["colspan"]
                    or "table-actions" in cell["classes"]
                    or (cell["tag"] == "th" and cell["scope"] == "row")
                ):
                    continue
                if cell["label"] is None:
                    if _text(cell["text"]):
                        problems.append(
                            f"table {name}: a cell without data-label: {cell['text']!r}"
                        )
                    continue
                checked = True
                if not spans and len(row) == len(columns) and cell["label"] != columns[index]:
                    problems.append(
                        f"table {name}: label {cell['label']!r} under the column {columns[index]!r}"
                    )
            rows_checked += checked
    return problems, rows_checked


def labelled_rows(html: str) -> int:
    """The page's stacked tables label every cell (else the test fails): their labelled rows."""
    found, rows_checked = problems(html)
    assert not found, found
    return rows_checked
