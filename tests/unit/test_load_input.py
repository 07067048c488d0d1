"""The loader on hostile input (issues #12 and #20): explicit YAML tags, huge
integers, files that are not labs (never echoed), devices and FIFOs (never
read or waited on), control characters in names (never raw on the terminal),
and the size, alias and depth bounds. Every case runs the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from vnetlab import LabInvalid, load_text
from vnetlab.load import MAX_BYTES

BASE = "lab: t\nswitches: {lan: {}}\nnodes:\n  h:\n    interfaces:\n      eth0: {kind: nic, switch: lan, %s}\n"


def _cli(*args: str, stdin: bytes | None = None, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """The real command in its own process (a hang fails the test instead of the suite)."""
    return subprocess.run(
        [sys.executable, "-m", "vnetlab", *args],
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=None if stdin is not None else subprocess.DEVNULL,
    )


def _validate(tmp_path: Path, run_cli, text: str | bytes) -> tuple[int, str, str]:
    f = tmp_path / "lab.yaml"
    f.write_bytes(text.encode() if isinstance(text, str) else text)
    code, out, err = run_cli("validate", str(f))
    assert "Traceback" not in out + err and "internal error" not in err, out + err
    return code, out, err


# --- 1. explicit tags and huge integers --------------------------------------


@pytest.mark.parametrize(
    ("field", "tag"),
    [
        ("mtu: !!int abc", "!!int"),
        ('mtu: !!int ""', "!!int"),
        ("mtu: !!int 1500", "!!int"),
        ("up: !!bool yes", "!!bool"),
        ("up: !!bool true", "!!bool"),
        ("mac: !!str 02:00:00:00:00:01", "!!str"),
        ("mtu: !!float 1500", "!!float"),
        ("addresses: !!seq [192.0.2.1/24]", "!!seq"),
        ("port: !!map {}", "!!map"),
        ("up: !custom true", "!custom"),
        ("mtu: !<tag:yaml.org,2002:int> 1500", "!!int"),
        ("mtu: !!binary aGVsbG8=", "!!binary"),
    ],
)
def test_an_explicit_tag_is_refused_where_it_is_written(tmp_path: Path, run_cli, field: str, tag: str) -> None:
    code, out, _ = _validate(tmp_path, run_cli, BASE % field)
    assert code == 2
    col = len("      eth0: {kind: nic, switch: lan, ") + field.index(": ") + 3
    assert f"lab.yaml:6:{col}: explicit YAML tag {tag!r} is not allowed" in out, out
    assert out.splitlines()[0].endswith("[yaml-tag]")
    assert len(out.splitlines()) == 1, "the tagged value is one problem, not also a type error"


def test_a_tag_on_a_key_or_a_mapping_is_refused_too(tmp_path: Path, run_cli) -> None:
    code, out, _ = _validate(tmp_path, run_cli, "lab: t\n!!str nodes: !!map {h: {}}\n")
    assert code == 2
    assert "lab.yaml:2:1: explicit YAML tag '!!str'" in out
    assert "lab.yaml:2:14: explicit YAML tag '!!map'" in out


@pytest.mark.parametrize("number", ["9" * 5000, "-" + "1" * 5000, "0x" + "f" * 5000, "1_000" * 1000])
def test_a_huge_integer_is_a_clear_error(tmp_path: Path, run_cli, number: str) -> None:
    code, out, _ = _validate(tmp_path, run_cli, BASE % f"mtu: {number}")
    assert code == 2
    assert "digits is too large" in out and "[bad-value]" in out
    assert len(out) < 400, "the number is not echoed back"


def test_numbers_the_core_schema_allows_still_load() -> None:
    for text, mtu in [("1500", 1500), ("0x5dc", 1500), ("0o2734", 1500), ("1_500", 1500), ("0b10111011100", 1500)]:
        nic = load_text(BASE % f"mtu: {text}").nodes["h"].interfaces["eth0"]
        assert nic.mtu == mtu, text
    for text in ("_", "0o", "+_"):  # the int pattern, but no number: a string, refused by the schema
        with pytest.raises(LabInvalid) as e:
            load_text(BASE % f"mtu: {text}")
        assert "expected an integer" in str(e.value)


# --- 2. files that are not labs are never echoed ------------------------------

SHADOW = (
    "root:$6$Zq3sEcReT$9f8e7d6c5b4a3SECRETHASHroot0123456789:19000:0:99999:7:::\n"
    "daemon:*:19000:0:99999:7:::\n"
    "alice:$6$aLiCeSaLt$TOPSECRETalicehash/0123456789abcdef:19500:0:99999:7:::\n"
)
PASSWD = "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000:Alice SECRETNAME,,,:/home/alice:/bin/bash\n"
CONFIG = "password: SECRETVALUE\napi_token: SECRETTOKEN\n[section]\nkey = SECRETINI\n"


@pytest.mark.parametrize("content", [SHADOW, PASSWD, CONFIG, "password: SECRETVALUE\nuser: alice\n"])
@pytest.mark.parametrize("via_symlink", [False, True])
def test_a_file_that_is_not_a_lab_is_never_quoted(tmp_path: Path, run_cli, content: str, via_symlink: bool) -> None:
    secret = tmp_path / "secret"
    secret.write_text(content)
    lab = tmp_path / "lab.yaml"
    if via_symlink:
        lab.symlink_to(secret)
    else:
        lab.write_text(content)
    code, out, err = run_cli("validate", str(lab))
    assert code == 2
    assert "Traceback" not in out + err
    said = (out + err).replace(str(lab), "LAB")  # the path is the user's own
    for word in ("SECRET", "$6$", "root", "alice", "daemon", "hunter", "password", "/bin/bash"):
        assert word not in said, f"{word!r} echoed: {said}"
    code, out, _ = run_cli("validate", "--json", str(lab))
    said = out.replace(str(lab), "LAB")
    assert code == 2 and "SECRET" not in said and "alice" not in said


def test_a_long_key_or_value_is_quoted_cut_short(tmp_path: Path, run_cli) -> None:
    key, value = "k" * 1000, "x" * 5000  # YAML's implicit keys end at 1024 characters
    code, out, _ = _validate(tmp_path, run_cli, BASE % f"{key}: 1, mac: {value}")
    assert code == 2
    assert key[:100] not in out and value[:100] not in out
    assert "(1000 characters)" in out and "(5000 characters)" in out
    assert all(len(line) < 400 for line in out.splitlines()), out


# --- 3. devices and FIFOs -----------------------------------------------------


def test_dev_zero_is_refused_not_read() -> None:
    p = _cli("validate", "/dev/zero", timeout=20)
    assert p.returncode == 2, p.stdout + p.stderr
    assert "character device, not a regular file" in p.stderr
    assert "0 bytes" not in p.stdout + p.stderr


def test_a_fifo_without_a_writer_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "lab.yaml"
    os.mkfifo(fifo)
    p = _cli("validate", str(fifo), timeout=20)  # a hang is a TimeoutExpired: a failure
    assert p.returncode == 2, p.stdout + p.stderr
    assert "FIFO (named pipe), not a regular file" in p.stderr


def test_a_symlink_to_a_device_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "lab.yaml"
    link.symlink_to("/dev/zero")
    p = _cli("validate", str(link), timeout=20)
    assert p.returncode == 2 and "character device" in p.stderr


def test_stdin_is_read_as_dash() -> None:
    text = (Path(__file__).parent.parent.parent / "labs" / "router.yaml").read_bytes()
    p = _cli("validate", "-", stdin=text)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "valid" in p.stdout
    p = _cli("validate", "-", stdin=b"lab: t\nnodes: {h: {interfaces: {e: {kind: nic, switch: nope}}}}\n")
    assert p.returncode == 2 and p.stdout.startswith("<stdin>:2:")


# --- 4. control characters ----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        'lab: t\nnodes:\n  "h\\e[31mRED":\n    interfaces: {}\n',  # a node name
        'lab: t\nnodes:\n  h:\n    interfaces:\n      "e\\e]0;t\\a": {kind: bridge, master: "\\e[1mbr"}\n',  # a master
        'lab: t\nnodes:\n  h:\n    interfaces:\n      eth0: {kind: nic, switch: "l\\e[2J"}\n',  # a reference
        'lab: t\nnodes:\n  h:\n    interfaces:\n      eth0: {kind: "n\\eic", switch: lan}\n',  # a kind
        'lab: t\n"\\e[31m": 1\nnodes: {h: {}}\n',  # an unknown key
        'lab: t\nnodes:\n  h: {interfaces: {eth0: {kind: nic, switch: lan, mac: "\\e\\x9b\\u202e"}}}\n',  # a value
        'lab: t\n"\\e": 1\n"\\e": 2\nnodes: {h: {}}\n',  # a duplicate key
        'lab: t\nnodes:\n  "h\\e[31m": 5\n',  # a name heading a type error
    ],
)
def test_control_characters_are_escaped_in_messages(tmp_path: Path, run_cli, text: str) -> None:
    code, out, err = _validate(tmp_path, run_cli, text)
    assert code == 2
    for c in "\x1b\x07\x9b\u202e\r":
        assert c not in out + err, repr(out + err)
    assert "\\x1b" in out, out
    code, out, _ = run_cli("validate", "--json", str(tmp_path / "lab.yaml"))
    assert "\x1b" not in out


# --- 6. size, aliases, depth --------------------------------------------------


def test_a_lab_over_a_mebibyte_loads(tmp_path: Path, run_cli) -> None:
    text = BASE % "up: true" + "description: >\n" + "  padding padding padding padding\n" * 70_000
    assert len(text) > 1 << 21
    code, out, err = _validate(tmp_path, run_cli, text)
    assert code == 0, out + err


def test_a_file_over_the_limit_is_refused_with_its_size(tmp_path: Path, run_cli) -> None:
    f = tmp_path / "lab.yaml"
    with f.open("wb") as fh:
        fh.write(b"lab: x\nnodes:\n")
        fh.truncate(MAX_BYTES + 4096)  # sparse: no 64 MiB written
    code, out, _ = run_cli("validate", str(f))
    assert code == 2
    assert f"the file is {MAX_BYTES + 4096} bytes; a lab file may be at most {MAX_BYTES} bytes [too-large]" in out


def test_the_limit_applies_to_text_too() -> None:
    with pytest.raises(LabInvalid) as e:
        load_text("#" * (MAX_BYTES + 1))
    assert e.value.issues[0].rule == "too-large"


def test_an_alias_bomb_is_still_refused(tmp_path: Path, run_cli) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefg", "bcdefgh", strict=True):
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 10)}]")
    code, out, _ = _validate(tmp_path, run_cli, "\n".join(lines) + "\nlab: t\nnodes: {h: {}}\n")
    assert code == 2
    assert "YAML nodes (aliases expanded) [too-large]" in out


def test_a_few_aliases_are_fine() -> None:
    text = "lab: t\nswitches: {lan: {}}\nx: &nic {kind: nic, switch: lan}\nnodes:\n" + "".join(
        f"  h{i}: {{interfaces: {{eth0: *nic}}}}\n" for i in range(50)
    )
    with pytest.raises(LabInvalid) as e:  # 'x' is no key of a lab, but the aliases themselves load
        load_text(text)
    assert [i.rule for i in e.value.issues] == ["unknown-key"]


@pytest.mark.parametrize(
    "text",
    [
        "lab: t\nnodes: " + "[" * 5000 + "]" * 5000 + "\n",
        "lab: t\nnodes: " + "[" * 70 + "]" * 70 + "\n",
        "lab: t\nnodes:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 200)),
        "lab: t\nnodes: " + "{a: " * 900 + "1" + "}" * 900 + "\n",
    ],
    ids=["flow-5000", "flow-70", "block-200", "map-900"],
)
def test_deep_nesting_is_still_refused(tmp_path: Path, run_cli, text: str) -> None:
    code, out, _ = _validate(tmp_path, run_cli, text)
    assert code == 2
    assert "nests deeper than 64 levels [too-large]" in out, out
