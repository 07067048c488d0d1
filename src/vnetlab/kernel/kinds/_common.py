"""What the importer hands a kernel adapter's ``decode``, and the attributes every adapter has."""

from __future__ import annotations

from typing import Any, Protocol

from ...plan.steps import LinkSpec, Step

#: what every module of this package defines (the parity test checks each)
ADAPTER_ATTRS = ("KINDS", "CONFIG", "link_args", "probe", "DECODES", "LINKED", "decode")


class Executor(Protocol):
    """What ``link_args`` and ``after`` may ask of the executor (kernel/apply.py's Executor)."""

    def netns(self, ns: str) -> Any:
        """The namespace of lab name ``ns`` (its file descriptor for IFLA_NET_NS_FD)."""

    def index(self, ns: str, name: str) -> int:
        """The ifindex of device ``name`` in ``ns``."""

    def ipr(self, ns: str) -> Any:
        """The pyroute2 IPRoute handle of ``ns``."""


def link_spec(step: Step) -> LinkSpec:
    """A ``link`` step's spec."""
    assert isinstance(step.spec, LinkSpec), step
    return step.spec


class Decoding(Protocol):
    """One link being read back into lab text (kernel/importer.py)."""

    ns: str  # its namespace's key
    links: dict[int, Any]  # that namespace's links by ifindex

    def linked(self, ln: Any) -> Any:
        """The link its IFLA_LINK names (its peer or parent), in the namespace IFLA_LINK_NETNSID says."""

    def ref(self, ln: Any) -> str:
        """A lab reference to ``ln`` from this namespace (``name`` or ``node/name``), YAML-quoted."""

    def q(self, s: str) -> str:
        """A kernel-chosen name as a YAML scalar."""

    def emitted(self, index: int) -> bool:
        """Whether this namespace's link ``index`` is in the lab."""
