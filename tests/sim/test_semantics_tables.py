"""One test per cell of the §4 tables of docs/kernel-semantics.md.

The tables were measured on a real kernel ([V]) or derived from its source
([S], ipvlan — since checked on a full kernel in a VM). The simulator must
give the same answer in every cell; each cell runs from cold caches.
"""

from __future__ import annotations

import pytest

from .bed import bed, reach

Y, N = True, False
BOTH = (("a", "b"), ("b", "a"))


def _static_pair(x: str, y: str) -> tuple[tuple[str, str], ...]:
    return ((x, y), (y, x))


# §4.1 two macvlans on the same parent, same mode: a→b dyn, b→a dyn, a→b static
T41 = [
    ("private", False, N, N, N),
    ("private", True, N, N, Y),
    ("vepa", False, N, N, N),
    ("vepa", True, Y, Y, Y),
    ("bridge", False, Y, Y, Y),
    ("bridge", True, Y, Y, Y),
]


@pytest.mark.parametrize("kind", ["macvlan", "macvtap"])
@pytest.mark.parametrize(("mode", "hairpin", "ab", "ba", "ab_static"), T41)
def test_4_1_same_mode_siblings(kind: str, mode: str, hairpin: bool, ab: bool, ba: bool, ab_static: bool) -> None:
    sim = bed(mode, mode, hairpin=hairpin, kind=kind)
    assert reach(sim, "a", "b") is ab
    assert reach(sim, "b", "a") is ba
    sim = bed(mode, mode, hairpin=hairpin, kind=kind, static=_static_pair("a", "b"))
    assert reach(sim, "a", "b") is ab_static


def test_4_1_passthru_refuses_a_second_child() -> None:
    from vnetlab import LabInvalid

    with pytest.raises(LabInvalid) as e:
        bed("passthru", "bridge")
    assert e.value.issues[0].rule == "passthru-alone"


# §4.2 mixed modes: a↔b dyn (both directions), a→b static
T42 = [
    ("bridge", "vepa", False, N, N),
    ("bridge", "vepa", True, Y, Y),
    ("bridge", "private", False, N, N),
    ("bridge", "private", True, N, Y),
    ("vepa", "private", False, N, N),
    ("vepa", "private", True, N, Y),
]


@pytest.mark.parametrize(("ma", "mb", "hairpin", "dyn", "static"), T42)
def test_4_2_mixed_modes(ma: str, mb: str, hairpin: bool, dyn: bool, static: bool) -> None:
    sim = bed(ma, mb, hairpin=hairpin)
    assert reach(sim, "a", "b") is dyn
    assert reach(sim, "b", "a") is dyn
    sim = bed(ma, mb, hairpin=hairpin, static=_static_pair("a", "b"))
    assert reach(sim, "a", "b") is static


# §4.3 parent (host) ↔ child a: parent→child dyn, child→parent dyn, both static
T43 = [
    ("private", False, N, N, N),
    ("private", True, Y, N, Y),
    ("vepa", False, N, N, N),
    ("vepa", True, Y, Y, Y),
    ("bridge", False, N, N, N),
    ("bridge", True, Y, Y, Y),
]


@pytest.mark.parametrize("kind", ["macvlan", "macvtap"])
@pytest.mark.parametrize(("mode", "hairpin", "pc", "cp", "static"), T43)
def test_4_3_parent_and_child(kind: str, mode: str, hairpin: bool, pc: bool, cp: bool, static: bool) -> None:
    sim = bed(mode, hairpin=hairpin, kind=kind)
    assert reach(sim, "host", "a") is pc
    assert reach(sim, "a", "host") is cp
    sim = bed(mode, hairpin=hairpin, kind=kind, static=_static_pair("host", "a"))
    assert reach(sim, "host", "a") is static
    assert reach(sim, "a", "host") is static


@pytest.mark.parametrize("hairpin", [False, True])
@pytest.mark.parametrize("nopromisc", [False, True])
def test_4_3_passthru_child_steals_the_parents_unicast(hairpin: bool, nopromisc: bool) -> None:
    sim = bed("passthru", hairpin=hairpin, extra_a=", nopromisc: true" if nopromisc else "")
    assert reach(sim, "host", "a") is False
    assert reach(sim, "a", "host") is False
    assert reach(sim, "host", "peer") is False
    assert reach(sim, "peer", "host") is False


# §4.4 child ↔ peer behind the switch
@pytest.mark.parametrize("kind", ["macvlan", "macvtap"])
@pytest.mark.parametrize("mode", ["private", "vepa", "bridge", "passthru"])
@pytest.mark.parametrize("hairpin", [False, True])
def test_4_4_child_and_peer(kind: str, mode: str, hairpin: bool) -> None:
    sim = bed(mode, hairpin=hairpin, kind=kind)
    assert reach(sim, "a", "peer") is True
    assert reach(sim, "peer", "a") is True


