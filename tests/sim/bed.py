"""The test bed of kernel-semantics §4, as lab text.

A switch ``sw``; the host's NIC ``host/eth0`` (192.0.2.1, the macvlan or
ipvlan parent) on a port whose hairpin is toggled; a peer on another port
(192.0.2.100); children ``a`` and ``b`` (192.0.2.11/.12) in their own nodes.
"""

from __future__ import annotations

from vnetlab import load_text
from vnetlab.sim import Simulator

MAC = {"host": "02:00:00:00:00:01", "peer": "02:00:00:00:00:64", "a": "02:00:00:00:00:0a", "b": "02:00:00:00:00:0b"}
IP = {"host": "192.0.2.1", "peer": "192.0.2.100", "a": "192.0.2.11", "b": "192.0.2.12"}


def bed(
    a: str | None,
    b: str | None = None,
    *,
    hairpin: bool = False,
    kind: str = "macvlan",
    static: tuple[tuple[str, str], ...] = (),
    extra_a: str = "",
    extra_b: str = "",
    peer_extra: str = "",
) -> Simulator:
    """``a``/``b`` are modes (None: no such child); ``static`` lists (node, neighbour) entries."""
    neigh: dict[str, list[str]] = {}
    for n, other in static:
        dev = "eth0" if n in ("host", "peer") else "c0"
        mac = MAC["host"] if kind == "ipvlan" and other in ("a", "b") else MAC[other]  # ipvlan children share it
        neigh.setdefault(n, []).append(f'      - {{address: {IP[other]}, lladdr: "{mac}", dev: {dev}}}')

    def neighbors(n: str) -> str:
        return ("    neighbors:\n" + "\n".join(neigh[n]) + "\n") if n in neigh else ""

    def child(n: str, mode: str | None, extra: str) -> str:
        if mode is None:
            return ""
        if kind == "ipvlan":
            m, _, flag = mode.partition(" ")
            spec = f"kind: ipvlan, mode: {m}, flag: {flag or 'bridge'}"
            mac = ""
        else:
            spec = f"kind: {kind}, mode: {mode}"
            mac = "" if mode == "passthru" else f', mac: "{MAC[n]}"'
        return f"  {n}:\n    interfaces:\n      c0: {{{spec}, parent: host/eth0{mac}, addresses: [{IP[n]}/24]{extra}}}\n{neighbors(n)}"

    text = f"""lab: bed
switches:
  sw: {{}}
nodes:
  host:
    interfaces:
      eth0: {{kind: nic, switch: sw, mac: "{MAC["host"]}", port: {{hairpin: {str(hairpin).lower()}}}, addresses: [{IP["host"]}/24]}}
{neighbors("host")}  peer:
    interfaces:
      eth0: {{kind: nic, switch: sw, mac: "{MAC["peer"]}", addresses: [{IP["peer"]}/24]}}
{neighbors("peer")}{peer_extra}{child("a", a, extra_a)}{child("b", b, extra_b)}"""
    return Simulator(load_text(text, "bed.yaml"))


def reach(sim: Simulator, src: str, dst: str) -> bool:
    return sim.probe(src, [IP[dst]])[IP[dst]]
