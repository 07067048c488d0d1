"""The smallest change from one lab to another, the way ``ip`` would make it.

Input: the plans of both labs (``build_plan``: lists of Steps). Output: a
list of ``Change`` records (create / change / delete, per node), each with
the Step that makes it and the Steps that undo it, in an order the kernel
accepts:

1. new namespaces;
2. what goes away: neighbours, routes and addresses the new lab drops,
   ports released, then devices deleted or recreated (children first);
3. what changes in place: ``ip link set`` (MAC, MTU, macvlan/macvtap mode,
   vxlan remote, bridge vlan_filtering/stp), bridge port flags and VLANs,
   links set down, sysctls;
4. what is (re)created: devices in plan order, ports, addresses, links set
   up, routes and neighbours (replaced: idempotent), nftables rulesets;
5. namespaces removed (last: a removed namespace cannot be brought back,
   so nothing after it can fail).

A device is recreated only for an attribute the kernel cannot change on a
live device (the reason is in the plan; see docs/kernel-semantics.md
"Changing a running lab"): its kind, parent, peer, a vlan's id/protocol,
a vxlan's VNI, port, local, group or dev (vxlan_nl2conf: "Cannot change
VNI/port"), a macvlan mode to or from passthru (macvlan_changelink: EINVAL),
macvlan source MACs and flags, an ipvlan's mode/flag (not measured here:
this kernel has no ipvlan), a bridge's default_pvid. A recreated device
takes its children, the ports it is master of, and the routes of its
namespace with it (the kernel removes them: they are restored). Every other
device keeps its ifindex.

A sysctl the new lab no longer sets goes back to the value a new namespace
has (read at run time in a throw-away namespace): there is no "unset".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..model.stepspec import StepSpec
from .steps import Step


@dataclass(frozen=True)
class ArgsSpec(StepSpec):
    """The attributes of a change op (del-link, set-link, set-port, ...), as plain data."""

    data: dict[str, Any] = field(default_factory=dict, hash=False)

    def as_args(self) -> dict[str, Any]:
        return dict(self.data)


def step(op: str, ns: str, obj: str, args: dict[str, Any] | None = None) -> Step:
    return Step(op, ns, obj, ArgsSpec(dict(args or {})))


#: link args ``ip link set`` changes on a live device, per kind
IN_PLACE = {"mac", "mtu", "peer_mac", "peer_mtu", "remote", "remotes", "vlan_filtering", "stp", "alias"}


@dataclass(frozen=True)
class Change:
    #: create | change | delete, or refresh: an unchanged address, route, neighbour or ruleset
    #: written again (replace: a no-op if it is there) in a namespace where something changed
    action: str
    step: Step
    undo: tuple[Step, ...] = ()
    reason: str = ""

    def describe(self) -> str:
        text = describe(self.step)
        if self.action == "refresh":
            text = f"keep: {text} (replace, unchanged)"
        return f"{text} ({self.reason})" if self.reason else text

    def as_dict(self) -> dict[str, Any]:
        d = {"action": self.action, "node": self.step.ns, **self.step.as_dict(), "text": self.describe()}
        if self.reason:
            d["reason"] = self.reason
        return d


def describe(s: Step) -> str:
    a = s.args
    if s.op == "del-netns":
        return f"delete namespace {a['netns']}"
    if s.op == "del-link":
        return f"delete {a.get('kind', 'link')} {s.obj}"
    if s.op == "set-link":
        return f"set {s.obj} " + ", ".join(f"{k} {_show(a['old'].get(k))} -> {_show(v)}" for k, v in a["new"].items())
    if s.op == "down":
        return f"set {s.obj} down"
    if s.op == "set-port":
        dflt = {"hairpin": False, "learning": True, "flood": True}
        keys = [k for k in {**a["old"], **a["new"]} if k not in ("master", "default_pvid")]
        diffs = [(k, a["old"].get(k, dflt.get(k)), a["new"].get(k, dflt.get(k))) for k in keys]
        return f"set port {s.obj} " + ", ".join(f"{k} {_show(x)} -> {_show(y)}" for k, x, y in diffs if x != y)
    if s.op == "nomaster":
        return f"set {s.obj} nomaster"
    if s.op == "del-addr":
        return f"delete address {a['address']} dev {s.obj}"
    if s.op == "del-route":
        return f"delete route {s.obj}" + (f" metric {a['metric']}" if a.get("metric") is not None else "")
    if s.op == "del-neigh":
        return f"delete neighbour {s.obj} dev {a['dev']}"
    if s.op == "route":
        return s.describe().replace("add route", "replace route", 1)
    if s.op == "neigh":
        return s.describe().replace("add neighbour", "replace neighbour", 1)
    if s.op == "flush-nft":
        return "flush nftables ruleset"
    return s.describe()


def _show(v: Any) -> str:
    if isinstance(v, (list, tuple)):
        return ",".join(str(x) for x in v) or "none"
    return str(v)


# -- indexing a plan -------------------------------------------------------------


@dataclass
class _Plan:
    steps: list[Step]
    netns: dict[str, Step] = field(default_factory=dict)
    links: dict[tuple[str, str], Step] = field(default_factory=dict)  # primary key -> step
    owner: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)  # any end -> primary key
    ports: dict[tuple[str, str], Step] = field(default_factory=dict)
    sysctl: dict[tuple[str, str], Step] = field(default_factory=dict)
    addrs: dict[tuple[str, str, str], Step] = field(default_factory=dict)
    ups: dict[tuple[str, str], Step] = field(default_factory=dict)
    routes: dict[tuple[str, str, Any], Step] = field(default_factory=dict)
    neighs: dict[tuple[str, str, str], Step] = field(default_factory=dict)
    nft: dict[str, Step] = field(default_factory=dict)

    @classmethod
    def of(cls, steps: list[Step]) -> _Plan:
        p = cls(list(steps))
        for s in steps:
            k = (s.ns, s.obj)
            if s.op == "netns":
                p.netns[s.ns] = s
            elif s.op == "link":
                p.links[k] = s
                p.owner[k] = k
                if s.args.get("peer"):
                    p.owner[(s.args["peer_ns"], s.args["peer"])] = k
            elif s.op == "port":
                p.ports[k] = s
            elif s.op == "sysctl":
                p.sysctl[k] = s
            elif s.op == "addr":
                p.addrs[(s.ns, s.obj, s.args["address"])] = s
            elif s.op == "up":
                p.ups[k] = s
            elif s.op == "route":
                p.routes[(s.ns, s.obj, s.args.get("metric"))] = s
            elif s.op == "neigh":
                p.neighs[(s.ns, s.obj, s.args["dev"])] = s
            elif s.op == "nft":
                p.nft[s.ns] = s
        return p

    def ends(self, key: tuple[str, str]) -> list[tuple[str, str]]:
        """Both ends of a veth/nic (one device otherwise)."""
        return [e for e, o in self.owner.items() if o == key]

    def parents(self, key: tuple[str, str]) -> list[tuple[str, str]]:
        a = self.links[key].args
        out = []
        if a.get("parent"):
            out.append((a["parent_ns"], a["parent"]))
        if a.get("kind") == "vxlan" and a.get("dev") and (key[0], a["dev"]) in self.owner:
            out.append((key[0], a["dev"]))
        return [self.owner.get(x, x) for x in out]


def _norm(v: Any) -> Any:
    if isinstance(v, list):
        return tuple(_norm(x) for x in v)
    if isinstance(v, dict):
        return {k: _norm(x) for k, x in v.items()}
    return v


def step_from_dict(d: dict[str, Any]) -> Step:
    """A Step back from ``Step.as_dict()`` (JSON lists become the tuples the plan has), untyped."""
    return step(d["op"], d["ns"], d["obj"], _norm(d.get("args", {})))


# -- what cannot change in place ---------------------------------------------------


def recreate_reason(old: Step, new: Step) -> str | None:
    """Why the kernel cannot turn device ``old`` into ``new`` in place (None: it can)."""
    a, b = old.args, new.args
    if a.get("kind") != b.get("kind"):
        return f"kind {a.get('kind')} -> {b.get('kind')}: a device's kind is fixed when it is created"
    kind = a["kind"]
    if (a.get("parent_ns"), a.get("parent")) != (b.get("parent_ns"), b.get("parent")):
        return "another parent: a lower device is fixed when the device is created"
    if (a.get("peer_ns"), a.get("peer")) != (b.get("peer_ns"), b.get("peer")):
        return "another peer: a veth pair is made as a pair"
    if a.get("mtu") is not None and b.get("mtu") is None and kind not in ("veth", "nic", "tap", "tun"):
        return f"MTU unset: a {kind}'s default MTU is computed when it is made (there is no 'unset')"
    if bool(a.get("remote")) != bool(b.get("remote")):
        return "a vxlan remote added or removed: only changed in place (vxlan_changelink)"
    if kind in ("macvlan", "macvtap") and a.get("mode") != b.get("mode") and "passthru" in (a["mode"], b["mode"]):
        return "macvlan mode to or from passthru: the kernel refuses it on a live device (macvlan_changelink)"
    for key in sorted(set(a) | set(b)):
        if key in IN_PLACE or (key == "mode" and kind in ("macvlan", "macvtap")):
            continue
        if a.get(key) != b.get(key):
            return f"{key} {_show(a.get(key))} -> {_show(b.get(key))}: the kernel cannot change it on a live {kind}"
    return None


def in_place(old: Step, new: Step) -> tuple[dict[str, Any], dict[str, Any]]:
    """(old values, new values) of what ``ip link set`` changes."""
    a, b = old.args, new.args
    keys = [k for k in ("mac", "mtu", "peer_mac", "peer_mtu", "mode", "remote", "remotes", "vlan_filtering", "stp")]
    was, now = {}, {}
    for k in keys:
        if a.get(k) != b.get(k):
            was[k], now[k] = a.get(k), b.get(k)
    return was, now


# -- the diff ----------------------------------------------------------------------


def diff(old_steps: list[Step], new_steps: list[Step]) -> list[Change]:
    old, new = _Plan.of(old_steps), _Plan.of(new_steps)
    k: Any  # a device, address, route or neighbour key, loop by loop
    ab: dict[str, Any]
    out: list[Change] = []

    # 1. namespaces
    for ns, s in new.netns.items():
        if ns not in old.netns:
            out.append(Change("create", s, (step("del-netns", ns, ns, {"netns": s.args["netns"]}),)))
    gone_ns = [ns for ns in old.netns if ns not in new.netns]

    # which devices are recreated / deleted / created
    reason: dict[tuple[str, str], str] = {}
    for k, s in old.links.items():
        if k not in new.links:
            continue
        why = recreate_reason(s, new.links[k])
        if why:
            reason[k] = why
    deleted = {k for k in old.links if k not in new.links}
    # a pair one of whose ends lives in a namespace that goes is gone too
    for k in old.links:
        if any(e[0] in gone_ns for e in old.ends(k)) and k in new.links and k not in reason:
            reason[k] = "its peer's namespace is removed"
    changed = True
    while changed:
        changed = False
        for k in new.links:
            if k in reason or k not in old.links:
                continue
            for p in new.parents(k):
                if p in reason or p in deleted:
                    reason[k] = f"its lower device {p[1]} is recreated"
                    changed = True
                    break
    # old devices whose parent is deleted go with it (the kernel deletes them)
    gone = set(reason) | deleted
    gone_ends = {e for k in gone for e in old.ends(k)}
    created = [k for k in new.links if k not in old.links or k in reason]
    new_ends = {e for k in created for e in new.ends(k)}
    in_gone_ns = {k for k in old.links if k[0] in gone_ns and all(e[0] in gone_ns for e in old.ends(k))}

    # 2. what goes away, on devices that stay
    for k, s in old.neighs.items():
        if k not in new.neighs and k[0] not in gone_ns and (k[0], k[2]) not in gone_ends:
            out.append(Change("delete", step("del-neigh", s.ns, s.obj, dict(s.args)), (s,)))
    for k, s in old.routes.items():
        if k not in new.routes and k[0] not in gone_ns:
            out.append(Change("delete", step("del-route", s.ns, s.obj, dict(s.args)), (s,)))
    for k, s in old.addrs.items():
        if k not in new.addrs and k[0] not in gone_ns and (k[0], k[1]) not in gone_ends:
            out.append(Change("delete", step("del-addr", s.ns, s.obj, dict(s.args)), (s,)))
    for k, s in old.ports.items():
        if k in gone_ends or k[0] in gone_ns:
            continue
        if k not in new.ports:
            out.append(Change("change", step("nomaster", s.ns, s.obj, {}), (s,)))
    # devices deleted or recreated: children first (reverse plan order)
    order = [k for k in old.links if k in gone and k not in in_gone_ns]
    for k in reversed(order):
        s = old.links[k]
        undo = _restore(old, k)
        action = "change" if k in reason else "delete"
        out.append(Change(action, step("del-link", s.ns, s.obj, {"kind": s.args["kind"]}), undo, reason.get(k, "")))

    # 3. in place
    for k, s in new.links.items():
        if k in old.links and k not in reason:
            was, now = in_place(old.links[k], s)
            if now:
                ab = {k: s.args[k] for k in ("kind", "peer", "peer_ns") if k in s.args}
                back = step("set-link", s.ns, s.obj, {**ab, "new": was, "old": now})
                fwd = step("set-link", s.ns, s.obj, {**ab, "new": now, "old": was})
                out.append(Change("change", fwd, (back,)))
    # a lower device's MTU: the kernel lowers its children's with it but never raises
    # them again (macvlan/vlan/ipvlan NETDEV_CHANGEMTU); a child without an MTU of its
    # own has its lower's, as when it was made
    for k, s in new.links.items():
        if k not in old.links or k in reason or old.links[k].args.get("mtu") == s.args.get("mtu"):
            continue
        for c, cs in new.links.items():
            own = cs.args.get("mtu") is not None or old.links.get(c, cs).args.get("mtu") is not None
            if own or c not in old.links or c in reason or k not in new.parents(c) or cs.args["kind"] == "vxlan":
                continue
            pmtu_was, pmtu_now = old.links[k].args.get("mtu") or 1500, s.args.get("mtu") or 1500
            ab = {"kind": cs.args["kind"]}
            out.append(
                Change(
                    "change",
                    step("set-link", cs.ns, cs.obj, {**ab, "new": {"mtu": pmtu_now}, "old": {"mtu": pmtu_was}}),
                    (step("set-link", cs.ns, cs.obj, {**ab, "new": {"mtu": pmtu_was}, "old": {"mtu": pmtu_now}}),),
                    f"its lower device {k[1]}'s MTU",
                )
            )
    for k, s in new.ports.items():
        o = old.ports.get(k)
        if o is None or k in new_ends or k in gone_ends:
            continue
        if o.args.get("master") != s.args.get("master") or old.owner.get((k[0], s.args["master"])) in gone:
            continue  # enslaved again in 4.
        if dict(o.args) != dict(s.args):
            out.append(
                Change(
                    "change",
                    step("set-port", s.ns, s.obj, {"old": dict(o.args), "new": dict(s.args)}),
                    (step("set-port", s.ns, s.obj, {"old": dict(s.args), "new": dict(o.args)}),),
                )
            )
    for k, s in old.ups.items():
        if k not in new.ups and k not in gone_ends and k[0] not in gone_ns and k[1] != "lo":
            out.append(Change("change", step("down", s.ns, s.obj), (s,)))
    for k, s in new.sysctl.items():
        o = old.sysctl.get(k)
        if o is None or o.args["value"] != s.args["value"]:
            out.append(Change("change" if o else "create", s, (o,) if o else ()))
    for k, o in old.sysctl.items():
        if k not in new.sysctl and k[0] not in gone_ns:
            out.append(Change("change", step("sysctl", o.ns, o.obj, {"value": None}), (o,)))

    # 4. (re)created
    for k in new.links:
        if k in created:
            s = new.links[k]
            out.append(
                Change(
                    "create" if k not in reason else "change",
                    s,
                    (step("del-link", s.ns, s.obj, {"kind": s.args["kind"]}),),
                    reason.get(k, ""),
                )
            )
    for k, s in new.ports.items():
        o = old.ports.get(k)
        again = k in new_ends or o is None or o.args.get("master") != s.args.get("master")
        again = again or old.owner.get((k[0], s.args["master"])) in gone
        if again:
            out.append(Change("create", s, (step("nomaster", s.ns, s.obj, {}),)))
    # a namespace where anything changed gets its addresses, routes and neighbours
    # replaced (idempotent): a device set down or deleted takes routes, permanent
    # neighbours and IPv6 addresses with it
    ups = [
        Change("create" if k in new_ends or k[0] not in old.netns else "change", s, (step("down", s.ns, s.obj),))
        for k, s in new.ups.items()
        if k not in old.ups or k in new_ends
    ]
    touched = {c.step.ns for c in [*out, *ups]} | {e[0] for e in gone_ends | new_ends}
    for k, s in new.addrs.items():
        if k not in old.addrs:
            out.append(Change("create", s, (step("del-addr", s.ns, s.obj, dict(s.args)),)))
    out += ups
    for k, s in new.addrs.items():
        if k in old.addrs and k[0] in touched:
            out.append(Change("refresh", s, (old.addrs[k],)))
    for table, op in ((new.routes, "del-route"), (new.neighs, "del-neigh")):
        olds = old.routes if op == "del-route" else old.neighs
        for k, s in table.items():
            o = olds.get(k)
            if o is None:
                out.append(Change("create", s, (step(op, s.ns, s.obj, dict(s.args)),)))
            elif dict(o.args) != dict(s.args):
                out.append(Change("change", s, (o,)))
            elif k[0] in touched:
                out.append(Change("refresh", s, (o,)))
    # nft resolves `iif`/`oif` to an index when it loads a rule: a namespace where a
    # device was deleted, recreated or created gets its ruleset loaded again, so a
    # rule names the device the lab has now (as in a lab built fresh)
    relinked = {e[0] for e in gone_ends | new_ends}
    for ns, s in new.nft.items():
        o = old.nft.get(ns)
        if o is None or o.args["ruleset"] != s.args["ruleset"]:
            out.append(Change("change", s, (o,) if o else (step("flush-nft", ns, "ruleset"),)))
        elif ns in relinked:
            out.append(Change("refresh", s, (o,)))
    for ns, o in old.nft.items():
        if ns not in new.nft and ns not in gone_ns:
            out.append(Change("delete", step("flush-nft", ns, "ruleset"), (o,)))

    # 5. namespaces that go
    for ns in gone_ns:
        out.append(Change("delete", step("del-netns", ns, ns, {"netns": old.netns[ns].args["netns"]})))
    return out


def _restore(old: _Plan, key: tuple[str, str]) -> tuple[Step, ...]:
    """The old plan's steps that rebuild a deleted device as it was: the link,
    the ports of its ends (and the ports it was master of), its addresses, its
    ends set up, and the routes and neighbours of its namespaces (replaced)."""
    ends = set(old.ends(key))
    nss = {e[0] for e in ends}
    out = [old.links[key]]
    for k, s in old.ports.items():
        if k in ends or (k[0], s.args.get("master")) in ends:
            out.append(s)
    out += [s for k, s in old.addrs.items() if (k[0], k[1]) in ends]
    out += [s for k, s in old.ups.items() if k in ends]
    out += [s for k, s in old.routes.items() if k[0] in nss]
    out += [s for k, s in old.neighs.items() if k[0] in nss]
    return tuple(out)


def summary(changes: list[Change]) -> dict[str, int]:
    out = {"create": 0, "change": 0, "delete": 0, "refresh": 0}
    for c in changes:
        out[c.action] += 1
    return out
