"""The normalised lab as JSON: every default filled in, every derived value shown.

This is what both backends see, so it is the first thing to look at when a
backend does something unexpected.
"""

from __future__ import annotations

import json
from typing import Any

from ..model.derive import switch_bridge_name
from ..model.guest import Guest
from ..resolve import Resolved


def normalised(r: Resolved) -> dict[str, Any]:
    lab = r.lab
    doms = r.domains
    out: dict[str, Any] = {
        "format": 1,
        "lab": lab.lab,
        "description": lab.description,
        "switches": {},
        "nodes": {},
        "guests": {},
        "expect": [e.model_dump(by_alias=True) for e in lab.expect],
    }
    for name, sw in lab.switches.items():
        out["switches"][name] = {
            **sw.model_dump(),
            "netns": r.netns(name),
            "bridge": switch_bridge_name(),
            "ports": {r.switch_port_name(k): f"{k[0]}/{k[1]}" for k in r.switch_ports.get(name, [])},
            "domain": doms.get(f"switch:{name}"),
        }
    for node, n in lab.nodes.items():
        ifaces: dict[str, Any] = {}
        for i in r.node_ifaces(node):
            d = i.spec.model_dump(exclude={"guest"})
            d["mac"] = i.mac
            d["mac_source"] = i.mac_source
            d["mtu"] = i.spec.mtu or 1500
            if i.implicit:
                d["implicit"] = True
            if i.key in r.parent:
                p = r.parent[i.key]
                d["parent"] = f"{p[0]}/{p[1]}"
            if i.key in r.peer:
                p = r.peer[i.key]
                d["peer"] = f"{p[0]}/{p[1]}"
            if i.key in r.switch_of:
                d["switch_port"] = r.switch_port_name(i.key)
            guest: Guest | None = getattr(i.spec, "guest", None)  # the kinds a guest can hold
            if guest is not None:
                d["guest"] = guest.name
            d["domain"] = doms.get(i.key)
            ifaces[i.name] = d
        out["nodes"][node] = {
            "netns": r.netns(node),
            "interfaces": ifaces,
            "routes": [x.model_dump() for x in n.routes],
            "neighbors": [x.model_dump() for x in n.neighbors],
            "sysctl": dict(n.sysctl),
        }
    for name, g in r.guests.items():
        out["guests"][name] = {
            **g.guest.model_dump(),
            "mac": g.mac,
            "mac_source": g.mac_source,
            "device": f"{g.device[0]}/{g.device[1]}",
            "domain": doms.get(f"guest:{name}"),
        }
    return out


def to_json(r: Resolved) -> str:
    return json.dumps(normalised(r), indent=2) + "\n"
