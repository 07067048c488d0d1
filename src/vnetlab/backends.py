"""Choosing a backend for a lab: the simulator, a running kernel lab, or a sandbox.

Everything above (verification, CLI) talks to what these return through the
same few methods: ``probe``, ``resolve_dst``, ``matrix``, ``evaluate``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .model import Expectation
from .resolve import Resolved
from .verify.expect import Outcome, evaluate


class SimBackend:
    name = "sim"

    def __init__(self, r: Resolved):
        from .sim import Simulator

        self.sim = Simulator(r)
        self.r = r

    def probe(self, src: str, dsts: Sequence[str], *, flush: bool = True) -> dict[str, bool]:
        return self.sim.probe(src, dsts, flush=flush)

    def resolve_dst(self, dst: str) -> list[str]:
        return self.sim.resolve_dst(dst)

    def matrix(self) -> dict[str, Any]:
        return self.sim.matrix()

    def evaluate(self, expectations: Sequence[Expectation]) -> list[Outcome]:
        return evaluate(self.sim, expectations)


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

    def _call(self, method: str, *args: Any) -> Any:
        from .kernel import sandboxed

        if self.running:
            return getattr(self.live, method)(*args)
        return sandboxed(self.r, method, *args)

    def probe(self, src: str, dsts: Sequence[str], *, flush: bool = True) -> dict[str, bool]:
        return self._call("probe", src, list(dsts), flush)  # type: ignore[no-any-return]

    def resolve_dst(self, dst: str) -> list[str]:
        return self.live.resolve_dst(dst)

    def matrix(self) -> dict[str, Any]:
        return self._call("matrix")  # type: ignore[no-any-return]

    def evaluate(self, expectations: Sequence[Expectation]) -> list[Outcome]:
        return self._call("evaluate", list(expectations))  # type: ignore[no-any-return]


def open_backend(r: Resolved, name: str) -> SimBackend | KernelBackend:
    return SimBackend(r) if name == "sim" else KernelBackend(r)
