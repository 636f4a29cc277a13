"""The transition map as a mermaid diagram (docs/calls.md; a test keeps the two in sync)."""

from __future__ import annotations

from calls.access import TRANSITIONS
from calls.models import State
from calls.services import REASON_REQUIRED, VISIT_REQUIRED

ROLE_INITIALS = {"administrator": "A", "operator": "O", "technician": "T"}


def mermaid_state_diagram() -> str:
    lines = ["stateDiagram-v2", "    %% calls.access.TRANSITIONS", f"    [*] --> {State.NEW}"]
    for from_state, targets in TRANSITIONS.items():
        for to_state, roles in targets.items():
            who = "".join(sorted(ROLE_INITIALS[r] for r in roles))
            reason = ", reason" if (from_state, to_state) in REASON_REQUIRED else ""
            visit = ", visit" if (from_state, to_state) in VISIT_REQUIRED else ""
            lines.append(f"    {from_state} --> {to_state}: {who}{reason}{visit}")
        if not targets:
            lines.append(f"    {from_state} --> [*]")
    return "\n".join(lines)
