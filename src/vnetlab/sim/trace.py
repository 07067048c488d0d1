"""Hop records: what happened to a frame at each device, and why.

Every drop names a rule id, the kernel function whose behaviour it mirrors
and a sentence a user can act on. ``trace`` prints these; tests assert them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Hop:
    seq: int
    device: str  # "node/ifname"
    direction: str  # tx, rx, fwd, deliver, drop, stack
    verdict: str  # ok, drop, deliver, reply, ...
    frame: str  # one-line description of the frame
    rule: str | None = None
    func: str | None = None
    why: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in self.__slots__ if getattr(self, k) is not None}

    def __str__(self) -> str:
        s = f"{self.seq:4d} {self.device:<22} {self.direction:<7} {self.verdict:<7} {self.frame}"
        if self.verdict == "drop":
            s += f"\n       ✘ {self.device}: {self.why} [{self.rule}; {self.func}]"
        elif self.why:
            s += f"\n         {self.why}"
        return s


#: kernel functions that make the copies of a flood: a copy dropped there went
#: nowhere the probe needed unless it was headed for the target's node
_FLOOD_FUNCS = frozenset({"br_flood", "macvlan_process_broadcast", "macvlan_broadcast", "macvlan_forward_source"})
_LOOP_RULES = frozenset({"forwarding-loop", "loop-limit"})


#: a consequence of another drop (the source gave up waiting for an ARP reply): named after its cause
_SYMPTOMS = frozenset({"neigh-failed"})


def rank_causes(drops: list[Hop], src: str, dst_node: str, dst_ip: str, hops: list[Hop] | None = None) -> list[Hop]:
    """The drops that may explain a failed probe, most relevant first.

    1. a forwarding loop, and the informational ``return``/``miss`` hops;
    2. drops at the source's or the target's node, or of a frame about the
       target address (its ARP request, the echo request to it), except flood
       copies elsewhere than at the target's node -- unless nothing reached the
       target's node at all (``hops``): then the flood copy of the target's ARP
       request dropped on the way (a hairpin that is off on the port that leads
       back to it) is the cause;
    3. the other drops on a frame's one path (unicast forwarding, stack rules),
       and symptoms (the source's "no ARP reply");
    4. flood copies dropped away from the target's node (a hairpin that is off
       on the ingress port, a macvlan mode mask): usually harmless, listed last.

    Order within a tier is the order they happened; ``sorted`` is stable.
    """
    heard = hops is None or any(h.device.split("/")[0] == dst_node and h.verdict != "drop" for h in hops)

    def about(h: Hop) -> bool:
        return f"who-has {dst_ip} " in h.frame or f"> {dst_ip} " in h.frame or f"for {dst_ip} " in (h.why or "")

    def tier(h: Hop) -> int:
        node = h.device.split("/")[0]
        if h.rule in _LOOP_RULES or h.verdict in ("return", "miss"):
            return 0
        if h.rule in _SYMPTOMS:
            return 2
        if h.func in _FLOOD_FUNCS:
            return 1 if node == dst_node or (not heard and about(h)) else 3
        return 1 if node in (src, dst_node) or about(h) else 2

    return sorted(drops, key=tier)
