"""The Python API: what the command line does, as functions and objects.

    lab = vnetlab.load("lab.yaml")                  # a checked Lab
    sim = vnetlab.simulate(lab)                     # ping -> bool, matrix -> Matrix, trace -> Trace
    with vnetlab.kernel(lab, sandbox=True) as net:  # up in a throw-away sandbox, down on exit
        net.ping("c1", "c2"); net.matrix(); net.exec("c1", ["ip", "-br", "addr"])
    vnetlab.compare(sim.matrix(), net.matrix())     # the cells that disagree

The library never prints; errors are the classes of vnetlab.errors.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .check import check
from .errors import InputError, LabInvalid
from .load import load_file as _load_file
from .load import load_text as _load_text
from .model import Expectation, Lab
from .resolve import Resolved, resolve
from .verify import endpoints as ep
from .verify.expect import Outcome
from .verify.matrix import Matrix
from .verify.trace import Trace

LabLike = Lab | str | Path


def load(path: str | Path) -> Lab:
    """Read, validate and check a lab file; LabInvalid lists every problem with its position."""
    return _load_file(path).lab


def load_text(text: str | bytes, file: str = "<lab>") -> Lab:
    """Like ``load``, from the text of a lab file (``file`` names it in messages)."""
    return _load_text(text, file).lab


def _checked(lab: LabLike) -> Resolved:
    if isinstance(lab, (str, Path)):
        lab = load(lab)  # checked while loading
    elif isinstance(lab, Lab):
        issues = check(lab)
        if issues:
            raise LabInvalid(issues)
    else:
        raise InputError(f"expected a Lab or the path of a lab file, not {type(lab).__name__}")
    return resolve(lab)


class Simulation:
    """A lab on the simulator: deterministic, no privileges."""

    name = "sim"

    def __init__(self, lab: LabLike):
        from .sim import Simulator

        self.r = _checked(lab)
        self.lab = self.r.lab
        #: the simulator itself (captures, raw ping results)
        self.simulator = Simulator(self.r)

    def ping(self, src: str, dst: str) -> bool:
        """Every address of ``dst`` (a node, guest or address) answers ``src``; caches as they are."""
        return all(self.probe(src, ep.resolve_dst(self.r, dst), flush=False).values())

    def probe(self, src: str, dsts: Sequence[str], *, flush: bool = True) -> dict[str, bool]:
        return self.simulator.probe(src, dsts, flush=flush)

    def matrix(self, proto: str = "icmp", port: int | None = None) -> Matrix:
        """All-pairs reachability: echo requests, or (v1.1) TCP connections / UDP datagrams to ``port``."""
        return self.simulator.matrix(proto, port)

    def trace(self, src: str, dst: str) -> Trace:
        """One ping explained hop by hop, from cold caches."""
        from .verify.trace import trace

        return trace(self.simulator, src, dst)

    def evaluate(self, expectations: Sequence[Expectation] | None = None) -> list[Outcome]:
        """The lab's ``expect:`` entries (or the given ones), each from cold caches."""
        from .backends import SimBackend

        return SimBackend(self.r).evaluate(self.lab.expect if expectations is None else expectations)


def simulate(lab: LabLike) -> Simulation:
    """The lab on the simulator; checks it first (LabInvalid with every problem)."""
    return Simulation(lab)


class KernelNet:
    """A lab up on the real kernel, in a throw-away sandbox (default) or in this
    machine's namespaces; down again on ``close`` or at the end of a ``with``."""

    name = "kernel"

    def __init__(self, lab: LabLike, *, sandbox: bool = True):
        self.r = _checked(lab)
        self.lab = self.r.lab
        self.sandbox = sandbox
        self._remote: Any = None
        self._local: Any = None

    def open(self) -> KernelNet:
        if self._remote is None and self._local is None:
            if self.sandbox:
                from .kernel.remote import Remote

                self._remote = Remote(self.r)
            else:
                from .kernel import KernelLab

                k = KernelLab(self.r)
                k.up()
                self._local = k
        return self

    def __enter__(self) -> KernelNet:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Take the lab down (the sandbox exits; a lab on the machine is removed)."""
        if self._remote is not None:
            self._remote.close()
            self._remote = None
        if self._local is not None:
            self._local.down()
            self._local = None

    def _call(self, op: str, *args: Any) -> Any:
        from .kernel.remote import OPS

        if self._remote is not None:
            return self._remote.call(op, *args)
        if self._local is None:
            raise InputError("this lab is not up: use `with vnetlab.kernel(lab) as net:` or net.open()")
        return OPS[op](self._local, *args)

    @property
    def sandbox_pid(self) -> int | None:
        """The sandbox process holding the lab (None outside a sandbox)."""
        return None if self._remote is None else int(self._remote.sandbox_pid)

    def ping(self, src: str, dst: str) -> bool:
        """Every address of ``dst`` answers ``src`` within a second; caches as they are."""
        return all(self.probe(src, ep.resolve_dst(self.r, dst), flush=False).values())

    def probe(self, src: str, dsts: Sequence[str], *, flush: bool = True) -> dict[str, bool]:
        return self._call("probe", src, list(dsts), flush)

    def matrix(self, proto: str = "icmp", port: int | None = None) -> Matrix:
        """All-pairs reachability: echo requests, or (v1.1) TCP connections / UDP datagrams to ``port``."""
        return self._call("matrix", proto, port)

    def evaluate(self, expectations: Sequence[Expectation] | None = None) -> list[Outcome]:
        return self._call("evaluate", list(self.lab.expect if expectations is None else expectations))

    def exec(self, node: str, argv: Sequence[str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run ``argv`` inside ``node``'s namespace; its exit status and text output."""
        return self._call("exec", node, list(argv), stdin)


def kernel(lab: LabLike, *, sandbox: bool = True) -> KernelNet:
    """The lab on the real kernel (root, or an unprivileged user namespace where allowed).

    ``with vnetlab.kernel(lab) as net:`` brings it up in a throw-away sandbox
    (its own mount and network namespaces; nothing is left even if this
    process is killed) and removes it at the end of the block."""
    return KernelNet(lab, sandbox=sandbox)


def compare(m1: Matrix, m2: Matrix) -> list[Any]:
    """The cells where two matrices of one lab disagree (``verify.compare.Cell``)."""
    from .verify.compare import compare as _compare

    return _compare(m1, m2)
