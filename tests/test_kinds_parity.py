"""Each device kind lives in one obvious place per layer: the model, the
simulator and the kernel backend keep registries with the same keys."""

from vnetlab.kernel.kinds import CONFIG, KERNEL_KINDS
from vnetlab.model import KINDS
from vnetlab.sim.kinds import SIM_KINDS


def test_every_kind_exists_in_every_layer() -> None:
    assert set(KINDS) == set(SIM_KINDS) == set(KERNEL_KINDS)
    assert set(KINDS) <= set(CONFIG)
