"""A real machine as a lab: `vnetlab import --host / --pid / --containers`.

Which namespaces are read, and what their nodes are called:

* ``--host`` is the network namespace of PID 1 *as seen in the current PID
  namespace* (/proc/1/ns/net): on a machine, its init's, where the physical
  NICs, docker0, virbr0 and the macvlan parents live; inside a container or
  a sandbox with its own PID namespace, that one's init. It becomes the node
  ``host``.
* ``--pid PID`` reads /proc/PID/ns/net (what `ip netns attach NAME PID`
  would name).
* ``--containers`` reads every distinct network namespace some process holds
  (/proc/*/ns/net, one per inode; the host's and the named namespaces read
  with --netns are not repeated), one node each.

Nodes are named after the container where the runtime's records say it (the
cgroup path: docker ``docker-<id>.scope`` or ``/docker/<id>``, with the
container's name from docker's own record where it is readable; podman
``libpod-<id>``; systemd-nspawn ``machine-<name>.scope``), else the process's
UTS hostname where it has a UTS namespace of its own, else ``pid-N``; always
sanitised to a lab node name. Nothing from another process's files is echoed
beyond such a name.

What the lab format has no kind for is never dropped silently: a physical NIC
(a device with a parent bus, or one named with ``--uplink``) becomes a ``nic``
on a switch ``uplink`` (``uplink2``… for further ones: vnetlab cannot know
whether two NICs share a segment); a device of a kind vnetlab does not model
(wireguard, dummy, bond, a tunnel...) that is up or has an address becomes a
``nic`` on a switch of its own, with a note; one that is down and has no
address is left out with a note.

Reading needs root, or CAP_SYS_ADMIN (setns) and CAP_SYS_PTRACE (other
processes' /proc/PID/ns): without them, exit 3 naming what is missing.
Nothing here writes anything.
"""

from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from ..errors import EnvironmentProblem, InputError
from . import nsutil

HOST_NS = "/proc/1/ns/net"
PROBE = "~host"  # a key of Machine.paths: the host's namespace, only to recognise veth ends leading there
CAP_SYS_PTRACE, CAP_SYS_ADMIN = 19, 21
CLONE_NEWUTS = 0x04000000
_NAME = re.compile(r"[a-z][a-z0-9_-]{0,14}")


def require_caps() -> None:
    """Exit 3 unless this process may read other processes' network namespaces."""
    eff = 0
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("CapEff:"):
                eff = int(line.split()[1], 16)
    missing = [
        n for bit, n in ((CAP_SYS_ADMIN, "CAP_SYS_ADMIN"), (CAP_SYS_PTRACE, "CAP_SYS_PTRACE")) if not eff >> bit & 1
    ]
    if missing:
        raise EnvironmentProblem(
            "reading the machine's and other processes' network namespaces needs root "
            f"(or CAP_SYS_ADMIN and CAP_SYS_PTRACE); this process lacks {' and '.join(missing)}"
        )


def _ident(path: str) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_dev, st.st_ino


def sanitize(raw: str, fallback: str) -> str:
    """A string as a lab node name: [a-z][a-z0-9_-]{0,14}."""
    name = re.sub(r"[^a-z0-9_-]+", "-", raw.lower()).strip("-_")
    if name and not name[0].isalpha():
        name = "c" + name
    name = name[:15].rstrip("-_")
    return name if _NAME.fullmatch(name) else fallback


def _unique(base: str, used: set[str]) -> str:
    name, n = base, 1
    while name in used:
        n += 1
        name = f"{base[: 15 - len(str(n)) - 1]}-{n}"
    used.add(name)
    return name


_DOCKER = re.compile(r"(?:docker-|/docker/)([0-9a-f]{64})(?:\.scope)?(?:/|$)")
_PODMAN = re.compile(r"libpod-(?:conmon-)?([0-9a-f]{12,64})(?:\.scope)?(?:/|$)")
_NSPAWN = re.compile(r"machine-([^/]+)\.scope(?:/|$)")


