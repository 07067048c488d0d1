"""The kernel tier: every test body runs in a throw-away sandbox (its own mount
and network namespaces, a private /run/netns), so nothing leaks even if the
test dies. Assertions use independent oracles: `ip -json` and real `ping`."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
from typing import Any

import pytest

from vnetlab.kernel import preflight, sandbox


def _can_run() -> str | None:
    if os.geteuid() != 0 and not preflight.userns_available():
        return "needs root or unprivileged user namespaces"
    if shutil.which("ip") is None:
        return "needs iproute2 (`ip`) as the test oracle"
    return None


SKIP = _can_run()
pytestmark = pytest.mark.skipif(SKIP is not None, reason=SKIP or "")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for it in items:
        if "tests/kernel" in str(it.fspath):
            it.add_marker(pytest.mark.kernel)
            if SKIP:
                it.add_marker(pytest.mark.skip(reason=SKIP))


@pytest.fixture
def in_sandbox():
    return sandbox.run


def ip_json(netns: str, *args: str) -> Any:
    out = subprocess.run(["ip", "-n", netns, "-j", *args], capture_output=True, text=True, check=True).stdout
    return json.loads(out or "[]")


def netns_list() -> list[str]:
    out = subprocess.run(["ip", "-j", "netns", "list"], capture_output=True, text=True, check=True).stdout
    return sorted(n["name"] for n in json.loads(out or "[]"))


def real_ping(netns: str, address: str) -> bool:
    """iputils ping got an echo reply from ``address`` itself: a reply from another address
    (ping counts it, "DIFFERENT ADDRESS!": a hairpin DNAT without SNAT) is no reach, as
    vnetlab's probe (kernel/probe.py) counts it."""
    p = subprocess.run(
        ["ip", "netns", "exec", netns, "ping", "-c1", "-W1", address], capture_output=True, text=True, check=False
    )
    return p.returncode == 0 and "DIFFERENT ADDRESS" not in p.stdout


def flush_all(netnses: list[str]) -> None:
    for ns in netnses:
        subprocess.run(["ip", "-n", ns, "neigh", "flush", "all"], capture_output=True, check=False)


def missing_kinds(path: Any) -> list[str]:
    from vnetlab import load, resolve

    got = preflight.supported(sorted(preflight.lab_kinds(resolve(load(path)))))
    return [k for k, ok in got.items() if not ok]


def real_connect(netns: str, address: str, proto: str, port: int) -> str | None:
    """A real client (busybox nc for TCP; bash's /dev/udp, a connected UDP socket, and cat for UDP):
    what the listener at ``address``:``port`` sent (None: refused or no answer within a second)."""
    if proto == "tcp":
        argv = ["ip", "netns", "exec", netns, "busybox", "nc", "-w1", address, str(port)]
    else:
        script = 'exec 3<>"/dev/udp/$0/$1" && printf probe >&3 && timeout 1 cat <&3'
        argv = ["ip", "netns", "exec", netns, "bash", "-c", script, address, str(port)]
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False, timeout=10)
    return p.stdout or None


@contextlib.contextmanager
def serving(netns_of: dict[str, str], ports: list[int]) -> Any:
    """vnetlab's responder listening in every namespace, served by a thread (for real clients)."""
    import selectors
    import threading

    from vnetlab.kernel import probe

    r = probe.Responder(netns_of, ports)
    stop = threading.Event()

    def loop() -> None:
        sel = selectors.DefaultSelector()
        for s in r.fds():
            sel.register(s, selectors.EVENT_READ)
        while not stop.is_set():
            for key, _ in sel.select(0.05):
                r.serve(key.fileobj)
            for c in r.conns:
                c.close()
            r.conns.clear()
        sel.close()

    t = threading.Thread(target=loop, daemon=True)
    t.start()
    try:
        yield r
    finally:
        stop.set()
        t.join()
        r.close()
