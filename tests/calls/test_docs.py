from pathlib import Path

from calls.diagram import mermaid_state_diagram

DOC = Path(__file__).resolve().parents[2] / "docs" / "calls.md"


def test_the_state_diagram_in_the_docs_is_the_transition_map():
    assert mermaid_state_diagram() in DOC.read_text()
