"""IPv6 on ipvlan slaves (sim/kinds/ipvlan.py, docs/kernel-semantics.md §11.19), against what
Debian's 6.1 kernel did in the full-kernel VM in the test bed of
docs/kernel-semantics-tests/ipv6/06_ipvlan6.sh: every cell of its recorded ``.out`` table is
built here as a lab (switch with hairpin on or off, master "host" on it, slaves a and b in their
own nodes, peer behind the switch) and compared with the simulator's verdict.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from vnetlab import load_text
from vnetlab.sim import Simulator
from vnetlab.sim.ipv6 import a6

OUT = Path(__file__).parents[2] / "docs" / "kernel-semantics-tests" / "ipv6" / "06_ipvlan6.out"
ADDR = {"host": "2001:db8::1", "a": "2001:db8::11", "b": "2001:db8::12", "peer": "2001:db8::100"}
#: a's link-local: the master's MAC with dev_id 1 in place of ff:fe (06: "LL a: fe80::200:0:100:1/64")
A_LL = "fe80::200:0:100:1"
MAC = {"host": "02:00:00:00:00:01", "peer": "02:00:00:00:00:64"}
#: 06's cells: (from, to, static entries: node -> the address it maps to the master's MAC)
CELLS = {
    "a->b": ("a", "b", {}),
    "a->b(static)": ("a", "b", {"a": "b", "b": "a"}),
    "a->peer": ("a", "peer", {}),
    "peer->a": ("peer", "a", {}),
    "peer->a(static)": ("peer", "a", {"peer": "a"}),
    "host->a": ("host", "a", {}),
    "host->a(static)": ("host", "a", {"host": "a"}),
    "a->host": ("a", "host", {}),
    "b->a(LL)": ("b", "aLL", {}),
}
DEV = {"host": "m", "a": "sa", "b": "sb", "peer": "eth0"}


def lab(mode: str, flag: str, hairpin: bool, static: dict[str, str] | None = None) -> str:
    static = static or {}

    def neigh(n: str) -> str:
        if n not in static:
            return ""
        return f'    neighbors:\n      - {{address: "{ADDR[static[n]]}", lladdr: "{MAC["host"]}", dev: {DEV[n]}}}\n'

    def slave(n: str) -> str:
        return (
            f"  {n}:\n    interfaces:\n      {DEV[n]}: {{kind: ipvlan, parent: host/m, mode: {mode}, flag: {flag}, "
            f'addresses: ["{ADDR[n]}/64"]}}\n' + neigh(n)
        )

    def nic(n: str) -> str:
        return (
            f'  {n}:\n    interfaces:\n      {DEV[n]}: {{kind: nic, switch: lan, mac: "{MAC[n]}", '
            f'addresses: ["{ADDR[n]}/64"]}}\n' + neigh(n)
        )

    return (
        f"lab: ipv6vl\nswitches:\n  lan: {{hairpin: {str(hairpin).lower()}}}\nnodes:\n"
        + nic("host")
        + slave("a")
        + slave("b")
        + nic("peer")
    )


def _rows() -> list[tuple[str, str, bool, str, bool]]:
    """(mode, flag, hairpin, cell, kernel said OK) from the recorded table."""
    rows = []
    for line in OUT.read_text().splitlines():
        m = re.match(r"mode=(\w+) flag=(\w+) hairpin=(on|off):(.*)", line)
        if not m:
            continue
        for cell, res in re.findall(r"(\S+?)=(OK|FAIL)", m.group(4)):
            if cell in CELLS:
                rows.append((m.group(1), m.group(2), m.group(3) == "on", cell, res == "OK"))
    return rows


TABLE = _rows()


def test_the_recorded_table_is_all_here() -> None:
    assert len(TABLE) == 2 * 3 * 3 * len(CELLS)


@pytest.mark.parametrize(
    ("mode", "flag", "hairpin", "cell", "ok"),
    TABLE,
    ids=[f"{m}-{f}-{'hp' if h else 'nohp'}-{c}" for m, f, h, c, _ in TABLE],
)
def test_modes_as_the_kernel_measured(mode: str, flag: str, hairpin: bool, cell: str, ok: bool) -> None:
    src, dst, st = CELLS[cell]
    to = A_LL if dst == "aLL" else ADDR[dst]
    got = Simulator(load_text(lab(mode, flag, hairpin, st))).probe(src, [to])[to]
    assert got is ok


@pytest.mark.parametrize("mode", ["l2", "l3", "l3s"])
def test_slave_link_locals_from_dev_id(mode: str) -> None:
    # 06 "dev_id a=0x1 b=0x2": the slaves share the master's MAC; dev_id takes the place of
    # ff:fe and the U/L bit stays (addrconf_ifid_eui48)
    s = Simulator(load_text(lab(mode, "bridge", False)))
    lls = {}
    for n in ("a", "b", "host"):
        v6 = s.world.stacks[n].v6
        assert v6 is not None
        ll = v6.link_local(s.world.devices[f"{n}/{DEV[n]}"])
        assert ll is not None
        lls[n] = a6(ll)
    assert lls == {"a": "fe80::200:0:100:1", "b": "fe80::200:0:200:1", "host": "fe80::ff:fe00:1"}


@pytest.mark.parametrize("hairpin", [False, True])
@pytest.mark.parametrize("flag", ["bridge", "private", "vepa"])
def test_no_slave_fails_dad(flag: str, hairpin: bool) -> None:
    # 06 "after 2.6s": every slave address valid in every configuration, behind a hairpin port
    # too (l2: a slave's reflected DAD solicitation is not an external frame, so it is not
    # given back to it; l3/l3s: NOARP, no solicitation at all)
    recorded = [ln for ln in OUT.read_text().splitlines() if ln.startswith("after 2.6s")]
    assert len(recorded) == 18 and not any("tentative" in ln or "dadfailed" in ln for ln in recorded)
    for mode in ("l2", "l3", "l3s"):
        s = Simulator(load_text(lab(mode, flag, hairpin)))
        for n in ("a", "b"):
            v6 = s.world.stacks[n].v6
            assert v6 is not None and not v6.dad_failed, (mode, n, v6.dad_failed if v6 else None)