def _docker_name(cid: str) -> str | None:
    """The container's name from docker's own record (read only, never echoed raw)."""
    try:
        with open(f"/var/lib/docker/containers/{cid}/config.v2.json") as fh:
            name = json.load(fh).get("Name")
    except (OSError, ValueError, AttributeError):
        return None
    return name.lstrip("/") if isinstance(name, str) else None


def runtime_name(pid: int) -> str | None:
    """The container's name from the runtime's records (the process's cgroup path)."""
    try:
        with open(f"/proc/{pid}/cgroup") as fh:
            return name_from_cgroup(fh.read())
    except OSError:
        return None


def name_from_cgroup(text: str) -> str | None:
    """docker-<id>.scope or /docker/<id> (docker), libpod-<id> (podman), machine-<name>.scope (nspawn)."""
    for path in (line.split(":", 2)[-1] for line in text.splitlines()):
        if m := _DOCKER.search(path):
            return _docker_name(m.group(1)) or m.group(1)[:12]
        if m := _PODMAN.search(path):
            return m.group(1)[:12]
        if m := _NSPAWN.search(path):
            return re.sub(r"\\x([0-9a-f]{2})", lambda x: chr(int(x.group(1), 16)), m.group(1))
    return None


def _uts_names(pids: list[int]) -> dict[int, str]:
    """The UTS hostname of each process that has a UTS namespace other than PID 1's,
    read in a helper thread that setns()es into each (a thread's own UTS namespace)."""
    out: dict[int, str] = {}
    try:
        home = _ident("/proc/1/ns/uts")
    except OSError:
        return out
    todo = []
    for pid in pids:
        try:
            if _ident(f"/proc/{pid}/ns/uts") != home:
                todo.append(pid)
        except OSError:
            continue
    if not todo:
        return out

    def work() -> None:
        for pid in todo:
            try:
                fd = os.open(f"/proc/{pid}/ns/uts", os.O_RDONLY | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                nsutil.setns(fd, CLONE_NEWUTS)
                out[pid] = os.uname().nodename
            except OSError:
                pass
            finally:
                os.close(fd)

    t = threading.Thread(target=work, name="vnetlab-uts")  # the thread ends in the last one: nothing to undo
    t.start()
    t.join()
    return out


def processes() -> list[int]:
    return sorted(int(e.name) for e in os.scandir("/proc") if e.name.isdigit())


@dataclass
class Machine:
    """What to read (key -> namespace file) and how the lab names it; the hook
    `importer.to_lab(..., machine=...)` asks it which links are NICs."""

    paths: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    host: str | None = None
    uplinks: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)
    gone: dict[str, str] = field(default_factory=dict)
    lab: str = "machine"

    def keys(self) -> list[str]:
        return [k for k in self.paths if k != PROBE]

    def nics(self, st: dict[str, Any]) -> dict[tuple[str, int], str]:
        """(namespace key, ifindex) -> switch: physical NICs on `uplink`, unmodelled kinds on one each."""
        from .importer import _KINDS

        used = set(self.names.values())
        out: dict[tuple[str, int], str] = {}
        n_up = 0
        for ns, s in st.items():
            node = self.names[ns]
            for i, ln in s["links"].items():
                if ln.name == "lo":
                    continue
                physical = ln.kind is None and ln.bus is not None
                if physical or (ns == self.host and ln.name in self.uplinks):
                    n_up += 1
                    sw = _unique("uplink" if n_up == 1 else f"uplink{n_up}", used)
                    out[(ns, i)] = sw
                    why = f"a physical NIC ({ln.bus} bus)" if physical else "named with --uplink"
                    self.notes.append(f"{node}/{ln.name}: {why}, cabled to switch {sw}")
                elif ln.kind not in _KINDS and (ln.up or ln.addrs):
                    sw = _unique(sanitize(f"sw-{node}-{ln.name}", "sw-other"), used)
                    out[(ns, i)] = sw
                    self.notes.append(
                        f"{node}/{ln.name}: kind {ln.kind or 'unknown'} is not one vnetlab models; "
                        f"imported as a nic on a switch of its own ({sw}): its traffic beyond it is not simulated"
                    )
        if self.host in st:
            missing = set(self.uplinks) - {ln.name for ln in st[self.host]["links"].values()}
            if missing:
                raise InputError(f"--uplink {sorted(missing)[0]}: the machine's namespace has no such interface")
        for ns, why in self.gone.items():
            self.notes.append(f"{self.names[ns]}: skipped, {why}")
        return out


