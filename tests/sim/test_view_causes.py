"""The page's explanation of a red cell is `vnetlab trace`'s: the same deciding drops, in the
same ranked order, for every unreachable cell of every lab (the page used to keep its own
unranked copy of the selection, and knew one owner per address)."""

from __future__ import annotations

import pytest

from tests.conftest import LABS
from vnetlab import load, resolve
from vnetlab.sim import Simulator, sim_unsupported
from vnetlab.verify.trace import trace
from vnetlab.view import data
from vnetlab.view.traces import Packer


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.name)
def test_page_causes_are_trace_causes(path) -> None:
    r = resolve(load(path))
    if why := sim_unsupported(r.lab):  # refused with exit 3 (no page), never a silent one
        assert "nftables" in why
        return
    owners = data.address_owners(r)
    m = Simulator(r).matrix()
    red = [(s, a) for s, row in m["rows"].items() for a, ok in row.items() if not ok]
    checked = 0
    for src, addr in red[:12]:
        want = trace(Simulator(r), src, addr)
        ((_, res),) = list(data.trace_row(r, src, [addr]))
        pk = Packer()
        got = pk.pack(res, owners)
        assert got["ok"] is False
        assert [(pk.strings[d], pk.strings[rule] if rule >= 0 else None) for d, _, rule, _ in got["b"]] == [
            (h.device, h.rule) for p in want.paths for h in p.because
        ]
        checked += 1
    assert checked == min(len(red), 12)
