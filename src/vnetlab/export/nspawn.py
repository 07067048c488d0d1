"""The lab as systemd-nspawn machines: a NODE.nspawn file per container node
and the .network/.netdev files systemd-networkd reads inside it.

nspawn connects a container to *the host* only, so the nodes split in two:
hosts (a node that holds the parent of another node's macvlan/ipvlan, a
bridge with another node's veth on it, or the far ends of several nodes'
veths; else, of a veth pair between two plain nodes, the side named
``ve-OTHER``, else the one written first) and containers, each with a
.nspawn file whose [Network] section says what nspawn creates:

* ``VirtualEthernet=yes``: a veth ``host0`` inside, ``ve-NODE`` on the host
  (exactly, where the lab names them so);
* ``Bridge=BR``: the same veth, its host side (``vb-NODE``) a port of BR
  (the first of the node's veths whose host side is a bridge port);
* ``VirtualEthernetExtra=HOST:INSIDE``: every other veth to the host, names kept;
* ``MACVLAN=PARENT`` / ``IPVLAN=PARENT``: a child ``mv-PARENT`` / ``iv-PARENT``;
* ``Interface=NIC``: a NIC moved in from the host.

The files inside are export/networkd.py's, called, not copied: the .netdev of
a device nspawn creates is dropped, and a device nspawn names its own way
gets its [Match] Name= changed to that name. What nspawn cannot express
(a macvlan mode other than bridge, an ipvlan mode other than L2, macvtap, a
veth between two containers, a host's own configuration) is said in a note.
A host node's own files are networkd's (`export --format networkd`).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from ..model.kinds import Ipvlan
from ..resolve import IfKey, Resolved
from . import networkd


def _hosts(r: Resolved) -> tuple[set[str], list[str]]:
    hosts: set[str] = set()
    notes: list[str] = []
    cross: dict[str, set[str]] = {}
    for c, p in r.parent.items():
        if c[0] != p[0]:
            hosts.add(p[0])
    for a, b in r.peer.items():
        if a[0] != b[0]:
            cross.setdefault(a[0], set()).add(b[0])
            if a in r.master:
                hosts.add(a[0])
    hosts |= {n for n, others in cross.items() if len(others) > 1}
    for a, b in sorted(r.peer.items()):
        if a[0] == b[0] or a[0] in hosts or b[0] in hosts:
            continue
        if a[1] in (f"ve-{b[0]}", f"vb-{b[0]}"):
            hosts.add(a[0])
        elif b[1] in (f"ve-{a[0]}", f"vb-{a[0]}"):
            hosts.add(b[0])
        else:
            first = min((a[0], b[0]), key=list(r.lab.nodes).index)
            hosts.add(first)
            notes.append(f"{first} is taken as the host of its veth to {b[0] if first == a[0] else a[0]}")
    return hosts, notes


def _machine(r: Resolved, node: str, hosts: set[str]) -> tuple[list[str], dict[str, str | None], list[str]]:
    """([Network] lines, {ifname: name inside or None where nspawn creates it under its own name}, notes)."""
    keys: list[str] = ["Private=yes"]
    made: dict[str, str | None] = {}
    notes: list[str] = []
    bridged = False
    for i in r.node_ifaces(node):
        k: IfKey = i.key
        if i.kind == "veth" and r.peer[k][0] != node:
            host, hname = r.peer[k]
            if host not in hosts:
                notes.append(
                    f"{node}/{i.name}: a veth to another container ({host}): nspawn connects containers to the host only"
                )
                continue
            hm = r.master.get(r.peer[k])
            if i.name == "host0" and hname == f"ve-{node}" and hm is None:
                keys.append("VirtualEthernet=yes")
                made[i.name] = None
            elif hm is not None and not bridged:
                bridged = True
                keys.append(f"Bridge={hm[1]}")
                made[i.name] = "host0"
                notes.append(
                    f"{node}/{i.name}: nspawn names it host0 inside and vb-{node} on {host} (the lab: {hname}), a port of {hm[1]}"
                )
            else:
                keys.append(f"VirtualEthernetExtra={hname}:{i.name}")
                made[i.name] = None
                if hm is not None:
                    notes.append(f"{host}/{hname}: nspawn does not bridge extra veths: add it to {hm[1]} on the host")
        elif i.kind in ("macvlan", "ipvlan", "macvtap") and k in r.parent and r.parent[k][0] != node:
            host, pname = r.parent[k]
            if i.kind == "macvtap":
                notes.append(f"{node}/{i.name}: nspawn cannot give a container a macvtap device")
                continue
            key, prefix, want = ("MACVLAN", "mv", "bridge") if i.kind == "macvlan" else ("IPVLAN", "iv", "l2")
            keys.append(f"{key}={pname}")
            made[i.name] = f"{prefix}-{pname}"
            mode = getattr(i.spec, "mode", None)  # macvlan's or ipvlan's
            if mode != want:
                notes.append(f"{node}/{i.name}: nspawn makes {i.kind} mode {want}, the lab has {mode}")
            if isinstance(i.spec, Ipvlan) and i.spec.flag != "bridge":
                notes.append(f"{node}/{i.name}: nspawn sets no ipvlan flag (bridge), the lab has {i.spec.flag}")
            notes.append(f"{node}/{i.name}: nspawn names it {prefix}-{pname} inside")
        elif i.kind == "nic":
            keys.append(f"Interface={i.name}")
            made[i.name] = i.name
            notes.append(f"{node}/{i.name}: a NIC of the host moved into the container (it must exist on the host)")
    return keys, made, notes


def _inside(r: Resolved, node: str, made: dict[str, str | None]) -> dict[str, str]:
    out: dict[str, str] = {}
    for path, text in networkd.files(r).items():
        n, _, rest = path.partition("/")
        if n != node:
            continue
        m = re.fullmatch(r"\d+-(.+)\.(netdev|network)", rest)
        ifname, ext = (m.group(1), m.group(2)) if m else ("", "")
        if ifname in made and ext == "netdev":
            continue  # nspawn creates it
        new = made.get(ifname)
        if ext == "network" and new and new != ifname:
            text = text.replace(f"[Match]\nName={ifname}\n", f"[Match]\nName={new}\n", 1)
        out[path] = text
    return out


def files(r: Resolved) -> tuple[dict[str, str], list[str]]:
    """({"NODE.nspawn" or "NODE/NN-IF.network": text}, notes)."""
    hosts, notes = _hosts(r)
    out: dict[str, str] = {}
    for node in r.lab.nodes:
        if node in hosts:
            notes.append(
                f"{node} is a host (it holds other nodes' parents, bridges or veth ends): its own files are networkd's"
            )
            continue
        keys, made, n = _machine(r, node, hosts)
        notes += n
        out[f"{node}.nspawn"] = "\n".join(["[Network]", *keys]) + "\n"
        out.update(_inside(r, node, made))
    notes += [n for n in networkd.notes(r)[1:] if "another node" not in n and "lives in another node" not in n]
    return out, notes


def to_text(r: Resolved) -> str:
    fs, notes = files(r)
    parts = ["# systemd-nspawn machines for lab " + r.lab.lab, *(f"# note: {n}" for n in notes), ""]
    for path, text in fs.items():
        parts += [f"### {path}", text]
    return "\n".join(parts)


def export_to(r: Resolved, output: Path | None) -> str | None:
    """The text for stdout, or (with ``output``, a directory) the files written there."""
    if output is None:
        return to_text(r)
    fs, _ = files(r)
    for rel, body in fs.items():
        (output / rel).parent.mkdir(parents=True, exist_ok=True)
        (output / rel).write_text(body)
    print(f"wrote {len(fs)} files under {output}/", file=sys.stderr)
    return None
