"""TCP and UDP port matrices through NAT, kernel against simulator, on every shipped NAT lab
(labs/nft-nat-*.yaml) and the port-forward test lab: the kernel's conntrack rewrites ports
(dnat to ADDR:PORT, redirect, masquerade keeping the source port), the simulator must say
the same cell for cell and name the same answerer (kernel-semantics §8)."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import ROOT
from vnetlab import load, resolve
from vnetlab.kernel import KernelLab
from vnetlab.sim import Simulator

pytestmark = pytest.mark.skipif(shutil.which("nft") is None, reason="needs nft")

NAT_LABS = [
    *sorted((ROOT / "labs").glob("nft-nat-*.yaml")),
    ROOT / "tests" / "data" / "ports" / "dnat-answered-by.yaml",
]
PROBES = [("tcp", 80), ("tcp", 22), ("udp", 53), ("tcp", 8080), ("udp", 5353)]


def _matrices(path: str) -> list[dict]:
    k = KernelLab(resolve(load(path)))
    k.up()
    try:
        return [k.matrix(proto, port).as_json() for proto, port in PROBES]
    finally:
        k.close()


@pytest.mark.parametrize("path", NAT_LABS, ids=lambda p: p.name)
def test_nat_port_matrices_equal_the_simulators(path, in_sandbox) -> None:
    got = in_sandbox(_matrices, str(path))
    sim = Simulator(load(path))
    for (proto, port), k in zip(PROBES, got, strict=True):
        s = sim.matrix(proto, port).as_json()
        assert k["rows"] == s["rows"], (path.name, proto, port)
        assert k["answered_by"] == s["answered_by"], (path.name, proto, port)
    if path.name == "nft-nat-portfwd.yaml":
        tcp80, udp53 = got[0], got[2]
        assert tcp80["answered_by"]["outside"]["198.51.100.1"] == "server"  # dnat to 192.0.2.20:8080
        assert tcp80["answered_by"]["client"]["198.51.100.1"] == "server"  # hairpin, SNATed
        assert not udp53["rows"]["client"]["198.51.100.1"]  # hairpin, not SNATed
