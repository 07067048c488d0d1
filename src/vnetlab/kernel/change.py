"""Apply a plan diff (vnetlab.plan.diff) to a running lab, in place, all or nothing.

Each Change runs its Step in the lab's own namespaces; once it succeeded its
undo Steps are recorded (a sysctl's undo is the value read just before it
was written; a deleted device is brought back with the ifindex it had). If
a Change fails, the recorded undos run in reverse and the lab is the
previous lab again: devices never touched keep their ifindex throughout.
Namespaces the new lab drops are removed last, when nothing can fail any
more. Every delete is idempotent (what the kernel already removed with a
device is not an error), addresses, routes and neighbours are replaced, so
an undo is right whether or not the kernel removed the thing on its own.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import os
import time
from collections.abc import Callable, Sequence
from typing import Any

from pyroute2.netlink.exceptions import NetlinkError

from ..plan.diff import Change, describe
from ..plan.diff import step as make_step
from ..plan.steps import Step
from . import nsutil
from .apply import NUD_PERMANENT, Executor, StepFailed, _port_vlans, _write_sysctl

#: what a failed change message says
RESTORED = "the running lab was restored as it was"
#: errors a delete meets when the kernel already removed the thing
#: kinds whose operstate goes from UNKNOWN to UP a moment after they are set up (linkwatch)
SETTLING = {"macvlan", "macvtap", "vlan", "veth", "nic", "ipvlan"}
GONE = {errno.ENODEV, errno.ENOENT, errno.ESRCH, errno.EADDRNOTAVAIL, errno.ENXIO}


class _Shown(Step):
    """A Step whose describe() names a change op (what a failure message shows)."""

    def describe(self) -> str:
        return describe(Step(self.op, self.ns, self.obj, self.spec))


def _failed(step: Step, netns: str, err: BaseException) -> StepFailed:
    return StepFailed(_Shown(step.op, step.ns, step.obj, step.spec), netns, err, undo=RESTORED)


class ChangeExecutor(Executor):
    """Runs Changes on a running lab (its namespaces exist and are marked)."""

    ADDR_CMD = "replace"  # an address a change sets may be there already

    def __init__(self, netns_of: Callable[[str], str], index_base: int, fail_at: int | None = None, **kw: Any):
        super().__init__(netns_of, index_base=index_base, undo=RESTORED, **kw)
        self.fail_at = fail_at
        #: ifindex a deleted device had: its undo brings it back with it
        self.prefer: dict[tuple[str, str], int] = {}
        self.undo_log: list[Step] = []
        #: devices made here whose operstate linkwatch sets a moment later
        self.made: set[tuple[str, str]] = set()
        self.rolling_back = False

    def new_index(self, ns: str, name: str) -> int:
        want = self.prefer.pop((ns, name), None) if self.rolling_back else None
        if want is not None:
            self._idx[(ns, name)] = want
            return want
        return super().new_index(ns, name)

    def apply(self, changes: Sequence[Change], progress: Callable[[int, int], None] | None = None) -> None:
        self.will_be_up = set()  # links are created down; their `up` steps bring them up
        self.port_steps = {}
        try:
            for n, c in enumerate(changes):
                step = c.step
                if self.fail_at is not None and n == self.fail_at:
                    raise _failed(step, self.netns(step.ns), NetlinkError(errno.EIO, "injected failure"))
                undo = list(c.undo)
                if step.op == "sysctl":
                    undo = [make_step("sysctl", step.ns, step.obj, {"value": self._read_sysctl(step)})]
                elif step.op == "del-link":
                    with contextlib.suppress(NetlinkError):
                        self.prefer[(step.ns, step.obj)] = self.index(step.ns, step.obj)
                try:
                    with nsutil.phase(f"change: {step.op}"):
                        self.do(step)
                except StepFailed:
                    raise
                except (NetlinkError, OSError, ValueError) as e:
                    raise _failed(step, self.netns(step.ns), e) from None
                self.undo_log.extend(reversed(undo))  # run back to front
                if progress:
                    progress(n + 1, len(changes))
        except BaseException:
            self.roll_back()
            self.settle()
            raise
        else:
            self.settle()
        finally:
            self.close()

    def settle(self, limit: float = 2.0) -> None:
        """Wait for linkwatch to give the devices this change (or its undo) created
        and brought up their operational state (UNKNOWN until it runs: a
        macvlan made now would otherwise not look like the one it replaces)."""
        deadline = time.monotonic() + limit
        while self.made and time.monotonic() < deadline:
            pending = set()
            for ns, name in self.made:
                with contextlib.suppress(NetlinkError, OSError):
                    self._idx.pop((ns, name), None)
                    ln = self.ipr(ns).get_links(self.index(ns, name))[0]
                    up = ln["flags"] & 0x10001 == 0x10001  # IFF_UP and IFF_LOWER_UP
                    if up and ln.get_attr("IFLA_OPERSTATE") == "UNKNOWN":
                        pending.add((ns, name))
            self.made = pending
            if pending:
                time.sleep(0.02)

    def roll_back(self) -> None:
        """Undo what was applied, last first; then remove namespaces this change created."""
        self.will_be_up = set()
        self.rolling_back = True
        for step in reversed(self.undo_log):
            if step.op == "del-netns":
                continue  # below, marked ones only
            with contextlib.suppress(NetlinkError, OSError, ValueError, StepFailed):
                self.do(step)
        self.undo_log.clear()
        self.rollback()

    # ---- ops beyond the build's ---------------------------------------------------
    def _gone_ok(self, fn: Callable[[], Any]) -> None:
        try:
            fn()
        except NetlinkError as e:
            if e.code not in GONE:
                raise

    def _index_or_none(self, ns: str, name: str) -> int | None:
        self._idx.pop((ns, name), None)  # a device may have been recreated: look again
        try:
            return self.index(ns, name)
        except NetlinkError:
            return None

    def op_link(self, step: Step) -> None:
        if step.args["kind"] in SETTLING:
            self.made.add((step.ns, step.obj))
        self._idx.pop((step.ns, step.obj), None)
        if step.args.get("peer"):
            self._idx.pop((step.args["peer_ns"], step.args["peer"]), None)
        super().op_link(step)

    def op_del_link(self, step: Step) -> None:
        idx = self._index_or_none(step.ns, step.obj)
        if idx is not None:
            self._gone_ok(lambda: self.ipr(step.ns).link("del", index=idx))
        self._idx.clear()  # a veth's peer, a parent's children went with it

    def op_set_link(self, step: Step) -> None:
        a = step.args
        kind, new = a["kind"], a["new"]
        h = self.ipr(step.ns)
        idx = self.index(step.ns, step.obj)
        if new.get("mac"):
            h.link("set", index=idx, address=new["mac"])
        if "mtu" in new:
            h.link("set", index=idx, mtu=new["mtu"] or 1500)
        if "mode" in new and kind in ("macvlan", "macvtap"):
            h.link("set", index=idx, kind=kind, **{f"{kind}_mode": new["mode"]})
        if new.get("remote"):
            attr = "vxlan_group6" if ":" in new["remote"] else "vxlan_group"
            h.link("set", index=idx, kind="vxlan", **{attr: new["remote"]})
        if "remotes" in new:
            from .kinds.vxlan import ZERO_MAC

            before, after = set(a["old"].get("remotes") or ()), set(new["remotes"] or ())
            for ip in sorted(before - after):

                def drop(ip: str = ip) -> None:
                    h.fdb("del", ifindex=idx, lladdr=ZERO_MAC, dst=ip)

                self._gone_ok(drop)
            for ip in sorted(after - before):
                h.fdb("append", ifindex=idx, lladdr=ZERO_MAC, dst=ip)
        if "vlan_filtering" in new:
            h.link("set", index=idx, kind="bridge", br_vlan_filtering=1 if new["vlan_filtering"] else 0)
        if "stp" in new:
            h.link("set", index=idx, kind="bridge", br_stp_state=1 if new["stp"] else 0)
        if new.get("peer_mac"):
            pns, peer = a["peer_ns"], a["peer"]
            self.ipr(pns).link("set", index=self.index(pns, peer), address=new["peer_mac"])
        if "peer_mtu" in new:
            # an end with no mtu is made 1500 (veth_newlink; the other end's mtu plays no
            # part): taking the peer's mtu out sets that back, as a fresh build has it
            pns, peer = a["peer_ns"], a["peer"]
            self.ipr(pns).link("set", index=self.index(pns, peer), mtu=new["peer_mtu"] or 1500)

    def op_down(self, step: Step) -> None:
        self.ipr(step.ns).link("set", index=self.index(step.ns, step.obj), state="down")

    def op_up(self, step: Step) -> None:
        self.ipr(step.ns).link("set", index=self.index(step.ns, step.obj), state="up")

    def op_nomaster(self, step: Step) -> None:
        idx = self._index_or_none(step.ns, step.obj)
        if idx is not None:
            self.ipr(step.ns).link("set", index=idx, master=0)

    def op_set_port(self, step: Step) -> None:
        old, new = step.args["old"], step.args["new"]
        h = self.ipr(step.ns)
        idx = self.index(step.ns, step.obj)
        h.brport(
            "set",
            index=idx,
            mode=1 if new.get("hairpin") else 0,
            learning=0 if new.get("learning") is False else 1,
            unicast_flood=0 if new.get("flood") is False else 1,
        )
        vl = ("vlans", "pvid", "untagged")
        if any(old.get(k) != new.get(k) for k in vl):
            _clear_vlans(h, idx, old)
            if any(k in new for k in vl):
                _port_vlans(h, idx, new)
            else:
                h.vlan_filter("add", index=idx, vlan_info={"vid": old.get("default_pvid", 1), "flags": 0x6})

    def op_sysctl(self, step: Step) -> None:
        value = step.args["value"]
        if value is None:
            value = fresh_sysctl(step.obj)
        with nsutil.inside(self.netns(step.ns)):
            _write_sysctl(step.obj, value)

    def _read_sysctl(self, step: Step) -> str:
        with nsutil.inside(self.netns(step.ns)), open("/proc/sys/" + step.obj.replace(".", "/")) as fh:
            return fh.read().strip()

    def op_del_addr(self, step: Step) -> None:
        iface = ipaddress.ip_interface(step.args["address"])
        idx = self._index_or_none(step.ns, step.obj)
        if idx is not None:
            self._gone_ok(
                lambda: self.ipr(step.ns).addr(
                    "del", index=idx, address=str(iface.ip), prefixlen=iface.network.prefixlen
                )
            )

    def _route_kw(self, step: Step) -> dict[str, Any] | None:
        a = step.args
        to = step.obj
        v6 = ":" in to or ":" in (a.get("via") or "")
        kw: dict[str, Any] = {
            "dst": ("::/0" if v6 else "0.0.0.0/0") if to == "default" else to,
            "family": 10 if v6 else 2,
        }
        if a.get("via"):
            kw["gateway"] = a["via"]
        if a.get("dev"):
            idx = self._index_or_none(step.ns, a["dev"])
            if idx is None:
                return None
            kw["oif"] = idx
        if a.get("metric") is not None:
            kw["priority"] = a["metric"]
        return kw

    def op_route(self, step: Step) -> None:
        kw = self._route_kw(step)
        if kw is None:
            raise NetlinkError(errno.ENODEV, f"no device {step.args['dev']}")
        self.ipr(step.ns).route("replace", **kw)

    def op_del_route(self, step: Step) -> None:
        kw = self._route_kw(step)
        if kw is not None:
            kw.pop("gateway", None)
            kw.pop("oif", None)
            self._gone_ok(lambda: self.ipr(step.ns).route("del", **kw))

    def op_neigh(self, step: Step) -> None:
        a = step.args
        self.ipr(step.ns).neigh(
            "replace",
            dst=step.obj,
            lladdr=a["lladdr"],
            ifindex=self.index(step.ns, a["dev"]),
            state=NUD_PERMANENT,
            family=10 if ":" in step.obj else 2,
        )

    def op_del_neigh(self, step: Step) -> None:
        idx = self._index_or_none(step.ns, step.args["dev"])
        if idx is not None:
            fam = 10 if ":" in step.obj else 2
            self._gone_ok(lambda: self.ipr(step.ns).neigh("del", dst=step.obj, ifindex=idx, family=fam))

    def op_flush_nft(self, step: Step) -> None:
        from .. import nft

        with nsutil.inside(self.netns(step.ns)):
            nft.apply("flush ruleset\n")

    def op_nft(self, step: Step) -> None:
        from .. import nft

        with nsutil.inside(self.netns(step.ns)):
            nft.apply("flush ruleset\n" + step.args["ruleset"])

    def op_del_netns(self, step: Step) -> None:
        self.ipr_close(step.ns)
        nsutil.empty(step.args["netns"])  # nodes that stay must not see its devices linger
        self._idx.clear()
        with contextlib.suppress(FileNotFoundError):
            nsutil.remove(step.args["netns"])

    def ipr_close(self, ns: str) -> None:
        h = self._ipr.pop(ns, None)
        if h is not None:
            h.close()

    def do(self, step: Step) -> None:
        getattr(self, "op_" + step.op.replace("-", "_"))(step)


def _clear_vlans(h: Any, idx: int, old: dict[str, Any]) -> None:
    """Remove a port's VLAN membership as the old port step made it (or the default PVID)."""
    vids: set[int] = set()
    for v in old.get("vlans", ()) or ():
        if isinstance(v, int):
            vids.add(v)
        else:
            lo, hi = map(int, str(v).split("-"))
            vids.update(range(lo, hi + 1))
    if old.get("pvid"):
        vids.add(old["pvid"])
    if not any(k in old for k in ("vlans", "pvid", "untagged")):
        vids.add(old.get("default_pvid", 1))
    for vid in sorted(vids):
        with contextlib.suppress(NetlinkError):
            h.vlan_filter("del", index=idx, vlan_info={"vid": vid})


def fresh_sysctl(key: str) -> str:
    """The value ``key`` has in a new network namespace (read in a throw-away one:
    a forked child unshares its network namespace, reads, and exits)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover (the child)
        code = 1
        try:
            os.close(r)
            nsutil.unshare(nsutil.CLONE_NEWNET)
            with open("/proc/sys/" + key.replace(".", "/")) as fh:
                os.write(w, fh.read().encode())
            code = 0
        finally:
            os._exit(code)
    os.close(w)
    with os.fdopen(r, "rb") as fh:
        data = fh.read().decode().strip()
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise OSError(f"could not read {key} in a new namespace")
    return data
