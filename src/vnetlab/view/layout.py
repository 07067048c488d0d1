"""The lab's drawing as inline SVG, annotated for the page's script.

With Graphviz's `dot` installed, the DOT of ``export/dot.py`` is rendered by
it; otherwise a built-in column layout draws the same model (clusters per
node and switch, interfaces filled per broadcast domain, the same edges).
Either way every element the page highlights is tagged:

- ``data-node="NAME"`` on each node, switch and guest group, whose label holds
  a ``<tspan class="vn-name">NAME</tspan>`` (an element whose text is the name);
- ``data-dev="NODE/IF"`` on each interface and switch port, the device names
  trace hops use; ``<title>`` holds every attribute (the hover tooltip);
- ``data-a``/``data-b`` on each edge: the devices it joins.

The SVG is parsed and re-serialised with ElementTree, so any lab string in it
is XML-escaped text, never markup.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import xml.etree.ElementTree as ET
from typing import Any

from ..export.dot import _PALETTE, to_dot
from ..model.kinds import Ipvlan, Vlan, Vxlan
from ..resolve import IfKey, Resolved
from .data import safe

SVG_NS = "http://www.w3.org/2000/svg"
_S = "{" + SVG_NS + "}"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")


# -- what every drawing says about its parts ----------------------------------------------------


def _attrs_text(d: dict[str, Any], indent: str = "") -> list[str]:
    out = []
    for k, v in d.items():
        if isinstance(v, dict):
            out.append(f"{indent}{k}:")
            out += _attrs_text(v, indent + "  ")
        elif isinstance(v, list | tuple):
            out.append(f"{indent}{k}: {', '.join(str(x) for x in v) if v else '—'}")
        else:
            out.append(f"{indent}{k}: {v}")
    return out


def iface_title(r: Resolved, k: IfKey) -> str:
    i = r.ifaces[k]
    lines = [f"{k[0]}/{k[1]}", f"kind: {i.kind}", f"mac: {i.mac} ({i.mac_source})"]
    spec = i.spec.model_dump(mode="json", by_alias=True, exclude_none=True)
    spec.pop("kind", None)
    spec.pop("mac", None)
    lines += _attrs_text(spec)
    if k in r.peer:
        lines.append(f"veth peer: {'/'.join(r.peer[k])}")
    if k in r.master:
        lines.append(f"port of: {'/'.join(r.master[k])}")
    if k in r.switch_of:
        lines.append(f"cabled to: switch {r.switch_of[k]} port {r.switch_port_name(k)}")
    lines.append(f"broadcast domain: {r.domains.get(k, 0)}")
    if i.implicit:
        lines.append("implicit (created by vnetlab)")
    return "\n".join(lines)


def node_title(r: Resolved, node: str) -> str:
    spec = r.lab.nodes[node].model_dump(mode="json", by_alias=True, exclude_none=True)
    spec.pop("interfaces", None)
    lines = [f"node {node}", f"netns: {r.netns(node)}", f"interfaces: {', '.join(i.name for i in r.node_ifaces(node))}"]
    return "\n".join(lines + _attrs_text(spec))


def switch_title(r: Resolved, sw: str) -> str:
    spec = r.lab.switches[sw].model_dump(mode="json", by_alias=True, exclude_none=True)
    ports = [f"{r.switch_port_name(k)} ← {k[0]}/{k[1]}" for k in r.switch_ports.get(sw, [])]
    return "\n".join([f"switch {sw}", f"netns: {r.netns(sw)}", *_attrs_text(spec), "ports:", *ports])


def guest_title(r: Resolved, name: str) -> str:
    g = r.guests[name]
    spec = g.guest.model_dump(mode="json", by_alias=True, exclude_none=True)
    spec.pop("name", None)
    return "\n".join(
        [f"guest {name}", f"device: {'/'.join(g.device)}", f"mac: {g.mac} ({g.mac_source})", *_attrs_text(spec)]
    )


def _gv_ids(r: Resolved) -> dict[str, tuple[str, str]]:
    """Graphviz node id -> (attribute, value) for the page: data-dev or data-node (both as the
    page shows lab strings: control characters as visible escapes, like the traces' device names)."""
    return {safe(k): (a, safe(v)) for k, (a, v) in _raw_ids(r).items()}


def _raw_ids(r: Resolved) -> dict[str, tuple[str, str]]:
    ids: dict[str, tuple[str, str]] = {}
    for k in r.ifaces:
        ids[f"if/{k[0]}/{k[1]}"] = ("data-dev", f"{k[0]}/{k[1]}")
    for sw in r.lab.switches:
        for k in r.switch_ports.get(sw, []):
            ids[f"sw/{sw}/{r.switch_port_name(k)}"] = ("data-dev", f"{sw}/{r.switch_port_name(k)}")
    for g in r.guests:
        ids[f"guest/{g}"] = ("data-node", g)
    return ids


def _titles(r: Resolved) -> dict[str, str]:
    return {safe(k): safe(v, keep_newlines=True) for k, v in _raw_titles(r).items()}


def _raw_titles(r: Resolved) -> dict[str, str]:
    t: dict[str, str] = {}
    for k in r.ifaces:
        t[f"if/{k[0]}/{k[1]}"] = iface_title(r, k)
    for sw in r.lab.switches:
        for k in r.switch_ports.get(sw, []):
            t[f"sw/{sw}/{r.switch_port_name(k)}"] = (
                f"{sw}/{r.switch_port_name(k)}\nport of switch {sw}\ncabled to {k[0]}/{k[1]}"
            )
        t[f"cluster_switch_{sw}"] = switch_title(r, sw)
    for n in r.lab.nodes:
        t[f"cluster_node_{n}"] = node_title(r, n)
    for g in r.guests:
        t[f"guest/{g}"] = guest_title(r, g)
    return t


# -- Graphviz -----------------------------------------------------------------------------------


def have_dot() -> bool:
    return shutil.which("dot") is not None


def _name_label(text_el: ET.Element, prefix: str, name: str) -> None:
    """Split a label "node NAME (...)" so that NAME is a tspan of its own."""
    full = text_el.text or ""
    rest = full[len(prefix) + len(name) :] if full.startswith(prefix + name) else ""
    text_el.text = prefix
    for c in list(text_el):
        text_el.remove(c)
    sp = ET.SubElement(text_el, _S + "tspan", {"class": "vn-name"})
    sp.text = name
    sp.tail = rest


def svg_dot(r: Resolved) -> str:
    exe = shutil.which("dot")
    assert exe is not None
    proc = subprocess.run([exe, "-Tsvg"], input=to_dot(r).encode(), capture_output=True, check=True)
    # Lab strings in labels may hold control characters, which XML cannot: shown as escapes.
    root = ET.fromstring(safe(proc.stdout.decode("utf-8", errors="replace"), keep_newlines=True))
    ids = _gv_ids(r)
    titles = _titles(r)
    clusters = {f"cluster_node_{n}": ("node ", n) for n in r.lab.nodes}
    clusters |= {f"cluster_switch_{s}": ("switch ", s) for s in r.lab.switches}
    for g in root.iter(_S + "g"):
        cls = g.get("class", "")
        title = g.find(_S + "title")
        if title is None or title.text is None:
            continue
        gid = title.text
        if cls == "cluster" and gid in clusters:
            prefix, name = clusters[gid]
            g.set("data-node", name)
            g.set("data-kind", prefix.strip())
            label = g.find(_S + "text")
            if label is not None:
                _name_label(label, prefix, name)
            title.text = titles.get(gid, gid)
        elif cls == "node" and gid in ids:
            attr, val = ids[gid]
            g.set(attr, val)
            if attr == "data-node":  # a guest: its first text line is "guest NAME"
                g.set("data-kind", "guest")
                label = g.find(_S + "text")
                if label is not None:
                    _name_label(label, "guest ", val)
            title.text = titles.get(gid, gid)
        elif cls == "edge":
            for sep in ("->", "--"):
                parts = gid.split(sep)
                for cut in range(1, len(parts)):
                    a, b = sep.join(parts[:cut]), sep.join(parts[cut:])
                    if a in ids and b in ids:
                        g.set("data-a", ids[a][1])
                        g.set("data-b", ids[b][1])
                        break
    root.attrib.pop("width", None)
    root.attrib.pop("height", None)
    root.set("id", "drawing-svg")
    root.set("role", "img")
    root.set("aria-label", f"topology of lab {r.lab.lab}")
    return ET.tostring(root, encoding="unicode")


# -- the built-in layout (no Graphviz) ----------------------------------------------------------

_IF_W, _IF_H, _GAP, _HEAD = 190, 46, 10, 26


def _iface_lines(r: Resolved, k: IfKey) -> list[str]:
    i = r.ifaces[k]
    mode = getattr(i.spec, "mode", None)
    kind = i.kind + (f" {mode}" if mode else "")
    s = i.spec
    if isinstance(s, Ipvlan):
        kind += f" {s.flag}"
    if isinstance(s, Vlan):
        kind = f"vlan {s.protocol} id {s.id}"
    if isinstance(s, Vxlan):
        kind = f"vxlan vni {s.vni}"
    addrs = list(i.spec.addresses)
    a = addrs[0] + (f" +{len(addrs) - 1}" if len(addrs) > 1 else "") if addrs else ("DOWN" if not i.spec.up else "")
    return [i.name, kind, a]


def svg_builtin(r: Resolved) -> str:
    doms = r.domains
    titles = _raw_titles(r)  # (the whole SVG is made safe at the end)
    # boxes: (kind, name, [(gv id, data attr, value, lines, fill)])
    boxes: list[tuple[str, str, list[tuple[str, str, str, list[str], str]]]] = []
    for sw in r.lab.switches:
        fill = _PALETTE[doms.get(f"switch:{sw}", 0) % len(_PALETTE)]
        items = []
        for k in r.switch_ports.get(sw, []):
            p = r.switch_port_name(k)
            items.append((f"sw/{sw}/{p}", "data-dev", f"{sw}/{p}", [p, f"to {k[0]}/{k[1]}"], fill))
        boxes.append(("switch", sw, items))
    for n in r.lab.nodes:
        items = []
        for i in r.node_ifaces(n):
            fill = _PALETTE[doms.get(i.key, 0) % len(_PALETTE)]
            items.append((f"if/{n}/{i.name}", "data-dev", f"{n}/{i.name}", _iface_lines(r, i.key), fill))
            g = getattr(i.spec, "guest", None)
            if g is not None:
                ga = list(g.addresses)
                items.append((f"guest/{g.name}", "data-node", g.name, [f"guest {g.name}", *ga[:1]], fill))
        boxes.append(("node", n, items))
    # Switches first (their ports stacked side by side need width), then nodes in a grid.
    cols = max(1, math.ceil(math.sqrt(len(boxes) * 1.6)))
    bw = _IF_W + 2 * _GAP
    pos: dict[str, tuple[float, float]] = {}  # gv id -> centre
    root = ET.Element(_S + "svg", {"id": "drawing-svg", "role": "img", "aria-label": f"topology of lab {r.lab.lab}"})
    ET.SubElement(root, _S + "title").text = f"lab {r.lab.lab}"
    edges_g = ET.SubElement(root, _S + "g", {"class": "edges"})
    x0, y0 = 10.0, 40.0
    ET.SubElement(root, _S + "text", {"x": "10", "y": "24", "font-size": "16"}).text = f"lab {r.lab.lab}"
    row_h = 0.0
    for idx, (kind, name, items) in enumerate(boxes):
        col = idx % cols
        if col == 0 and idx:
            y0 += row_h + 30
            row_h = 0.0
        x = x0 + col * (bw + 30)
        h = _HEAD + len(items) * (_IF_H + _GAP) + _GAP
        row_h = max(row_h, h)
        cg = ET.SubElement(root, _S + "g", {"class": "cluster", "data-node": name, "data-kind": kind})
        ET.SubElement(cg, _S + "title").text = titles.get(f"cluster_{kind}_{name}", name)
        ET.SubElement(
            cg,
            _S + "rect",
            {
                "x": f"{x}",
                "y": f"{y0}",
                "width": f"{bw}",
                "height": f"{h}",
                "rx": "6",
                "fill": "#eeeeee" if kind == "switch" else "none",
                "stroke": "black",
            },
        )
        t = ET.SubElement(cg, _S + "text", {"x": f"{x + bw / 2}", "y": f"{y0 + 17}", "text-anchor": "middle"})
        t.text = f"{kind} "
        ET.SubElement(t, _S + "tspan", {"class": "vn-name"}).text = name
        for j, (gid, attr, val, lines, fill) in enumerate(items):
            iy = y0 + _HEAD + j * (_IF_H + _GAP)
            ix = x + _GAP
            ng = ET.SubElement(root, _S + "g", {"class": "node", attr: val})
            if attr == "data-node":
                ng.set("data-kind", "guest")
            ET.SubElement(ng, _S + "title").text = titles.get(gid, val)
            ET.SubElement(
                ng,
                _S + "rect",
                {
                    "x": f"{ix}",
                    "y": f"{iy}",
                    "width": f"{_IF_W}",
                    "height": f"{_IF_H}",
                    "fill": fill,
                    "stroke": "black",
                    "rx": "8" if attr == "data-node" else "0",
                },
            )
            for li, line in enumerate(lines):
                te = ET.SubElement(
                    ng,
                    _S + "text",
                    {"x": f"{ix + _IF_W / 2}", "y": f"{iy + 13 + li * 13}", "text-anchor": "middle", "font-size": "10"},
                )
                if attr == "data-node" and li == 0:
                    te.text = "guest "
                    ET.SubElement(te, _S + "tspan", {"class": "vn-name"}).text = val
                else:
                    te.text = line
            pos[gid] = (ix + _IF_W / 2, iy + _IF_H / 2)
    width = x0 + cols * (bw + 30)
    height = y0 + row_h + 20
    root.set("viewBox", f"0 0 {width:.0f} {height:.0f}")
    ids = _raw_ids(r)

    def edge(a: str, b: str, style: dict[str, str]) -> None:
        if a not in pos or b not in pos:
            return
        eg = ET.SubElement(edges_g, _S + "g", {"class": "edge", "data-a": ids[a][1], "data-b": ids[b][1]})
        (ax, ay), (bx, by) = pos[a], pos[b]
        ET.SubElement(
            eg, _S + "line", {"x1": f"{ax}", "y1": f"{ay}", "x2": f"{bx}", "y2": f"{by}", "stroke": "#555", **style}
        )

    done: set[frozenset[IfKey]] = set()
    for a, b in r.peer.items():
        if frozenset((a, b)) not in done:
            done.add(frozenset((a, b)))
            edge(f"if/{a[0]}/{a[1]}", f"if/{b[0]}/{b[1]}", {"stroke-width": "3"})
    for ck, pk in r.parent.items():
        edge(f"if/{pk[0]}/{pk[1]}", f"if/{ck[0]}/{ck[1]}", {"stroke-dasharray": "5,3"})
    for pk, m in r.master.items():
        edge(f"if/{m[0]}/{m[1]}", f"if/{pk[0]}/{pk[1]}", {"stroke-width": "2"})
    for k, sw in r.switch_of.items():
        edge(f"if/{k[0]}/{k[1]}", f"sw/{sw}/{r.switch_port_name(k)}", {"stroke": "#999", "stroke-width": "2"})
    for g, gi in r.guests.items():
        edge(f"guest/{g}", f"if/{gi.device[0]}/{gi.device[1]}", {"stroke-dasharray": "1,3"})
    return safe(ET.tostring(root, encoding="unicode"), keep_newlines=True)


def drawing(r: Resolved, engine: str = "auto") -> tuple[str, str]:
    """(SVG markup, the engine that drew it: "dot" or "builtin")."""
    if engine == "dot" or (engine == "auto" and have_dot()):
        try:
            return svg_dot(r), "dot"
        except (subprocess.CalledProcessError, ET.ParseError):
            if engine == "dot":
                raise
    return svg_builtin(r), "builtin"
