"""A node's ``nftables:``: nft's own check (in a throw-away user+network
namespace), vnetlab's refusals before it, positions inside the YAML block,
the plan step, the exports' handling and the simulator's refusal."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import ROOT
from vnetlab import LabInvalid, load, load_text, nft, resolve
from vnetlab.export import ip_batch, networkd
from vnetlab.plan import build_plan

pytestmark = pytest.mark.skipif(shutil.which("nft") is None, reason="needs nft (nftables)")

ROUTER = ROOT / "labs" / "router-filter.yaml"

GOOD = """table inet filter {
  chain input {
    type filter hook input priority 0; policy accept;
    icmp type echo-request drop
  }
}
"""


def _lab(ruleset_yaml: str) -> str:
    return (
        textwrap.dedent(
            """\
        lab: t
        nodes:
          h:
            interfaces:
              e: {kind: veth, peer: p/e, addresses: [192.0.2.1/24]}
        """
        )
        + ruleset_yaml
        + "  p:\n    interfaces:\n      e: {kind: veth, peer: h/e, addresses: [192.0.2.2/24]}\n"
    )


def _issues(text: str) -> list:
    with pytest.raises(LabInvalid) as e:
        load_text(text, "lab.yaml")
    return e.value.issues


def test_a_good_ruleset_validates_and_is_kept_verbatim() -> None:
    lab = load_text(_lab("    nftables: |\n" + textwrap.indent(GOOD, "      ")), "lab.yaml")
    assert lab.nodes["h"].nftables == GOOD and lab.nodes["p"].nftables is None


IIF = """table ip t {
  chain f {
    type filter hook input priority 0; policy accept;
    iif "NAME" drop
  }
}
"""


def test_iif_may_name_the_nodes_own_interfaces_only() -> None:
    """nft resolves ``iif``/``oif`` to an index when it loads the rule; the kernel backend loads
    the ruleset after making the node's interfaces, so the check sees them too (it used to run
    in an empty namespace: "Interface does not exist" for a valid lab). Another node's
    interface, or one nobody has, is still what nft refuses, at its line."""
    own = IIF.replace("NAME", "e")
    lab = load_text(_lab("    nftables: |\n" + textwrap.indent(own, "      ")), "lab.yaml")
    assert lab.nodes["h"].nftables == own
    from vnetlab.sim import Simulator

    assert Simulator(lab).matrix()["rows"]["p"] == {"192.0.2.1": False, "192.0.2.2": True}
    for other in ("eth9", "lo2"):
        issues = _issues(_lab("    nftables: |\n" + textwrap.indent(IIF.replace("NAME", other), "      ")))
        assert [(i.line, i.col, i.rule) for i in issues] == [(10, 15, "nftables-syntax")], issues
        assert "Interface does not exist" in issues[0].message


def test_nft_error_is_reported_at_its_line_and_column_in_the_block() -> None:
    bad = GOOD.replace("icmp type echo-request drop", "icmp type echo-request dorp")
    text = _lab("    nftables: |\n" + textwrap.indent(bad, "        "))  # deeper indentation than usual
    (issue,) = _issues(text)
    assert issue.rule == "nftables-syntax" and "nft:" in issue.message and "node h" in issue.message
    (own,) = nft.check_syntax(bad)  # where nft itself points, inside the ruleset
    assert (issue.line, issue.col) == (7 + own.line - 1, 8 + own.col)
    assert text.splitlines()[issue.line - 1].strip() == "icmp type echo-request dorp"


def test_a_quoted_ruleset_is_reported_at_the_value() -> None:
    text = _lab('    nftables: "table inet t { chain c { dorp } }"\n')
    (issue,) = _issues(text)
    assert issue.rule == "nftables-syntax" and (issue.line, issue.col) == (6, 15)


def test_include_is_refused_before_nft_reads_anything(tmp_path, monkeypatch) -> None:
    secret = tmp_path / "secret.nft"
    secret.write_text("this is no ruleset SECRET-CONTENT\n")
    text = _lab(f'    nftables: |\n      include "{secret}"\n')
    called = []
    monkeypatch.setattr(nft, "check_syntax", lambda t: called.append(t) or ())
    (issue,) = _issues(text)
    assert issue.rule == "nftables-include" and (issue.line, issue.col) == (7, 7)
    assert "SECRET-CONTENT" not in issue.message and called == []


def test_a_ruleset_over_the_cap_is_refused() -> None:
    big = "table inet t {\n" + "".join(f"  chain c{i} {{ }}\n" for i in range(5000)) + "}\n"
    assert len(big) > nft.MAX_BYTES
    (issue,) = _issues(_lab("    nftables: |\n" + textwrap.indent(big, "      ")))
    assert issue.rule == "nftables-size"


def test_the_check_never_touches_this_machines_ruleset() -> None:
    """nft -c runs in a new user+network namespace: a ruleset that would be
    accepted is checked without any table appearing here."""
    if os.geteuid() != 0:
        pytest.skip("reading this machine's ruleset needs root")
    before = subprocess.run(["nft", "list", "tables"], capture_output=True, text=True, check=False).stdout
    unique = GOOD.replace("inet filter", "inet vnetlab_check_probe")
    nft.check_syntax.cache_clear()
    assert nft.problems(unique) == []
    after = subprocess.run(["nft", "list", "tables"], capture_output=True, text=True, check=False).stdout
    assert before == after and "vnetlab_check_probe" not in after


def test_the_check_works_without_root() -> None:
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root to drop to nobody")
    code = (
        "from vnetlab import nft; import sys; "
        "print(nft.problems(sys.stdin.read()) == [], nft.problems('table inet t { dorp }')[0].rule)"
    )
    p = subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c", code],
        input=GOOD,
        capture_output=True,
        text=True,
        check=False,
        cwd="/",
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    assert p.stdout.split() == ["True", "nftables-syntax"], p.stderr


def test_the_ruleset_is_the_last_step_of_its_node() -> None:
    r = resolve(load(ROUTER))
    steps = build_plan(r)
    nft_steps = [s for s in steps if s.op == "nft"]
    assert [(s.ns, s.args["ruleset"]) for s in nft_steps] == [("r", r.lab.nodes["r"].nftables)]
    assert steps[-1].op == "nft"  # after interfaces, addresses, sysctls, routes
    assert nft_steps[0].describe().startswith("load nftables ruleset (")


def test_ip_export_passes_a_hostile_ruleset_literally(tmp_path) -> None:
    """The script's nft line, with nft swapped for cat: the shell hands nft
    exactly the lab's text (quotes, $(...), backticks, a heredoc end word)."""
    hostile = 'table inet t { comment "$(touch X) `touch Y` \' EOF\\"" }\nEOF\n\'"; touch Z\n'
    r = resolve(load(ROUTER))
    lab = r.lab.model_copy(
        update={"nodes": {**r.lab.nodes, "r": r.lab.nodes["r"].model_copy(update={"nftables": hostile})}}
    )
    script = ip_batch.to_script(resolve(lab))
    start = script.index("printf '%s\\n' ")
    line = script[start : script.index(" | ip netns exec rfilter-r nft -f -", start)]
    out = subprocess.run(["sh", "-c", line], capture_output=True, text=True, check=True, cwd=tmp_path).stdout
    assert out == hostile + "\n"
    assert list(tmp_path.iterdir()) == []


