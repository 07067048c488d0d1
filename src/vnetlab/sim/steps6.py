"""IPv6 in a lab with ``steps:`` (issue #13): what the kernel is left with after each change,
as `vnetlab test` applies the steps in place (docs/kernel-semantics.md §11.17).

The simulator builds each step's world afresh; on the kernel the step changes the running
lab, and three things can come out in another order than a fresh build makes them
(``plan.order.Replay6``, measured in docs/kernel-semantics-tests/ipv6/26_steps6.sh): the
prefix routes (a device set down and up again, or an address added by a step, enters the
table after the routes already there: modelled, ``prefix_rank``), the addresses on a device
(an address added by a step is the device's newest: modelled, the state's lab lists a
node interface's IPv6 addresses in the kernel's order, ``lab``) and the netdev list (a
device made again goes last) — the last two decide ties of source address selection; a
netdev list, or a switch's addresses, in another order than a fresh build's are refused."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from ..model import Lab
from ..resolve import Resolved


@dataclass
class Step6:
    """One state of the timeline as the kernel has it."""

    #: node → (device, address, prefix length) → when its prefix route entered (Fixed.prefix_rank)
    prefix_rank: dict[str, dict[tuple[str, int, int], int]] = field(default_factory=dict)
    #: why the simulator cannot give this state's IPv6 verdicts (None: it can)
    problem: str | None = None
    #: the state's lab with each node interface's IPv6 addresses in the order the kernel has
    #: them, oldest first (None: as in the file)
    lab: Lab | None = None


def _rank(rep: object) -> dict[str, dict[tuple[str, int, int], int]]:
    from ..plan.order import Replay6

    assert isinstance(rep, Replay6)
    return rep.prefix_rank()


def _fresh(r: Resolved) -> object:
    from ..plan.order import Replay6
    from .ipv6 import netdev_order

    return Replay6.fresh(r, netdev_order(r))


def _globals(addrs: list[str]) -> list[str]:
    return [a for a in addrs if not ipaddress.IPv6Interface(a).ip.is_link_local]


def _differs(name: str, kernel: object, fresh: object, nodes: set[str]) -> str | None:
    """Where the kernel's addresses or netdev list after the change are in another order
    than a fresh build of the same lab makes them (source address selection's ties)."""
    from ..plan.order import Replay6

    assert isinstance(kernel, Replay6) and isinstance(fresh, Replay6)
    for key, have in kernel.addrs.items():
        k, f = _globals(have), _globals(fresh.addrs.get(key, []))
        if len(k) > 1 and k != f and key[0] not in nodes:
            return (
                f"after step {name!r}, {key[0]}/{key[1]} has its IPv6 addresses in another order than a "
                f"fresh build gives ({', '.join(k)}, oldest first: an address a step adds is the device's newest), "
                "and source address selection breaks ties by it: not simulated"
            )
    for ns, devs in kernel.netdev.items():
        v6 = {d for (n, d), a in kernel.addrs.items() if n == ns and _globals(a)}
        k = [d for d in devs if d in v6]
        f = [d for d in fresh.netdev.get(ns, []) if d in v6]
        if len(k) > 1 and k != f:
            return (
                f"after step {name!r}, node {ns}'s devices with IPv6 addresses are in another netdev list order "
                f"than a fresh build gives ({', '.join(k)}: a device a step makes again goes last), and source "
                "address selection breaks ties by it: not simulated"
            )
    return None


def _in_order(r: Resolved, rep: object) -> Lab | None:
    """``r``'s lab with each node interface's IPv6 addresses in the order ``rep`` (the kernel)
    has them, oldest first, each in a place an IPv6 address had (IPv4's order untouched);
    None when that is the file's order."""
    from ..plan.order import Replay6

    assert isinstance(rep, Replay6)
    data = r.lab.model_dump(mode="json", by_alias=True, exclude_unset=True)
    moved = False
    for node, spec in data.get("nodes", {}).items():
        for ifname, i in spec.get("interfaces", {}).items():
            addrs = list(i.get("addresses", []))
            v6 = [a for a in addrs if ":" in a]
            norm = {str(ipaddress.IPv6Interface(a)): a for a in v6}  # as the file writes it
            have = [
                norm[k] for a in rep.addrs.get((node, ifname), []) if (k := str(ipaddress.IPv6Interface(a))) in norm
            ]
            want = have + [a for a in v6 if a not in have]
            if len(v6) > 1 and want != v6:
                it = iter(want)
                i["addresses"] = [next(it) if ":" in a else a for a in addrs]
                moved = True
    return Lab.model_validate(data) if moved else None


def timeline(line: list[tuple[str | None, Resolved]]) -> list[Step6]:
    """Per state of ``steps.timeline`` (resolved): the kernel's IPv6 state after `up` of the
    lab as written and each change in turn."""
    from ..plan import build_plan
    from ..plan.diff import diff
    from ..plan.order import Replay6

    out: list[Step6] = []
    rep: Replay6 | None = None
    prev: Resolved | None = None
    for name, r in line:
        if rep is None or prev is None:
            fresh = _fresh(r)
            assert isinstance(fresh, Replay6)
            rep = fresh
            out.append(Step6(_rank(rep)))
        else:
            changes = diff(build_plan(prev), build_plan(r))
            rep.apply([c.step for c in changes if c.step.op != "del-netns"], fresh=False)
            out.append(Step6(_rank(rep), _differs(str(name), rep, _fresh(r), set(r.lab.nodes)), _in_order(r, rep)))
        prev = r
    return out


def problem(r: Resolved) -> str | None:
    """Why the simulator cannot give the IPv6 verdicts of ``r``'s steps (None: it can):
    a state it refuses on its own (``ipv6.unsupported``), a bridge port that does not flood
    unknown unicast (the bridges' FDBs after a step are what DAD in a fresh world taught
    them, not what the kernel's kept), or addresses in another order than a fresh build's."""
    from ..resolve import resolve
    from ..steps import timeline as states
    from .ipv6 import unsupported

    line = [(name, resolve(lab)) for name, lab in states(r.lab)]
    for name, s in line:
        where = "in the lab as written" if name is None else f"after step {name!r}"
        why = unsupported(s)
        if why is not None:
            return f"{why} ({where})"
        if not s.uses_v6:
            continue
        for node, spec in s.lab.nodes.items():
            for ifname, i in spec.interfaces.items():
                port = getattr(i, "port", None)
                if port is not None and not port.flood:
                    return (
                        f"IPv6 in a lab with steps and a bridge port that does not flood unknown unicast "
                        f"({node}/{ifname}, {where}) is not simulated: after a step the simulator's bridges know "
                        "what duplicate address detection taught them in a fresh world, not what the kernel's kept"
                    )
        for node, spec in s.lab.nodes.items():
            nets = {
                ipaddress.IPv6Interface(a).network for i in spec.interfaces.values() for a in i.addresses if ":" in a
            }
            for rt in spec.routes:
                if rt.metric == 256 and ":" in rt.to and ipaddress.IPv6Network(rt.to) in nets:
                    return (
                        f"IPv6 in a lab with steps and a route of metric 256 to a prefix node {node} has an "
                        f"address in ({rt.to}, {where}): its place among the prefix routes after a step is "
                        "not simulated"
                    )
    if not any(s.uses_v6 for _, s in line):
        return None
    for st in timeline(line):
        if st.problem is not None:
            return st.problem
    return None


def dad_problem(world: object, name: str | None) -> str | None:
    """A state of a lab with steps where an address fails DAD: the kernel runs DAD only for
    the addresses a change adds again, the simulator's fresh world for all of them, so an
    address that failed (or passed) before a step need not do so again: refused."""
    from .world import World

    assert isinstance(world, World)
    for node, st in world.stacks.items():
        if st.v6 is not None and st.v6.dad_failed:
            (dev, ip), _ = next(iter(st.v6.dad_failed.items()))
            where = "in the lab as written" if name is None else f"after step {name!r}"
            return (
                f"IPv6 address {ipaddress.IPv6Address(ip)} on {node}/{dev.name} fails duplicate address detection "
                f"{where}, in a lab with steps: the kernel runs DAD again only for the addresses a step adds again "
                "(not simulated)"
            )
    return None
