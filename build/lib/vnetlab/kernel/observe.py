"""Read a namespace's live links back: kind, mode, parent, master, state, carrier, addresses."""

from __future__ import annotations

from typing import Any

from pyroute2 import IPRoute

from . import nsutil

_MACVLAN_MODES = {1: "private", 2: "vepa", 4: "bridge", 8: "passthru", 16: "source"}


def observe_ns(netns: str) -> list[dict[str, Any]]:
    out = []
    with nsutil.inside(netns), IPRoute() as h:
        links = h.get_links()
        names = {ln["index"]: ln.get_attr("IFLA_IFNAME") for ln in links}
        addrs: dict[int, list[str]] = {}
        for a in h.get_addr():
            addrs.setdefault(a["index"], []).append(f"{a.get_attr('IFA_ADDRESS')}/{a['prefixlen']}")
        for ln in links:
            info = ln.get_attr("IFLA_LINKINFO")
            kind = info.get_attr("IFLA_INFO_KIND") if info else None
            mode = None
            if info is not None and kind in ("macvlan", "macvtap"):
                data = info.get_attr("IFLA_INFO_DATA")
                m = data.get_attr(f"IFLA_{kind.upper()}_MODE") if data else None
                mode = m if isinstance(m, str) else _MACVLAN_MODES.get(m or 0)
            parent = ln.get_attr("IFLA_LINK")
            master = ln.get_attr("IFLA_MASTER")
            out.append(
                {
                    "interface": names[ln["index"]],
                    "kind": kind or ("loopback" if names[ln["index"]] == "lo" else "device"),
                    "mode": mode,
                    "parent": _parent(kind, parent, ln.get_attr("IFLA_LINK_NETNSID"), names),
                    "master": names.get(master) if master else None,
                    "state": ln.get_attr("IFLA_OPERSTATE"),
                    "up": bool(ln["flags"] & 1),
                    "carrier": bool(ln.get_attr("IFLA_CARRIER")),
                    "mac": ln.get_attr("IFLA_ADDRESS"),
                    "addresses": addrs.get(ln["index"], []),
                }
            )
    return out


def _parent(kind: str | None, parent: int | None, netnsid: int | None, names: dict[int, str]) -> str | None:
    """The lower device of a stacked kind, as `ip link` shows it (name, or @ifN in another namespace)."""
    if kind not in ("macvlan", "macvtap", "ipvlan", "vlan") or not parent:
        return None
    if netnsid is None:
        return names.get(parent)
    return f"@if{parent} (netnsid {netnsid})"
