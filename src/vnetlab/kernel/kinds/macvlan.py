"""macvlan and macvtap: created on the parent, in the parent's namespace, and
placed in the child's namespace by the same request (IFLA_NET_NS_FD), which is
what `ip link add link eth0 … ; ip link set mv0 netns ns1` does without a
temporary name. The mode is always explicit (the kernel's default is vepa)."""

from __future__ import annotations

from typing import Any

from ...model.kinds.macvlan import MacvlanLink
from ...plan.steps import Step
from ._common import Decoding, Executor, link_spec


def link_args(step: Step, ex: Executor) -> tuple[str, dict[str, Any]]:
    a = link_spec(step)
    f = a.fields
    assert isinstance(f, MacvlanLink) and a.parent is not None and a.parent_ns is not None
    k = a.kind
    kw: dict[str, Any] = {"ifname": step.obj, "kind": k, "link": ex.index(a.parent_ns, a.parent), f"{k}_mode": f.mode}
    if f.nopromisc:
        kw[f"{k}_flags"] = 1
    if a.mac:
        kw["address"] = a.mac
    if a.mtu:
        kw["mtu"] = a.mtu
    if a.parent_ns != step.ns:
        kw["net_ns_fd"] = ex.netns(step.ns)
    return a.parent_ns, kw


def after(step: Step, ex: Executor) -> None:
    """source mode: the list of accepted sender MACs (`macaddr add`)."""
    a = link_spec(step)
    assert isinstance(a.fields, MacvlanLink)
    k = a.kind
    for mac in a.fields.source_macs:
        ex.ipr(step.ns).link(
            "set", index=ex.index(step.ns, step.obj), kind=k, **{f"{k}_macaddr_mode": "add", f"{k}_macaddr": mac}
        )


KINDS = ("macvlan", "macvtap")
CONFIG = {"macvlan": "CONFIG_MACVLAN", "macvtap": "CONFIG_MACVTAP"}
DECODES = ("macvlan", "macvtap")
LINKED = "parent"
_MODES = {1: "private", 2: "vepa", 4: "bridge", 8: "passthru", 16: "source"}


def probe(h: Any, base: int, name: str, kind: str) -> bool:
    h.link("add", ifname=name, kind=kind, link=base)
    return True


def decode(ln: Any, d: Decoding) -> tuple[list[str], str | None]:
    k = ln.kind
    mode = ln.data.get(f"IFLA_{k.upper()}_MODE")
    mode = mode if isinstance(mode, str) else _MODES.get(mode or 0, "vepa")
    fields = [f"kind: {k}, parent: {d.ref(d.linked(ln))}, mode: {mode}"]
    flags = ln.data.get(f"IFLA_{k.upper()}_FLAGS")
    if mode == "passthru" and flags in (1, "nopromisc"):
        fields.append("nopromisc: true")
    macdata = ln.data.get(f"IFLA_{k.upper()}_MACADDR_DATA") or {}
    macs = [v for n, v in macdata.get("attrs", []) if n.endswith("_MACADDR")]
    if mode == "source" and macs:
        fields.append("source_macs: [" + ", ".join(f'"{m}"' for m in macs) + "]")
    return fields, None if mode == "passthru" else ln.mac