def test_4_4_source_mode_listed_peer() -> None:
    sim = bed("source", extra_a=', source_macs: ["02:00:00:00:00:64"]')
    assert reach(sim, "a", "peer") is True
    assert reach(sim, "peer", "a") is True


def test_4_4_source_mode_unlisted_peer() -> None:
    sim = bed("source", extra_a=', source_macs: ["02:00:00:00:00:99"]')
    assert reach(sim, "peer", "a") is False


# §4.5 macvtap with a descriptor open: its own stack receives nothing
@pytest.mark.parametrize("mode", ["bridge", "vepa", "private"])
def test_4_5_macvtap_with_an_open_fd_starves_its_own_stack(mode: str) -> None:
    sim = bed(mode, kind="macvtap", extra_a=", guest: {name: vm}")
    assert reach(sim, "peer", "a") is False
    assert reach(sim, "a", "peer") is False
    sim = bed(mode, kind="macvtap")
    assert reach(sim, "peer", "a") is True


# §4.6 ipvlan: s1→s2 dyn, s1→s2 static, m→s1, s1→m, s1↔peer (dynamic neighbours)
T46_L2 = [
    ("l2 bridge", False, Y, Y, N, N, Y),
    ("l2 bridge", True, Y, Y, Y, Y, Y),
    ("l2 private", False, N, N, N, N, Y),
    ("l2 private", True, N, N, Y, Y, Y),
    ("l2 vepa", False, N, N, N, N, Y),
    ("l2 vepa", True, Y, Y, Y, Y, Y),
]


@pytest.mark.parametrize(("mode", "hairpin", "s1s2", "s1s2_static", "m_s1", "s1_m", "peer"), T46_L2)
def test_4_6_ipvlan_l2(
    mode: str, hairpin: bool, s1s2: bool, s1s2_static: bool, m_s1: bool, s1_m: bool, peer: bool
) -> None:
    sim = bed(mode, mode, hairpin=hairpin, kind="ipvlan")
    assert reach(sim, "a", "b") is s1s2
    assert reach(sim, "host", "a") is m_s1
    assert reach(sim, "a", "host") is s1_m
    assert reach(sim, "a", "peer") is peer
    assert reach(sim, "peer", "a") is peer
    sim = bed(mode, mode, hairpin=hairpin, kind="ipvlan", static=(("a", "b"), ("b", "a")))
    assert reach(sim, "a", "b") is s1s2_static


@pytest.mark.parametrize("flag", ["bridge", "private"])
@pytest.mark.parametrize("mode", ["l3", "l3s"])
@pytest.mark.parametrize("hairpin", [False, True])
def test_4_6_ipvlan_l3(mode: str, flag: str, hairpin: bool) -> None:
    sim = bed(f"{mode} {flag}", f"{mode} {flag}", hairpin=hairpin, kind="ipvlan")
    # slaves are NOARP: switched by IP inside the master unless private
    assert reach(sim, "a", "b") is (flag == "bridge")
    sim = bed(f"{mode} {flag}", f"{mode} {flag}", hairpin=hairpin, kind="ipvlan", static=(("a", "b"), ("b", "a")))
    assert reach(sim, "a", "b") is (flag == "bridge")
    # nobody answers ARP for an l3 slave: m→s1 and s1→m fail dynamically
    sim = bed(f"{mode} {flag}", hairpin=hairpin, kind="ipvlan")
    assert reach(sim, "host", "a") is False
    assert reach(sim, "a", "host") is False
    # with a static neighbour for s1 on m, a hairpin makes both directions work
    sim = bed(f"{mode} {flag}", hairpin=hairpin, kind="ipvlan", static=(("host", "a"),))
    assert reach(sim, "host", "a") is hairpin
    assert reach(sim, "a", "host") is hairpin
    # the peer reaches s1 once it can resolve s1 (static neighbour: s1 → master MAC), and back
    sim = bed(f"{mode} {flag}", hairpin=hairpin, kind="ipvlan", static=(("peer", "a"),))
    assert reach(sim, "peer", "a") is True
    assert reach(sim, "a", "peer") is True
    sim = bed(f"{mode} {flag}", hairpin=hairpin, kind="ipvlan")
    assert reach(sim, "peer", "a") is False


@pytest.mark.parametrize("hairpin", [False, True])
def test_4_6_ipvlan_l3_vepa(hairpin: bool) -> None:
    sim = bed("l3 vepa", "l3 vepa", hairpin=hairpin, kind="ipvlan")
    assert reach(sim, "a", "b") is False  # m's ARP for s2 goes to a NOARP slave
    sim = bed("l3 vepa", "l3 vepa", hairpin=hairpin, kind="ipvlan", static=(("host", "b"), ("host", "a")))
    assert reach(sim, "a", "b") is hairpin
