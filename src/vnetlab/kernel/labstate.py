"""The plan a running lab was last brought to (``/run/vnetlab/<lab>.json``):
`up` of a changed file diffs the new plan against it (kernel.change). It is
used only when its fingerprint is the running lab's; otherwise the lab is
rebuilt. No pyroute2 here: `down` removes it."""

from __future__ import annotations

import contextlib
import os
from typing import Any

from ..errors import VnetlabError

#: the plan a running lab was last brought to, per lab: `up` of a changed file diffs against it
STATE_DIR = "/run/vnetlab"


def state_path(lab: str) -> str:
    return os.path.join(STATE_DIR, f"{lab}.json")


def save_state(
    lab: str,
    fingerprint: str,
    step_docs: list[dict[str, Any]],
    guests: dict[str, Any],
    model: dict[str, Any],
) -> None:
    """Written atomically, root-only; the lab name is a validated [a-z][a-z0-9_-]{0,14}.
    ``step_docs``: the plan as ``[s.as_dict() for s in steps]`` (``up`` has it already,
    from the fingerprint)."""
    import json

    os.makedirs(STATE_DIR, mode=0o700, exist_ok=True)
    doc = {"fingerprint": fingerprint, "steps": step_docs, "guests": guests, "lab": model}
    tmp = state_path(lab) + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w") as fh:
        # dumps, not dump: json.dump encodes in Python, dumps in C (the same text, a
        # tenth of a second sooner for a 200-node lab)
        fh.write(json.dumps(doc, default=str))
    os.replace(tmp, state_path(lab))


def load_state(lab: str, fingerprint: str | None) -> dict[str, Any] | None:
    """The saved plan of the running lab, if it is the one with ``fingerprint`` (else None: rebuild)."""
    import json

    from ..model import Lab
    from ..plan import build_plan
    from ..resolve import resolve

    try:
        with open(state_path(lab), "rb") as fh:
            doc = json.load(fh)
        if doc.get("fingerprint") != fingerprint:
            return None
        # the plan is built again from the lab it was built from (typed steps, as `up` made them)
        doc["steps"] = build_plan(resolve(Lab.model_validate(doc["lab"])))
        return dict(doc)
    except (OSError, ValueError, KeyError, TypeError, VnetlabError):
        return None


def drop_state(lab: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(state_path(lab))
