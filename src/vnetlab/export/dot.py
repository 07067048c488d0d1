"""The lab as a Graphviz diagram.

One cluster per node and per switch; every interface is a record showing its
kind, mode and addresses; edges show veth peers, parent→child stacking,
bridge ports and the cables between nics and switch ports. Interfaces are
filled with one colour per broadcast domain, so what can hear whose
broadcasts is visible at a glance.
"""

from __future__ import annotations

import graphviz  # type: ignore[import-untyped]  # the graphviz package ships no type hints

from ..resolve import IfKey, Resolved
from .kinds import EXPORT_KINDS

_PALETTE = ["#cfe8fc", "#fde2c8", "#d9f2d0", "#f4d0e8", "#fff3b0", "#e0d7f7", "#d0f0ef", "#f7d6d0"]


_LEGEND = (
    "thick line: veth pair    dashed arrow: parent → child    bold: bridge → port\\l"
    "grey: cable nic ↔ switch port    dotted: guest on its device's descriptor\\l"
    "fill colour: broadcast domain (same colour = can hear each other's broadcasts, subject to mode)\\l"
    "macvlan/macvtap modes: private = no sibling traffic, returned broadcasts go back only to the sender\\l"
    "  vepa = everything to the wire (siblings meet only via a hairpin port)   bridge = local switching between bridge siblings\\l"
    "  passthru = one child takes the NIC   source = only frames from listed sender MACs\\l"
    "ipvlan: children share the parent's MAC; l2 answers ARP, l3/l3s never do\\l"
)


def _esc(text: str) -> str:
    for ch in '\\{}|<>"':
        text = text.replace(ch, "\\" + ch)
    return text


def _id(k: IfKey) -> str:
    return f"if/{k[0]}/{k[1]}"


def to_graph(r: Resolved) -> graphviz.Digraph:
    g = graphviz.Digraph(
        r.lab.lab,
        graph_attr={
            "rankdir": "TB",
            "fontname": "Helvetica",
            "label": f"lab {r.lab.lab}",
            "labelloc": "t",
            "compound": "true",
        },
        node_attr={"fontname": "Helvetica", "fontsize": "10"},
        edge_attr={"fontname": "Helvetica", "fontsize": "9"},
    )
    doms = r.domains
    for sw, spec in r.lab.switches.items():
        with g.subgraph(name=f"cluster_switch_{sw}") as c:
            flags = ", ".join(f for f, on in (("hairpin", spec.hairpin), ("vlan_filtering", spec.vlan_filtering)) if on)
            c.attr(label=f"switch {sw}" + (f" ({flags})" if flags else ""), style="rounded,filled", fillcolor="#eeeeee")
            color = _PALETTE[doms.get(f"switch:{sw}", 0) % len(_PALETTE)]
            for k in r.switch_ports.get(sw, []):
                port = r.switch_port_name(k)
                opts = r.ifaces[k].spec.port
                extra = []
                if opts is not None and spec.hairpin is False and opts.hairpin:
                    extra.append("hairpin")
                if spec.hairpin:
                    extra.append("hairpin")
                label = (
                    "{"
                    + _esc(port)
                    + "|"
                    + _esc(f"to {k[0]}/{k[1]}")
                    + ("|" + _esc(", ".join(extra)) if extra else "")
                    + "}"
                )
                c.node(f"sw/{sw}/{port}", label=label, shape="record", style="filled", fillcolor=color)
    for node in r.lab.nodes:
        with g.subgraph(name=f"cluster_node_{node}") as c:
            c.attr(label=f"node {node} (netns {r.netns(node)})", style="rounded")
            for i in r.node_ifaces(node):
                parts = [_esc(i.name), _esc(EXPORT_KINDS[i.kind].dot_label(i))]
                parts.append(_esc(i.mac))
                if i.spec.addresses:
                    parts.append(_esc("\n".join(i.spec.addresses)))
                if not i.spec.up:
                    parts.append("DOWN")
                color = _PALETTE[doms.get(i.key, 0) % len(_PALETTE)]
                c.node(
                    _id(i.key),
                    label="{" + "|".join(parts) + "}",
                    shape="record",
                    style="filled" + ("" if i.spec.up else ",dashed"),
                    fillcolor=color,
                )
                guest = getattr(i.spec, "guest", None)
                if guest is not None:
                    gi = r.guests[guest.name]
                    glabel = (
                        "{"
                        + "|".join(
                            [
                                _esc(f"guest {guest.name}"),
                                _esc(gi.mac),
                                *([_esc("\n".join(guest.addresses))] if guest.addresses else []),
                            ]
                        )
                        + "}"
                    )
                    c.node(f"guest/{guest.name}", label=glabel, shape="record", style="filled,rounded", fillcolor=color)
                    g.edge(f"guest/{guest.name}", _id(i.key), label="fd", style="dotted", dir="none")
    with g.subgraph(name="cluster_legend") as c:
        c.attr(label="legend", style="dashed", fontsize="9")
        c.node("legend/lines", shape="plaintext", fontsize="8", label=_LEGEND)
    done: set[frozenset[IfKey]] = set()
    for a, b in r.peer.items():
        pair = frozenset((a, b))
        if pair not in done:
            done.add(pair)
            g.edge(_id(a), _id(b), label="veth", dir="none", penwidth="2")
    for child, parent in r.parent.items():
        g.edge(_id(parent), _id(child), label="parent", style="dashed")
    for pk, master in r.master.items():
        g.edge(_id(master), _id(pk), label="port", style="bold", arrowhead="none")
    for k, sw in r.switch_of.items():
        g.edge(_id(k), f"sw/{sw}/{r.switch_port_name(k)}", label="cable", dir="none", color="#555555", penwidth="2")
    return g


def to_dot(r: Resolved) -> str:
    return str(to_graph(r).source)
