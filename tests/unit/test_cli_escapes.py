"""Lab strings reach the terminal escaped: a name or `why:` holding ESC, BEL,
C1 or bidi controls is printed as visible \\x1b-style escapes, and rich markup
in it ([red], [/]) is text, in every command that prints lab strings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ESC_NAME = "e\x1b[31m"  # what the kernel itself accepts as an interface name
WHY = "\x1b[2J\x1b]0;pwned\x07 [red]x[/] \u202e\x9b"

LAB = """\
lab: esc
description: "\\e[2J a description"
nodes:
  a:
    interfaces:
      "{ifname}": {{kind: veth, peer: b/eth0, addresses: [192.0.2.1/24]}}
  b:
    interfaces:
      eth0: {{kind: veth, peer: "a/{ifname}", addresses: [192.0.2.2/24]}}
expect:
  - {{from: a, to: b, reach: true, why: "\\e[2J\\e]0;pwned\\a [red]x[/] \\u202e\\x9b"}}
  - {{from: a, to: b, reach: false, why: "[/]"}}
"""


def lab_text(ifname: str) -> str:
    return LAB.format(ifname=ifname.replace("\x1b", "\\e"))


def vnetlab(*args: str) -> tuple[int, str, str]:
    p = subprocess.run([sys.executable, "-m", "vnetlab", *args], capture_output=True, text=True, check=False)
    return p.returncode, p.stdout, p.stderr


def raw_controls(text: str) -> set[str]:
    """Control characters that would reach the terminal (newlines and tabs are layout)."""
    return {c for c in text if (ord(c) < 0x20 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F or c == "\u202e"}


def write_lab(tmp_path: Path) -> tuple[Path, bool]:
    """The lab with an escape in an interface name if validation accepts such
    names, else with escapes in its free text only (why:, description)."""
    path = tmp_path / "esc.yaml"
    path.write_text(lab_text(ESC_NAME))
    code, out, err = vnetlab("validate", str(path))
    assert not raw_controls(out + err)
    if code == 0:
        return path, True
    assert code == 2 and "\\x1b" in err + out  # refused, and the refusal itself is escaped
    path.write_text(lab_text("eth0"))
    return path, False


def test_plan_test_trace_escape_lab_strings(tmp_path: Path) -> None:
    path, named = write_lab(tmp_path)
    outputs = {
        "plan": vnetlab("plan", str(path)),
        "test": vnetlab("test", str(path)),
        "trace": vnetlab("trace", str(path), "a", "b", "-v"),
        "trace-to-name": vnetlab("trace", str(path), "a", ESC_NAME),  # an error naming the bad destination
        "validate": vnetlab("validate", str(path)),
    }
    for cmd, (_code, out, err) in outputs.items():
        assert not raw_controls(out + err), (cmd, out, err)
        assert "Traceback" not in err, (cmd, err)
    code, out, _ = outputs["test"]
    assert code == 1  # the second expectation fails
    assert "\\x1b[2J\\x1b]0;pwned\\x07 [red]x[/] \\u202e\\x9b" in out  # the why:, visibly, markup as text
    assert "[/]" in out
    assert "\\x1b" in outputs["trace-to-name"][2]
    if named:
        assert "add veth e\\x1b[31m" in outputs["plan"][1]
        assert "a/e\\x1b[31m" in outputs["trace"][1]


def test_ipv6_addresses_and_colon_words_are_printed_as_written(tmp_path: Path) -> None:
    """rich turns :a:, :b: and other :name: codes into emoji unless told not to: an IPv6
    address such as fd00:a::1 must be printed as it is, in tables and in plain lines."""
    path = tmp_path / "em.yaml"
    path.write_text(
        "lab: em\nswitches: {s: {}}\nnodes:\n"
        '  a: {interfaces: {eth0: {kind: nic, switch: s, addresses: ["fd00:a::1/64"]}}}\n'
        '  b: {interfaces: {eth0: {kind: nic, switch: s, addresses: ["fd00:b::2/64"]}}}\n'
        'expect:\n  - {from: a, to: "fd00:b::2", reach: false, why: "the :b: and :smile: stay text"}\n'
    )
    code, out, _ = vnetlab("matrix", str(path), "--backend", "sim")
    assert code == 0 and "fd00:a::1" in out and "fd00:b::2" in out, out
    code, out, _ = vnetlab("test", str(path), "--backend", "sim")
    assert code == 0 and "fd00:b::2" in out and ":smile:" in out, out