def plan(netns: list[str], host: bool, pids: list[int], containers: bool, uplinks: tuple[str, ...] = ()) -> Machine:
    """Which namespaces to read, in order: the host, named ones, then processes'."""
    require_caps()
    if uplinks and not host:
        raise InputError("--uplink names an interface of the machine's own namespace: it goes with --host")
    m = Machine(uplinks=uplinks)
    used: set[str] = set()
    seen: set[tuple[int, int]] = set()
    try:
        host_id = _ident(HOST_NS)
    except OSError as e:
        raise EnvironmentProblem(f"cannot read {HOST_NS}: {e.strerror}") from None
    if host:
        m.paths["host"], m.names["host"], m.host = HOST_NS, _unique("host", used), "host"
    else:  # not read, but the containers' veths lead there: recognised first, without asking every other one
        m.paths[PROBE] = HOST_NS
    seen.add(host_id)  # the machine's own namespace is `host`, never a container
    for ns in netns:
        p = nsutil.path(ns)
        try:
            seen.add(_ident(p))
        except OSError:
            continue
        m.paths[ns] = p
        m.names[ns] = _unique(sanitize(ns, "netns"), used)
    wanted: list[int] = []
    for pid in pids:
        try:
            ident = _ident(f"/proc/{pid}/ns/net")
        except FileNotFoundError:
            raise InputError(f"--pid {pid}: no such process") from None
        except ProcessLookupError:
            raise InputError(f"--pid {pid}: no such process") from None
        if ident in seen:
            continue  # the same namespace as one already read
        seen.add(ident)
        wanted.append(pid)
    if containers:
        for pid in processes():
            try:
                ident = _ident(f"/proc/{pid}/ns/net")
            except OSError:
                continue  # exited, or a kernel thread
            if ident not in seen:
                seen.add(ident)
                wanted.append(pid)
    uts = _uts_names(wanted)
    for pid in wanted:
        key = f"pid:{pid}"
        raw = runtime_name(pid) or uts.get(pid)
        m.paths[key] = f"/proc/{pid}/ns/net"
        m.names[key] = _unique(sanitize(raw, f"pid-{pid}") if raw else f"pid-{pid}", used)
    return m


def to_lab(m: Machine, lab: str | None = None) -> str:
    from .importer import to_lab as importer_to_lab

    if not m.keys():
        raise InputError("nothing to read: no process holds a network namespace other than the machine's")
    return importer_to_lab(m.keys(), lab or m.lab, machine=m)


def attach(name: str, pid: int) -> str:
    """`ip netns attach NAME PID`: bind-mount /proc/PID/ns/net on /run/netns/NAME."""
    from .sandbox import guard

    guard()
    require_caps()
    if not name or "/" in name or "\0" in name or name in (".", ".."):
        raise InputError(f"{name!r} is not a namespace name (no '/', not '.' or '..')")
    src = f"/proc/{pid}/ns/net"
    try:
        os.stat(src)
    except FileNotFoundError:
        raise InputError(f"no process {pid}") from None
    except ProcessLookupError:
        raise InputError(f"no process {pid}") from None
    if nsutil.exists(name):
        raise InputError(
            f"a named network namespace {name!r} exists already ({nsutil.path(name)}); nothing was changed"
        )
    nsutil._ensure_run_dir()
    p = nsutil.path(name)
    fd = os.open(p, os.O_RDONLY | os.O_CREAT | os.O_EXCL, 0)
    os.close(fd)
    try:
        nsutil.mount(src, p, None, nsutil.MS_BIND)
    except OSError:
        os.unlink(p)
        raise
    return p
