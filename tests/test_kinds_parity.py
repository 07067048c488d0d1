"""Each device kind lives in one obvious place per layer: the model, the
simulator, the kernel backend and the exports keep registries with the same
keys, and every adapter module of a layer has every attribute that layer asks
of it (a missing one would otherwise fail only when a lab of that kind runs)."""

import sys
from types import ModuleType

import pytest

from vnetlab.export.kinds import ADAPTER_ATTRS as EXPORT_ATTRS
from vnetlab.export.kinds import EXPORT_KINDS
from vnetlab.kernel.kinds import ADAPTER_ATTRS as KERNEL_ATTRS
from vnetlab.kernel.kinds import CONFIG, DECODERS, KERNEL_KINDS, PROBES
from vnetlab.model import CHILD_KINDS, KINDS
from vnetlab.model.base import InterfaceBase
from vnetlab.sim.kinds import ADAPTER_ATTRS as SIM_ATTRS
from vnetlab.sim.kinds import SIM_KINDS

MODEL_ATTRS = ("link_fields", "local_deps", "CHILD", "ETHERNET", "MAX_MTU", "HOLDS_OWN_RX_HANDLER", "NO_RX_HANDLER")


def test_every_kind_exists_in_every_layer() -> None:
    assert set(KINDS) == set(SIM_KINDS) == set(KERNEL_KINDS) == set(EXPORT_KINDS)
    assert set(KINDS) <= set(CONFIG) == set(PROBES)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_has_every_adapter_attribute(kind: str) -> None:
    cls = KINDS[kind]
    assert issubclass(cls, InterfaceBase)
    assert cls.model_fields["kind"].annotation.__args__ == (kind,)  # the discriminator names it
    for a in MODEL_ATTRS:
        assert hasattr(cls, a), f"model kind {kind} lacks {a}"
    sim = sys.modules[SIM_KINDS[kind].__module__]
    for layer, mod, attrs in (
        ("sim", sim, SIM_ATTRS),
        ("kernel", KERNEL_KINDS[kind], KERNEL_ATTRS),
        ("export", EXPORT_KINDS[kind], EXPORT_ATTRS),
    ):
        assert isinstance(mod, ModuleType)
        missing = [a for a in attrs if not hasattr(mod, a)]
        assert not missing, f"{layer} adapter {mod.__name__} of kind {kind} lacks {missing}"
        assert kind in mod.KINDS
    assert CONFIG[kind].startswith("CONFIG_")
    for k in KERNEL_KINDS[kind].DECODES:  # what it reads back is its own
        assert DECODERS[k] is KERNEL_KINDS[kind]
    if kind in CHILD_KINDS:  # a child is named on its parent's .network
        assert kind in EXPORT_KINDS[kind].NETWORK_KEYS
        assert KERNEL_KINDS[kind].LINKED == "parent"


def test_every_kernel_kind_read_back_is_one_a_lab_describes() -> None:
    served = {k for mod in KERNEL_KINDS.values() for k in mod.DECODES}
    assert served == set(DECODERS)
    assert all(mod.KINDS for mod in DECODERS.values())
