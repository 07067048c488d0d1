"""The Graphviz text, read back by a real DOT parser (pydot), no `dot` binary needed.

tests/unit/test_dot.py renders with `dot` where it exists; this file checks, on every
lab and on the hostile-name labs, what the diagram promises: one cluster per node and
per switch, one record per interface showing its name, kind, mode, MAC and addresses,
an edge for every veth pair, parent→child, bridge→port, cable and guest, no edge to an
undeclared node, and one fill colour per broadcast domain.
"""

from __future__ import annotations

import re

import pydot
import pytest

from tests.conftest import LABS, ROOT
from vnetlab.export.dot import to_dot
from vnetlab.load import load_file
from vnetlab.resolve import Resolved, resolve

HOSTILE = sorted((ROOT / "tests" / "data" / "hostile").glob("*.yaml"))


def _unq(s: str | None) -> str:
    """A DOT ID as the user wrote it: quotes off, \\" back to "."""
    if s is None:
        return ""
    if len(s) >= 2 and s[0] == s[-1] == '"':
        s = s[1:-1].replace('\\"', '"')
    return s


def _fields(label: str) -> list[str]:
    """The fields of a record label "{a|b|c}", with the record escapes (\\| \\{ \\< ...) undone."""
    body = _unq(label)
    assert body.startswith("{") and body.endswith("}"), body
    return [re.sub(r"\\(.)", r"\1", f) for f in re.split(r"(?<!\\)\|", body[1:-1])]


def _walk(g: pydot.Dot | pydot.Subgraph):
    yield g
    for s in g.get_subgraphs():
        yield from _walk(s)


def _parse(r: Resolved):
    graphs = pydot.graph_from_dot_data(to_dot(r))
    assert graphs is not None and len(graphs) == 1
    g = graphs[0]
    clusters: dict[str, dict[str, pydot.Node]] = {}
    edges: list[tuple[str, str, str]] = []
    for s in _walk(g):
        nodes = {_unq(n.get_name()): n for n in s.get_nodes() if n.get_name() not in ("node", "edge", "graph")}
        if s is not g:
            clusters[_unq(s.get_name())] = nodes
        for e in s.get_edges():
            edges.append((_unq(e.get_source()), _unq(e.get_destination()), _unq(e.get("label"))))
    return g, clusters, edges


CASES = LABS + HOSTILE


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_dot_text_describes_the_lab(path) -> None:
    r = resolve(load_file(path).lab)
    g, clusters, edges = _parse(r)
    assert _unq(g.get_name()) == r.lab.lab

    # One cluster per node and per switch (plus the legend), nothing else.
    want_clusters = {f"cluster_node_{n}" for n in r.lab.nodes} | {f"cluster_switch_{s}" for s in r.lab.switches}
    assert set(clusters) == want_clusters | {"cluster_legend"}

    # Every interface is a record in its node's cluster: name, kind (and mode), MAC, addresses, DOWN.
    declared = {name for nodes in clusters.values() for name in nodes}
    for (node, ifname), i in r.ifaces.items():
        rec = clusters[f"cluster_node_{node}"].get(f"if/{node}/{ifname}")
        assert rec is not None, f"{node}/{ifname} missing from its node's cluster"
        fields = _fields(rec.get("label"))
        assert fields[0] == ifname
        assert fields[1].split()[0] == i.kind
        mode = getattr(i.spec, "mode", None)
        if mode:
            assert fields[1] == f"{i.kind} {mode}" + (f" {i.spec.flag}" if i.kind == "ipvlan" else "")
        assert fields[2] == i.mac
        if i.spec.addresses:
            assert fields[3].split("\n") == list(i.spec.addresses)
        assert (fields[-1] == "DOWN") == (not i.spec.up)
        assert ("dashed" in _unq(rec.get("style"))) == (not i.spec.up)

    # Edges: exactly the device graph, and never to an ID no record declares
    # (Graphviz would silently draw an empty node for it).
    want = set()
    for a, b in r.peer.items():
        want.add(("veth", frozenset((f"if/{a[0]}/{a[1]}", f"if/{b[0]}/{b[1]}"))))
    for c, p in r.parent.items():
        want.add(("parent", (f"if/{p[0]}/{p[1]}", f"if/{c[0]}/{c[1]}")))
    for port, m in r.master.items():
        want.add(("port", (f"if/{m[0]}/{m[1]}", f"if/{port[0]}/{port[1]}")))
    for k, sw in r.switch_of.items():
        want.add(("cable", (f"if/{k[0]}/{k[1]}", f"sw/{sw}/{r.switch_port_name(k)}")))
    for gi in r.guests.values():
        k = gi.device
        want.add(("fd", (f"guest/{gi.name}", f"if/{k[0]}/{k[1]}")))
    got = set()
    for src, dst, label in edges:
        assert src in declared and dst in declared, (src, dst, label)
        got.add((label, frozenset((src, dst)) if label == "veth" else (src, dst)))
    assert got == want
    veths = [e for e in edges if e[2] == "veth"]
    assert len(veths) == len(r.peer) // 2, "each veth pair is drawn once"

    # One fill colour per broadcast domain: same domain, same colour.
    colour_of: dict[int, str] = {}
    for key in r.ifaces:
        rec = clusters[f"cluster_node_{key[0]}"][f"if/{key[0]}/{key[1]}"]
        colour = _unq(rec.get("fillcolor"))
        assert colour_of.setdefault(r.domains.get(key, 0), colour) == colour, key


def test_macvlan_modes_diagram_text() -> None:
    """The lab the README shows: its switch, modes and hairpin are readable in the text itself."""
    r = resolve(load_file(ROOT / "labs" / "macvlan-modes.yaml").lab)
    _, clusters, edges = _parse(r)
    kinds = {_fields(n.get("label"))[1] for c in clusters.values() for n in c.values() if n.get("shape") == "record"}
    assert {"macvlan bridge", "macvlan private"} <= kinds
    assert ("if/bridge/eth0", "if/b1/mv0", "parent") in edges
    ports = clusters["cluster_switch_lan"]
    assert any("hairpin" in _fields(n.get("label")) for n in ports.values())