def test_networkd_and_nspawn_say_they_cannot_carry_it() -> None:
    notes = networkd.notes(resolve(load(ROUTER)))
    assert any(n.startswith("r: its nftables ruleset") for n in notes)


@pytest.mark.parametrize(
    "argv",
    [
        ["test"],
        ["matrix"],
        ["diff"],
        ["ping", "LAB", "a", "b"],
        ["trace", "LAB", "a", "b"],
        ["test", "--backend", "both"],
    ],
)
def test_the_simulator_refuses_a_ruleset_outside_its_subset(argv, run_cli, tmp_path) -> None:
    """A NAT to an address range is outside the simulated subset (sim/nft.py): every sim command exits 3 naming it."""
    text = ROUTER.read_text().replace(
        "    nftables: |\n",
        "    nftables: |\n      table ip nat {\n        chain post {\n"
        "          type nat hook postrouting priority srcnat; policy accept;\n          snat to 192.0.2.1-192.0.2.5\n        }\n      }\n",
    )
    lab = tmp_path / "nat.yaml"
    lab.write_text(text)
    args = [str(lab) if a == "LAB" else a for a in argv]
    if "LAB" not in argv:
        args.insert(1, str(lab))
    code, out, err = run_cli(*args)
    assert code == 3, (code, out, err)
    assert (
        "node r's nftables ruleset: the simulator does not evaluate the address "
        '{"range": ["192.0.2.1", "192.0.2.5"]} of \'snat\' (ranges, prefixes and maps) '
        "(table ip nat chain post); use --backend kernel"
    ) in err


def test_libvirt_says_it_cannot_carry_it() -> None:
    from xml.dom import minidom

    from vnetlab.export import libvirt

    text = """lab: lv
nodes:
  h--x:
    interfaces:
      t: {kind: tap, guest: {name: vm, addresses: [192.0.2.5/24]}, addresses: [192.0.2.1/24]}
    nftables: |
      table inet t {
      }
"""
    r = resolve(load_text(text))
    doc = libvirt.to_xml(r, domain=True)
    assert doc.startswith("<!-- note: the nftables rulesets of h- -x are not part of libvirt's XML")
    minidom.parseString(doc)  # still one well-formed document


DATA = ROOT / "tests" / "data"


def test_the_ruleset_may_name_every_device_the_node_will_have() -> None:
    """b's eth0 exists only because a's veth names it as its peer, and b's `up` is named like an
    `ip link` keyword: both are in the throw-away namespace, so `iif` naming them validates and
    simulates. A `list ruleset` inside the ruleset (nft prints it) does not confuse the listing."""
    from vnetlab.sim import Simulator

    lab = load(DATA / "nft-implicit-keyword-list.yaml")
    rows = Simulator(lab).matrix()["rows"]
    assert rows["a"] == {"192.0.2.1": True, "198.51.100.1": True, "198.51.100.2": True}


def test_a_device_by_its_index_number_is_refused_by_the_simulator() -> None:
    """`iif 2`: which of the node's devices has index 2 depends on the order the kernel made them;
    the simulator refuses it (exit 3), naming it, instead of guessing a device."""
    from vnetlab.sim import sim_unsupported

    text = (DATA / "nft-implicit-keyword-list.yaml").read_text().replace('iif "eth0" drop', "iif 2 drop")
    why = sim_unsupported(load_text(text, "lab.yaml"))
    assert why is not None and "'iif 2' (a device by its index number" in why, why


def test_equal_priority_base_chains_run_newest_first(run_cli) -> None:
    """Two input chains at priority 0: the kernel runs the one registered last first
    (nf_hook_entries_grow; measured with counters, docs/kernel-semantics.md §8), so it is
    table `second`'s reject that the sender gets, and the trace names it."""
    code, out, _ = run_cli("trace", str(DATA / "nft-equal-priority.yaml"), "a", "192.0.2.2")
    assert code == 1
    because = [ln for ln in out.splitlines() if ln.strip().startswith("because")]
    assert len(because) == 1 and "table ip second chain i" in because[0] and "nft-reject" in because[0], out
