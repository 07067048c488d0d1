"""pytest plugin (entry point ``pytest11``): the ``vnetlab_lab`` fixture factory.

    def test_isolation(vnetlab_lab):
        net = vnetlab_lab("lab.yaml", backend="kernel")   # up in a throw-away sandbox
        assert net.ping("c1", "c2")
        assert not net.ping("host", "c1")

``backend="kernel"`` (the default) brings the lab up in a private sandbox for
the test and removes it afterwards, also when the test fails (and the kernel
frees it if the test process is killed). ``backend="sim"`` returns the
simulator. A relative path is looked up next to the test file first, then
from the current directory. Where this machine cannot run the kernel backend
(no root and no user namespaces, or a device kind the kernel lacks), the test
is skipped with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def vnetlab_lab(request: pytest.FixtureRequest) -> Iterator[Callable[..., Any]]:
    """Factory: ``vnetlab_lab(path_or_lab, backend="kernel"|"sim")`` → a lab to probe."""
    import vnetlab

    opened: list[Any] = []

    def open_lab(lab: Any, backend: str = "kernel") -> Any:
        if isinstance(lab, (str, Path)):
            p = Path(lab)
            here = request.path.parent / p
            lab = vnetlab.load(here if not p.is_absolute() and here.exists() else p)
        if backend == "sim":
            return vnetlab.simulate(lab)
        if backend != "kernel":
            raise ValueError(f"backend must be 'kernel' or 'sim', not {backend!r}")
        net = vnetlab.kernel(lab, sandbox=True)
        try:
            net.open()
        except vnetlab.EnvironmentProblem as e:
            pytest.skip(f"vnetlab kernel backend unavailable: {e}")
        opened.append(net)
        return net

    try:
        yield open_lab
    finally:
        for net in reversed(opened):
            net.close()
