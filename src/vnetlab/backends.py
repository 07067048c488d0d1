"""Choosing a backend for a lab: the simulator, a running kernel lab, or a sandbox.

Everything above (verification, the CLI, the Python API) talks to what
``open_backend`` returns through the ``Backend`` protocol only: probe, the
matrix, expectations, and the skip policy (what a backend cannot judge, such
as a guest nobody serves on the kernel). On the simulator nothing is skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from .model import Expectation
from .resolve import Resolved
from .verify import endpoints as ep
from .verify.expect import Outcome, evaluate
from .verify.matrix import Matrix


class Backend(Protocol):
    name: str
    r: Resolved

    def probe(self, src: str, dsts: Sequence[str], *, flush: bool = True) -> dict[str, bool]: ...

    def resolve_dst(self, dst: str) -> list[str]: ...

    def matrix(self, proto: str = "icmp", port: int | None = None) -> Matrix: ...

    def evaluate(self, expectations: Sequence[Expectation]) -> list[Outcome]: ...

    def skip_reason(self, e: Expectation) -> str | None:
        """Why this backend cannot check ``e`` (None: it can)."""
        ...

    def lab_problem(self) -> str | None:
        """What makes the lab fail as a whole on this backend (None: nothing)."""
        ...


class SimBackend:
    name = "sim"

    def __init__(self, r: Resolved):
        from .sim import Simulator

        self.sim = Simulator(r)
        self.r = r

    def probe(
        self, src: str, dsts: Sequence[str], *, flush: bool = True, proto: str = "icmp", port: int | None = None
    ) -> dict[str, bool]:
        return self.sim.probe(src, dsts, flush=flush, proto=proto, port=port)

    def resolve_dst(self, dst: str) -> list[str]:
        return ep.resolve_dst(self.r, dst)

    def answers(
        self, src: str, dsts: Sequence[str], *, proto: str = "icmp", port: int | None = None
    ) -> dict[str, str | None]:
        return self.sim.answers(src, dsts, proto=proto, port=port)

    def matrix(self, proto: str = "icmp", port: int | None = None) -> Matrix:
        return self.sim.matrix(proto, port)

    def skip_reason(self, e: Expectation) -> str | None:
        return None

    def lab_problem(self) -> str | None:
        return None

    def evaluate(self, expectations: Sequence[Expectation]) -> list[Outcome]:
        return evaluate(self, expectations)


class KernelBackend:
    """A lab on the kernel: the running one if it is up, else a throw-away sandbox per call."""

    name = "kernel"

    def __init__(self, r: Resolved):
        from .kernel import KernelLab, preflight

        self.r = r
        preflight.require_privileges()
        self.live = KernelLab(r)
        self.running = self.live.is_up()
        if self.running:
            self.live.attach()  # the lab's guest daemon, if it has guests

    def probe(self, src: str, dsts: Sequence[str], *, flush: bool = True) -> dict[str, bool]:
        from .kernel import KernelLab, sandboxed

        if self.running:
            return self.live.probe(src, dsts, flush)
        return sandboxed(self.r, KernelLab.probe, src, list(dsts), flush)

    def resolve_dst(self, dst: str) -> list[str]:
        return ep.resolve_dst(self.r, dst)

    def answers(
        self, src: str, dsts: Sequence[str], *, proto: str = "icmp", port: int | None = None
    ) -> dict[str, str | None]:
        from .kernel import KernelLab, sandboxed

        if self.running:
            try:
                return self.live.answers(src, dsts, True, proto, port)
            finally:
                self.live._close_responder()
        return sandboxed(self.r, KernelLab.answers, src, list(dsts), True, proto, port)

    def matrix(self, proto: str = "icmp", port: int | None = None) -> Matrix:
        from .kernel import sandboxed_matrix

        return self.live.matrix(proto, port) if self.running else sandboxed_matrix(self.r, proto, port)

    def skip_reason(self, e: Expectation) -> str | None:
        # a sandboxed lab runs its own guest daemon: nothing to skip there
        return self.live.skip_reason(e) if self.running else None

    def lab_problem(self) -> str | None:
        """A running lab whose guest daemon is gone is not the lab as written."""
        from .kernel import guestd

        return guestd.lost(self.live) if self.running else None

    def evaluate(self, expectations: Sequence[Expectation]) -> list[Outcome]:
        from .kernel import KernelLab, sandboxed

        if self.running:
            return self.live.evaluate(expectations)
        return sandboxed(self.r, KernelLab.evaluate, list(expectations))


def open_backend(r: Resolved, name: str) -> Backend:
    return SimBackend(r) if name == "sim" else KernelBackend(r)
