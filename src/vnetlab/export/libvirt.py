"""The lab's guests as libvirt ``<interface>`` XML.

A guest on a macvtap becomes ``<interface type='direct'>`` with the macvtap's
parent as source and its mode (libvirt spells passthru ``passthrough``);
libvirt then makes its own macvtap on that parent. A guest on a pre-created
tap becomes ``<interface type='ethernet'>`` with ``<target managed='no'>``.
``--domain`` wraps them in a minimal domain document, which libvirt's own
``virt-xml-validate`` accepts. Everything is built with ElementTree, which
escapes attribute and text values; no lab string goes into a comment.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..errors import InputError
from ..model.kinds import Macvtap
from ..resolve import Resolved

#: libvirt's schema (basictypes.rng "deviceName"): what <target dev> and <source dev> may hold
_DEVICE_NAME = re.compile(r"[a-zA-Z0-9_.\-\\:/]+")


def _dev(name: str, guest: str) -> str:
    if not _DEVICE_NAME.fullmatch(name):
        raise InputError(
            f"guest {guest}: libvirt cannot name device {name!r} (its schema allows only letters, digits and _.-:/\\); "
            "rename the interface to export it for libvirt"
        )
    return name


_MODES = {"passthru": "passthrough"}


def interfaces(r: Resolved) -> list[ET.Element]:
    out = []
    for name, g in r.guests.items():
        dev = r.ifaces[g.device]
        if dev.kind == "macvtap":
            parent = r.parent[g.device]
            el = ET.Element("interface", type="direct")
            assert isinstance(dev.spec, Macvtap)
            mode = dev.spec.mode
            ET.SubElement(el, "source", dev=_dev(parent[1], name), mode=_MODES.get(mode, mode))
        else:
            el = ET.Element("interface", type="ethernet")
            ET.SubElement(el, "target", dev=_dev(dev.name, name), managed="no")
        ET.SubElement(el, "mac", address=g.mac)
        ET.SubElement(el, "model", type="virtio")
        # libvirt's user alias names the guest (ua- and [A-Za-z0-9_-]: a guest name always fits);
        # no XML comment carries lab strings ("--" is illegal inside one)
        ET.SubElement(el, "alias", name=f"ua-vnetlab-{name}")
        out.append(el)
    return out


def _note(r: Resolved) -> str:
    """What libvirt's interface XML cannot carry, as an XML comment (node names are
    [a-z0-9_-]: only '--' could end a comment early, so it is split)."""
    nodes = [n.replace("--", "- -") for n, spec in r.lab.nodes.items() if spec.nftables is not None]
    if not nodes:
        return ""
    return f"<!-- note: the nftables rulesets of {', '.join(nodes)} are not part of libvirt's XML (load them with nft -f) -->\n"


def to_xml(r: Resolved, domain: bool = False) -> str:
    return _note(r) + _to_xml(r, domain)


def _to_xml(r: Resolved, domain: bool = False) -> str:
    els = interfaces(r)
    if domain:
        root = ET.Element("domain", type="qemu")
        ET.SubElement(root, "name").text = r.lab.lab
        ET.SubElement(root, "memory", unit="MiB").text = "256"
        os_ = ET.SubElement(root, "os")
        ET.SubElement(os_, "type", arch="x86_64").text = "hvm"
        devices = ET.SubElement(root, "devices")
        devices.extend(els)
        ET.indent(root)
        return ET.tostring(root, encoding="unicode") + "\n"
    parts = []
    for el in els:
        ET.indent(el)
        parts.append(ET.tostring(el, encoding="unicode"))
    return "\n".join(parts) + ("\n" if parts else "")
