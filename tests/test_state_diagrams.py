"""The state diagrams in the docs are the transition maps the services enforce.

Each diagram names its map in a mermaid comment (``%% orders.services.OFFER_TRANSITIONS``); its
arrows between states must be exactly the map's changes, and its start arrow the state a new
document is created in. (The interventions' diagram is also generated whole from its map,
``calls.diagram``: tests/calls/test_docs.py; "planned" only with a visit:
tests/calls/test_planned_means_a_visit.py.)
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from service_portal.history import edges

DOCS = Path(__file__).resolve().parents[1] / "docs"
ARROW = re.compile(r"^\s*(\[\*\]|\w+)\s*-->\s*(\[\*\]|\w+)\s*(?::.*)?$")


def _diagram(doc: str, map_path: str) -> list[str]:
    text = (DOCS / doc).read_text()
    for block in re.findall(r"```mermaid\n(.*?)```", text, flags=re.DOTALL):
        lines = block.splitlines()
        if any(line.strip() == f"%% {map_path}" for line in lines):
            return lines
    raise AssertionError(f"docs/{doc} has no diagram of {map_path}")


def _arrows(lines: list[str]) -> tuple[set[tuple[str, str]], set[str]]:
    changes, starts = set(), set()
    for line in lines:
        match = ARROW.match(line)
        if match is None:
            continue
        source, target = match.groups()
        if source == "[*]":
            starts.add(target)
        elif target != "[*]":
            changes.add((source, target))
    return changes, starts


def _map(map_path: str):
    module, name = map_path.rsplit(".", 1)
    return getattr(importlib.import_module(module), name)


@pytest.mark.parametrize(
    ("doc", "map_path", "first_state"),
    [
        ("quotes.md", "quotes.services.TRANSITIONS", "draft"),
        ("orders.md", "orders.services.OFFER_TRANSITIONS", "draft"),
        ("orders.md", "orders.services.ORDER_TRANSITIONS", "confirmed"),
        ("invoicing.md", "invoicing.services.INVOICE_TRANSITIONS", "draft"),
        ("calls.md", "calls.access.TRANSITIONS", "new"),
    ],
)
def test_the_diagram_in_the_docs_is_the_transition_map(doc, map_path, first_state):
    transitions = _map(map_path)
    changes, starts = _arrows(_diagram(doc, map_path))
    assert changes == edges(transitions), f"docs/{doc} differs from {map_path}"
    assert starts == {first_state}
    assert set(transitions) >= {state for change in changes for state in change}


def test_a_diagram_that_misses_a_change_is_caught():
    lines = ["stateDiagram-v2", "    [*] --> draft", "    draft --> confirmed: confirm_quote"]
    changes, _starts = _arrows(lines)
    assert changes != edges(_map("quotes.services.TRANSITIONS"))
