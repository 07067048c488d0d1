"""ipvlan: mode (l2, l3, l3s) and flag (bridge, private, vepa) of the parent's port.

pyroute2's ipvlan attribute table knows only IFLA_IPVLAN_MODE; the flags
attribute (IFLA_IPVLAN_FLAGS, include/uapi/linux/if_link.h) is added here."""

from __future__ import annotations

from typing import Any

from pyroute2.netlink.rtnl.ifinfmsg.plugins import ipvlan as _plugin

from ...model.kinds.ipvlan import IpvlanLink
from ...plan.steps import Step
from ._common import Decoding, Executor, link_spec

if not any(n == "IFLA_IPVLAN_FLAGS" for n, _ in _plugin.ipvlan.nla_map):
    _plugin.ipvlan.nla_map = (*_plugin.ipvlan.nla_map, ("IFLA_IPVLAN_FLAGS", "uint16"))

MODES = {"l2": 0, "l3": 1, "l3s": 2}
FLAGS = {"bridge": 0, "private": 1, "vepa": 2}


def link_args(step: Step, ex: Executor) -> tuple[str, dict[str, Any]]:
    a = link_spec(step)
    f = a.fields
    assert isinstance(f, IpvlanLink) and a.parent is not None and a.parent_ns is not None
    kw: dict[str, Any] = {
        "ifname": step.obj,
        "kind": "ipvlan",
        "link": ex.index(a.parent_ns, a.parent),
        "ipvlan_mode": MODES[f.mode],
        "ipvlan_flags": FLAGS[f.flag],
    }
    if a.mtu:
        kw["mtu"] = a.mtu
    if a.parent_ns != step.ns:
        kw["net_ns_fd"] = ex.netns(step.ns)
    return a.parent_ns, kw


KINDS = ("ipvlan",)
CONFIG = {"ipvlan": "CONFIG_IPVLAN"}
DECODES = ("ipvlan",)
LINKED = "parent"
_MODE_NAMES = {v: k for k, v in MODES.items()}
_FLAG_NAMES = {v: k for k, v in FLAGS.items()}


def probe(h: Any, base: int, name: str, kind: str) -> bool:
    """On a parent of its own: a macvlan probe may hold the base's rx_handler."""
    h.link("add", ifname=f"{name}p", kind="veth", peer={"ifname": f"{name}q"})
    h.link("add", ifname=name, kind="ipvlan", link=h.link_lookup(ifname=f"{name}p")[0], ipvlan_mode=0)
    return True


def decode(ln: Any, d: Decoding) -> tuple[list[str], str | None]:
    mode = _MODE_NAMES.get(ln.data.get("IFLA_IPVLAN_MODE", 1), "l3")
    flag = _FLAG_NAMES.get(ln.data.get("IFLA_IPVLAN_FLAGS", 0), "bridge")
    return [f"kind: ipvlan, parent: {d.ref(d.linked(ln))}, mode: {mode}, flag: {flag}"], None
