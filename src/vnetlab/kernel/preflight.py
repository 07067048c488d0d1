"""Facts about this machine that decide whether the kernel backend can run.

Root (or an unprivileged user namespace) and, per device kind the lab uses,
whether the running kernel supports it — found by trying, in a throw-away
network namespace of a child process, so nothing is left on the machine.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..errors import EnvironmentProblem, KernelLacksKind

if TYPE_CHECKING:
    from ..resolve import Resolved

_cache: dict[str, bool] = {}


def require_privileges() -> None:
    if os.geteuid() != 0 and not userns_available():
        raise EnvironmentProblem(
            "the kernel backend needs root, or unprivileged user namespaces (kernel.unprivileged_userns_clone=1); run as root or use --backend sim"
        )


def userns_available() -> bool:
    try:
        with open("/proc/sys/user/max_user_namespaces") as fh:
            if int(fh.read()) == 0:
                return False
    except OSError:
        return False
    try:
        with open("/proc/sys/kernel/unprivileged_userns_clone") as fh:
            return fh.read().strip() == "1"
    except OSError:
        return True


def _probe_child(kinds: list[str], wfd: int) -> None:
    from pyroute2 import IPRoute

    from . import nsutil
    from .kinds import PROBES

    res: dict[str, bool] = {}
    try:
        from .sandbox import unshare_as_root

        unshare_as_root(nsutil.CLONE_NEWNET)
        with IPRoute() as h:
            h.link("add", ifname="vp0", kind="veth", peer={"ifname": "vp1"})
            base = h.link_lookup(ifname="vp0")[0]
            for n, k in enumerate(kinds):
                try:
                    res[k] = PROBES[k].probe(h, base, f"probe{n}", k)
                except Exception:
                    res[k] = False
    except Exception as e:  # report, don't crash the caller
        res["error"] = False
        os.write(wfd, json.dumps({"error": str(e)}).encode())
        os._exit(1)
    os.write(wfd, json.dumps(res).encode())
    os._exit(0)


def supported(kinds: Iterable[str]) -> dict[str, bool]:
    """Which of ``kinds`` this kernel supports (cached per process)."""
    need = sorted({k for k in kinds if k not in _cache})
    if need:
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            try:
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C is the caller's to handle
                _probe_child(need, w)
            finally:
                os._exit(2)
        os.close(w)
        data = b""
        while chunk := os.read(r, 65536):
            data += chunk
        os.close(r)
        _, status = os.waitpid(pid, 0)
        if not data:  # killed (a Ctrl-C, the OOM killer): that says nothing about the kernel
            how = (
                f"signal {os.WTERMSIG(status)}"
                if os.WIFSIGNALED(status)
                else f"status {os.waitstatus_to_exitcode(status)}"
            )
            raise EnvironmentProblem(f"the process probing the kernel's device kinds ended ({how}) before it answered")
        res = json.loads(data)
        if "error" in res and len(res) == 1:
            raise EnvironmentProblem(f"cannot probe the kernel's device kinds: {res['error']}")
        _cache.update({k: bool(res.get(k, False)) for k in need})
    return {k: _cache[k] for k in kinds}


def lab_kinds(resolved: Resolved) -> set[str]:
    r = resolved
    kinds = {i.kind for i in r.ifaces.values()}
    if r.lab.switches:
        kinds |= {"bridge", "veth"}
    if any(s.vlan_filtering for s in r.lab.switches.values()) or any(
        getattr(i.spec, "vlan_filtering", False) for i in r.ifaces.values()
    ):
        kinds.add("vlan_filtering")
    return kinds


def require_kinds(resolved: Resolved) -> None:
    """Exit-3 error naming the first missing kernel option, before anything is created."""
    from .kinds import CONFIG  # (it imports pyroute2, which `down` does without)

    got = supported(sorted(lab_kinds(resolved)))
    for k, ok in got.items():
        if not ok:
            name = "bridge VLAN filtering" if k == "vlan_filtering" else k
            raise KernelLacksKind(name, CONFIG[k])
    require_netfilter(resolved)


def require_netfilter(resolved: Resolved) -> None:
    """Exit 3 when a lab's filtering needs what this machine lacks: the nft tool for
    a ruleset, br_netfilter for a node that sets bridge-nf-call-* to 1."""
    import shutil

    lab = resolved.lab
    for name, node in lab.nodes.items():
        if node.nftables is not None and shutil.which("nft") is None:
            raise EnvironmentProblem(f"node {name} has an nftables ruleset and nft (nftables) is not installed")
        for key, value in node.sysctl.items():
            wants = key.startswith("net.bridge.bridge-nf-call-") and str(value) != "0"
            if wants and not os.path.isdir("/proc/sys/net/bridge"):
                raise KernelLacksKind("br_netfilter (bridged traffic through ip/ip6 hooks)", "CONFIG_BRIDGE_NETFILTER")


def require_namespace_access() -> None:
    """Exit 3 unless this process can look into the machine's named namespaces.

    Which labs run is read from inside their namespaces (the mark on lo), and
    entering one (setns) needs CAP_SYS_ADMIN over it. Without it, every lab
    would look like someone else's namespace: `list` would say that no lab
    runs and `down` that there is nothing to remove, while one runs. Namespaces
    that cannot be entered for another reason (not a namespace) are skipped.
    """
    import errno

    from . import nsutil

    try:
        names = os.listdir(nsutil.NETNS_RUN_DIR)
    except FileNotFoundError:
        return  # no named namespace at all: nothing runs, and that is what we say
    except PermissionError:
        raise EnvironmentProblem(_no_access(f"cannot read {nsutil.NETNS_RUN_DIR}")) from None
    for name in names:
        try:
            with nsutil.inside(name):
                return  # one namespace entered: the others are ours to see too
        except OSError as e:
            if e.errno in (errno.EPERM, errno.EACCES):
                raise EnvironmentProblem(
                    _no_access(f"cannot enter {nsutil.path(name)} ({os.strerror(e.errno)})")
                ) from None


def _no_access(what: str) -> str:
    return (
        f"seeing the labs on this machine needs root: as uid {os.geteuid()}, vnetlab {what}, "
        "so it cannot tell which labs run; run it as root (e.g. with sudo)"
    )
