"""The simulator's packet filter: a node's nftables ruleset, evaluated on IPv4 ICMP echo
and on the TCP/UDP port probes.

What is evaluated is nft's own JSON form of the ruleset (``nft -j list
ruleset``), never vnetlab's reading of nft syntax: the ruleset is loaded into
a throw-away user and network namespace (as ``vnetlab.nft`` checks it) and
listed back, once per ruleset text. The text of each rule in a trace is
nft's own (``nft -a -s list ruleset``, matched by handle).

The subset (kernel-semantics §8, §11.8): tables of family ``ip``, ``ip6`` and
``inet`` (an ip chain sees IPv4 packets, an ip6 chain IPv6 ones, an inet chain
both: ``Packet.family``; an ip6 table outside the subset is
``Ruleset.v6_problem``, refused in a lab with IPv6 addresses); base chains
of type filter on prerouting, input, forward, output and postrouting, in
priority order, with their policies; matches on ``iif``/``oif``/``iifname``/
``oifname`` (``*`` wildcards), ``meta l4proto``/``nfproto``/``protocol``,
``ip saddr``/``daddr``/``protocol`` and ``ip6 saddr``/``daddr``/``nexthdr``
(addresses, prefixes, ranges, anonymous sets), ``icmp`` and ``icmpv6``
``type``/``code``, ``ct state`` (ND reads untracked), and any match on another
protocol's header (tcp, udp, ip6...: false for an ICMP packet, as nft's
implicit dependency makes it); verdicts accept, drop, reject, jump, goto,
return, continue, and anonymous verdict maps on those keys; ``counter`` and
``log`` do nothing here. Chains of type nat on prerouting, input, output and
postrouting with ``snat to ADDR``, ``dnat to ADDR``, ``masquerade`` and
``redirect``, each with one port for TCP/UDP or none, on IPv4 and IPv6 packets (run by the NAT
hook at its fixed priority for a connection's first packet: sim/conntrack.py, sim/stack.py
``_nat``; §8, §11.18; in an inet chain a statement of the other family does nothing). Anything else
raises :class:`Unsupported` naming it when the ruleset is compiled, before
any packet is sent: a ruleset is evaluated whole or not at all.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, ClassVar

from ..errors import EnvironmentProblem
from ..nft import TIMEOUT, in_throwaway_ns, unsafe

HOOKS = ("prerouting", "input", "forward", "output", "postrouting")
#: NF_IP_PRI_CONNTRACK: nf_conntrack_in runs at this priority on prerouting and output
PRI_CONNTRACK = -200
#: where the NAT hook sits whatever its nat chains' priorities (nf_nat_ipv4_ops: NF_IP_PRI_NAT_DST
#: on prerouting and output, NF_IP_PRI_NAT_SRC on input and postrouting), and what it rewrites
NAT_PRIO = {"prerouting": -100, "output": -100, "input": 100, "postrouting": 100}

# include/uapi/linux/icmp.h; nft's names (src/proto.c icmp_type_tbl)
ICMP_TYPES = {
    "echo-reply": 0,
    "destination-unreachable": 3,
    "source-quench": 4,
    "redirect": 5,
    "echo-request": 8,
    "router-advertisement": 9,
    "router-solicitation": 10,
    "time-exceeded": 11,
    "parameter-problem": 12,
    "timestamp-request": 13,
    "timestamp-reply": 14,
    "info-request": 15,
    "info-reply": 16,
    "address-mask-request": 17,
    "address-mask-reply": 18,
}
# include/uapi/linux/icmpv6.h, ndisc.h; nft's names (src/proto.c icmp6_type_tbl)
ICMP6_TYPES = {
    "destination-unreachable": 1,
    "packet-too-big": 2,
    "time-exceeded": 3,
    "parameter-problem": 4,
    "echo-request": 128,
    "echo-reply": 129,
    "mld-listener-query": 130,
    "mld-listener-report": 131,
    "mld-listener-done": 132,
    "mld-listener-reduction": 132,
    "nd-router-solicit": 133,
    "nd-router-advert": 134,
    "nd-neighbor-solicit": 135,
    "nd-neighbor-advert": 136,
    "nd-redirect": 137,
    "router-renumbering": 138,
    "ind-neighbor-solicit": 141,
    "ind-neighbor-advert": 142,
    "mld2-listener-report": 143,
}
# nft's names of ICMPv6 destination-unreachable codes (src/proto.c icmp6_code_tbl)
ICMP6_CODES = {
    "no-route": 0,
    "admin-prohibited": 1,
    "addr-unreachable": 3,
    "port-unreachable": 4,
    "policy-fail": 5,
    "reject-route": 6,
}
#: icmpx codes as nft_reject_inet sends them to an IPv6 client (nft_reject_icmpv6_code)
ICMPX6 = {"no-route": 0, "admin-prohibited": 1, "host-unreachable": 3, "port-unreachable": 4}
# /etc/protocols names nft prints for meta l4proto / ip protocol
PROTOCOLS = {"icmp": 1, "igmp": 2, "tcp": 6, "udp": 17, "ipv6-icmp": 58, "icmpv6": 58, "sctp": 132, "gre": 47}
PROTOCOLS.update({"esp": 50, "ah": 51, "dccp": 33, "udplite": 136, "ipip": 4, "ipv6": 41, "ospf": 89, "vrrp": 112})
# what the client of a rejected echo request gets (nft's names → ICMP type 3 code)
REJECT_CODES = {
    "net-unreachable": 0,
    "host-unreachable": 1,
    "prot-unreachable": 2,
    "port-unreachable": 3,
    "no-route": 0,
    "net-prohibited": 9,
    "host-prohibited": 10,
    "admin-prohibited": 13,
}
# nft's names of ICMP codes (src/proto.c icmp_code_tbl; include/uapi/linux/icmp.h)
ICMP_CODES = {
    "net-unreachable": 0,
    "host-unreachable": 1,
    "prot-unreachable": 2,
    "port-unreachable": 3,
    "frag-needed": 4,
    "net-prohibited": 9,
    "host-prohibited": 10,
    "admin-prohibited": 13,
}
#: service names nft prints for tcp/udp ports (/etc/services, the ones nft -j lists by name)
SERVICES = {
    "ftp-data": 20,
    "ftp": 21,
    "ssh": 22,
    "telnet": 23,
    "smtp": 25,
    "domain": 53,
    "bootps": 67,
    "bootpc": 68,
    "tftp": 69,
    "http": 80,
    "pop3": 110,
    "ntp": 123,
    "imap2": 143,
    "snmp": 161,
    "ldap": 389,
    "https": 443,
    "submissions": 465,
    "submission": 587,
    "imaps": 993,
    "pop3s": 995,
    "mysql": 3306,
    "postgresql": 5432,
}

#: header protocols whose fields nft guards with an implicit ``meta l4proto``/``nfproto``
#: dependency that an ICMP or ICMPv6 packet never meets (so any match on them is false)
_OTHER_HEADERS = frozenset({"tcp", "udp", "udplite", "sctp", "dccp", "ah", "esp", "comp", "gre", "igmp", "vlan", "arp"})

#: include/uapi/linux/netfilter/nf_conntrack_common.h NF_CT_STATE_BIT (nft's ct_state values)
CT_BITS = {"invalid": 1, "established": 2, "related": 4, "new": 8, "untracked": 64}
CT_STATES = frozenset(CT_BITS)


class Unsupported(Exception):
    """A ruleset uses something the simulator does not evaluate (exit 3, named)."""


class ProbeUnsupported(EnvironmentProblem):
    """A port probe's packet reached a match the simulator does not model (exit 3): never a silent verdict."""


class NftFailed(Exception):
    """nft could not load or list the ruleset in the throw-away namespace."""


# loading ------------------------------------------------------------------------------------------
# nft -f's own output (a ruleset may say `list ruleset`) is not part of the listing
_SCRIPT = "nft -f - >/dev/null && nft -j list ruleset && nft -a -s list ruleset"


@lru_cache(maxsize=128)
def listing(text: str, ifnames: tuple[str, ...] = ()) -> tuple[dict[str, Any], str]:
    """nft's JSON of ``text`` and its ``-a -s`` listing, from a throw-away user+network namespace
    that has the node's interfaces ``ifnames`` (rules may name them).

    The ruleset goes on stdin, the names as arguments; the shell's script is a constant."""
    if unsafe(text):
        raise NftFailed("the ruleset includes files or is too large")
    argv = in_throwaway_ns(_SCRIPT, ifnames)
    if argv is None:
        raise NftFailed("nft (nftables), ip (iproute2) and unshare (util-linux) are needed to evaluate a ruleset")
    import subprocess  # here: a lab without rulesets never runs nft

    try:
        p = subprocess.run(
            argv,
            input=text.encode(),
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise NftFailed(f"nft took more than {TIMEOUT:.0f} s to load the ruleset") from None
    if p.returncode != 0:
        raise NftFailed(f"nft could not load the ruleset: {p.stderr.decode('utf-8', 'replace').strip()[:300]}")
    out = p.stdout.decode("utf-8", "replace")
    first, _, rest = out.partition("\n")
    try:
        doc = json.loads(first)
    except ValueError:
        raise NftFailed("nft's JSON listing of the ruleset could not be read") from None
    if not isinstance(doc, dict):
        raise NftFailed("nft's JSON listing of the ruleset is not an object")
    return doc, rest


_TABLE = re.compile(r"^table (\S+) (.+?) \{ # handle (\d+)$")
_CHAIN = re.compile(r"^\s*chain (.+?) \{ # handle (\d+)$")
_RULE = re.compile(r"^\s*(.*?) # handle (\d+)$")


def rule_texts(listed: str) -> dict[tuple[str, int, int, int], str]:
    """(family, table handle, chain handle, rule handle) → nft's own text of the rule."""
    out: dict[tuple[str, int, int, int], str] = {}
    fam, th, ch = "", -1, -1
    for line in listed.splitlines():
        m = _TABLE.match(line)
        if m:
            fam, th, ch = m.group(1), int(m.group(3)), -1
            continue
        m = _CHAIN.match(line)
        if m:
            ch = int(m.group(2))
            continue
        m = _RULE.match(line)
        if m and ch >= 0:
            out[(fam, th, ch, int(m.group(2)))] = m.group(1).strip()
    return out


# the compiled model --------------------------------------------------------------------------------
@dataclass(slots=True)
class Packet:
    """What a rule may look at: an IPv4 or IPv6 packet at one hook of one namespace (for
    IPv6, ``proto`` is 58 and ``icmp_type`` the ICMPv6 type; ``ct`` may be untracked: ND)."""

    src: int
    dst: int
    proto: int
    icmp_type: int | None
    icmp_code: int
    iif: str  # "" where the hook has no input device (output, postrouting of a local packet)
    oif: str  # "" where it has no output device (prerouting, input)
    ct: str  # new, established, related, invalid (no conntrack entry: invalid)
    sport: int | None = None  # TCP/UDP ports (None: not a TCP or UDP packet)
    dport: int | None = None
    family: int = 4  # 4: IPv4 (ip and inet chains see it), 6: IPv6 (ip6 and inet chains)


Test = Callable[[Packet], bool]


Verdict = tuple[str, str | None]  # (accept|drop|reject|jump|goto|return|continue, target or reject type)


@dataclass(frozen=True, slots=True)
class Nat:
    """A NAT statement: ``kind`` snat, dnat, masquerade or redirect; ``addr`` the address
    (snat/dnat), ``port`` the one port it names (nft allows one only after a TCP/UDP match,
    so an echo never meets it): the TCP/UDP source port of snat/masquerade, the destination
    port of dnat/redirect."""

    kind: str
    addr: int | None = None
    port: int | None = None
    #: the family it translates (4, 6; None: either, masquerade and redirect): in an inet chain a
    #: statement of the other family does nothing, the rule goes on (nft_nat_inet_eval; §11.18)
    family: int | None = None


@dataclass(slots=True)
class Rule:
    tests: list[Test]
    verdict: Verdict | None
    text: str
    uses_ct: bool
    #: an anonymous verdict map: the verdict of the element the packet's key matches (none: next rule)
    vmap: list[tuple[Test, Verdict]] | None = None
    #: a NAT statement (snat, dnat, masquerade, redirect): the binding, then accept (nft_nat_eval)
    nat: Nat | None = None
    #: the one family whose conntrack the rule turns on (None: its table's, both for inet): a NAT
    #: statement of an inet table with a family (``snat ip6 to``) calls nf_ct_netns_get for that
    #: family alone (nft_nat_init), masquerade and redirect for the table's (§11.18)
    ct_family: int | None = None


@dataclass(slots=True)
class Chain:
    family: str
    table: str
    name: str
    rules: list[Rule] = field(default_factory=list)
    hook: str | None = None
    prio: int = 0
    policy: str = "accept"
    order: tuple[int, int] = (0, 0)
    #: the chains of its table by name (jump and goto targets)
    table_chains: dict[str, Chain] = field(default_factory=dict, repr=False)

    @property
    def where(self) -> str:
        return f"table {self.family} {self.table} chain {self.name}"


@dataclass(frozen=True, slots=True)
class Decision:
    """What one base chain decided: ``verdict`` accept, drop or reject, by ``rule`` (None: the policy)."""

    chain: Chain
    verdict: str
    rule: str | None
    reject: str | None = None  # the ICMP error the client gets
    ct: str | None = None  # the packet's conntrack state there (where the ruleset reads it)
    nat: Nat | None = None  # the NAT statement that set up the packet's binding (a nat chain)

    def describe(self) -> str:
        by = f"rule '{self.rule}'" if self.rule is not None else f"policy {self.chain.policy}"
        state = f" (ct state {self.ct})" if self.ct is not None else ""
        verdict = self.verdict if self.nat is None else self.nat.kind
        return f"{self.chain.where} (hook {self.chain.hook} priority {self.chain.prio}): {by} → {verdict}{state}"


@dataclass(slots=True)
class Ruleset:
    hooks: dict[str, list[Chain]]
    uses_ct: bool
    ignored: list[str]
    #: the nat chains by hook, in priority order (run by the NAT hook, for a connection's first packet)
    nat: dict[str, list[Chain]] = field(default_factory=dict)
    #: conntrack on for IPv6 (a ct expression in an ip6 or inet table: nf_ct_netns_get of that
    #: family); ``uses_ct`` is IPv4's (ip and inet tables)
    uses_ct6: bool = False
    #: why IPv6 packets cannot be evaluated (an ip6 table outside the subset...);
    #: refused (exit 3) in a lab with IPv6 addresses (sim/ipv6.py ``unsupported``), moot in one without
    v6_problem: str | None = None
    #: what a namespace's hooks need of this module, reached through its ruleset: sim/stack.py
    #: imports this module only for a lab with a ruleset, and not on each packet
    packet_type: ClassVar[type[Packet]] = Packet
    nat_prio: ClassVar[dict[str, int]] = NAT_PRIO
    pri_conntrack: ClassVar[int] = PRI_CONNTRACK

    def run(
        self,
        hook: str,
        pkt: Packet,
        ct_at: Callable[[int], str] | None = None,
        prios: tuple[float, float] = (float("-inf"), float("inf")),
    ) -> list[Decision]:
        """Every base chain of ``hook`` in priority order until one drops; what each decided.

        ``ct_at(prio)`` gives the packet's conntrack state as a chain of that priority sees it;
        only the chains whose priority is in ``[prios[0], prios[1])`` run (the NAT hook's
        fixed priority splits a hook in two)."""
        out: list[Decision] = []
        lo, hi = prios
        # ip chains see IPv4, ip6 chains IPv6, inet chains both (nf_tables_inet registers on both)
        other = "ip6" if pkt.family == 4 else "ip"
        uses_ct = self.uses_ct if pkt.family == 4 else self.uses_ct6
        for chain in self.hooks.get(hook, ()):
            if not lo <= chain.prio < hi or chain.family == other:
                continue
            if ct_at is not None:
                pkt.ct = ct_at(chain.prio)
            d = _run_chain(chain, pkt)
            if uses_ct:
                d = Decision(d.chain, d.verdict, d.rule, d.reject, pkt.ct)
            out.append(d)
            if d.verdict != "accept":
                break
        return out

    def run_nat(self, hook: str, pkt: Packet) -> Decision | None:
        """nf_nat_inet_fn for a connection's first packet: the nat chains of ``hook`` in priority
        order until one drops or sets up a binding (a NAT statement); None: none did (and none
        dropped), so the connection gets the null binding."""
        other = "ip6" if pkt.family == 4 else "ip"
        uses_ct = self.uses_ct if pkt.family == 4 else self.uses_ct6
        for chain in self.nat.get(hook, ()):
            if chain.family == other:
                continue
            d = _run_chain(chain, pkt)
            if d.verdict != "accept" or d.nat is not None:
                return Decision(d.chain, d.verdict, d.rule, d.reject, pkt.ct if uses_ct else None, d.nat)
        return None


def _run_chain(base: Chain, pkt: Packet) -> Decision:
    stack: list[tuple[Chain, int]] = []
    chain, i = base, 0
    for _ in range(100_000):  # nft refuses loops at load; this bounds a bug, never a ruleset
        if i >= len(chain.rules):
            if not stack:
                return Decision(base, base.policy, None)
            chain, i = stack.pop()
            continue
        rule = chain.rules[i]
        i += 1
        if not all(t(pkt) for t in rule.tests):
            continue
        if rule.nat is not None:
            if rule.nat.family is not None and rule.nat.family != pkt.family:
                continue  # nft_nat_inet_eval: not this packet's family, no verdict
            return Decision(base, "accept", rule.text, nat=rule.nat)
        verdict = rule.verdict
        if rule.vmap is not None:
            # nft refuses overlapping elements in a map ("conflicting intervals"): one at most matches
            verdict = next((v for t, v in rule.vmap if t(pkt)), None)
        if verdict is None:
            continue
        v, arg = verdict
        if v == "continue":
            continue
        if v in ("accept", "drop"):
            return Decision(base, v, rule.text)
        if v == "reject":
            return Decision(base, "reject", rule.text, _reject6(arg) if pkt.family == 6 else arg)
        if v == "return":
            if not stack:
                return Decision(base, base.policy, None)
            chain, i = stack.pop()
            continue
        assert arg is not None
        target = chain.table_chains[arg]
        if v == "jump":
            stack.append((chain, i))
        chain, i = target, 0
    raise RuntimeError(f"nft evaluation did not end in {base.where}")


def _reject6(v4: str | None) -> str | None:
    """What an IPv6 client of a ``reject`` gets (nft_reject_inet_eval → nf_send_unreach6; the
    icmpx codes as nft_reject_icmpv6_code maps them); the text of the IPv4 error otherwise."""
    if v4 is None or not v4.startswith("ICMP "):
        return v4
    code = v4[5:].split(",")[0]
    return f"ICMPv6 {code}, type 1 code {ICMPX6[code]}" if code in ICMPX6 else v4


# compiling JSON into tests ----------------------------------------------------------------------------
def _u(what: str, where: str) -> Unsupported:
    return Unsupported(f"{what} ({where})")


def _ip(v: Any, where: str, family: int = 4) -> tuple[int, int]:
    """An address, prefix or range (of ``family``) as an inclusive (low, high) pair."""
    addr = ipaddress.IPv4Address if family == 4 else ipaddress.IPv6Address
    net = ipaddress.IPv4Network if family == 4 else ipaddress.IPv6Network
    try:
        if isinstance(v, str):
            a = int(addr(v))
            return a, a
        if isinstance(v, dict) and "prefix" in v:
            n = net(f"{v['prefix']['addr']}/{v['prefix']['len']}", strict=False)
            return int(n.network_address), int(n.broadcast_address)
        if isinstance(v, dict) and "range" in v:
            lo, hi = v["range"]
            return int(addr(lo)), int(addr(hi))
    except (ValueError, KeyError, TypeError):
        pass
    raise _u(f"the address value {json.dumps(v)}", where)


def _elements(right: Any) -> list[Any]:
    if isinstance(right, dict) and "set" in right:
        s = right["set"]
        return s if isinstance(s, list) else [s]
    return [right]


def _numbers(right: Any, names: dict[str, int], what: str, where: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for e in _elements(right):
        if isinstance(e, bool):
            raise _u(f"the {what} value {json.dumps(e)}", where)
        if isinstance(e, int):
            out.append((e, e))
        elif isinstance(e, str) and e in names:
            out.append((names[e], names[e]))
        elif isinstance(e, dict) and "range" in e and len(e["range"]) == 2:
            lo, hi = (names.get(x, x) if isinstance(x, str) else x for x in e["range"])
            if not isinstance(lo, int) or not isinstance(hi, int):
                raise _u(f"the {what} range {json.dumps(e)}", where)
            out.append((lo, hi))
        else:
            raise _u(f"the {what} value {json.dumps(e)}", where)
    return out


def _names(right: Any, where: str) -> list[str]:
    out = []
    for e in _elements(right):
        if not isinstance(e, str):
            raise _u(f"the interface value {json.dumps(e)}", where)
        out.append(e)
    return out


def _name_match(pattern: str, name: str) -> bool:
    """nft's interface-name compare: ``eth*`` is a prefix (``\\*`` a literal star)."""
    if pattern.endswith("*") and not pattern.endswith("\\*"):
        return name.startswith(pattern[:-1].replace("\\*", "*"))
    return name == pattern.replace("\\*", "*")


def _match(m: dict[str, Any], where: str) -> tuple[Test, bool]:
    """One ``match`` expression: its test, and whether it reads conntrack."""
    op, left, right = m.get("op"), m.get("left"), m.get("right")
    if op not in ("==", "!=", "in"):
        raise _u(f"the match operator {op!r}", where)
    neg = op == "!="
    if isinstance(right, str) and right.startswith("@"):
        raise _u(f"the named set {right}", where)
    if isinstance(right, dict) and not ({"set", "prefix", "range"} >= right.keys() or set(right) == {"|"}):
        raise _u(f"the match value {json.dumps(right)[:80]}", where)

    def make(get: Callable[[Packet], Any], hit: Callable[[Any], bool]) -> Test:
        # None: the packet has no such value (an icmp field of a non-ICMP packet): no match, even for !=
        def test(p: Packet) -> bool:
            v = get(p)
            if v is None:
                return False
            return hit(v) != neg

        return test

    def ranges(rs: list[tuple[int, int]]) -> Callable[[Any], bool]:
        return lambda v: any(lo <= v <= hi for lo, hi in rs)

    if not isinstance(left, dict) or len(left) != 1:
        raise _u(f"the match on {json.dumps(left)[:80]}", where)
    kind, arg = next(iter(left.items()))
    if kind == "meta":
        key = arg.get("key")
        if key in ("iif", "iifname", "oif", "oifname"):
            names = _names(right, where)
            get: Callable[[Packet], Any] = (lambda p: p.iif) if key.startswith("i") else (lambda p: p.oif)
            if key in ("iif", "oif"):  # an index, resolved by name when nft loaded it (no device: 0)
                known = _DEVICES.get()
                for n in names:
                    if known is not None and n not in known:
                        # nft lists an index no device has as its number: the rule named a device by
                        # number, and which of the node's devices has it depends on creation order
                        raise _u(f"'{key} {n}' (a device by its index number, not by name)", where)
                return make(get, lambda v: v != "" and v in names), False
            return make(get, lambda v: any(_name_match(n, v) for n in names)), False
        if key == "l4proto":
            rs = _numbers(right, PROTOCOLS, "protocol", where)
            return make(lambda p: p.proto, ranges(rs)), False
        if key == "nfproto":
            rs = _numbers(right, {"ipv4": 2, "ipv6": 10}, "nfproto", where)
            return make(lambda p: 2 if p.family == 4 else 10, ranges(rs)), False
        if key == "protocol":
            rs = _numbers(right, {"ip": 0x0800, "ip6": 0x86DD, "arp": 0x0806, "vlan": 0x8100}, "ethertype", where)
            return make(lambda p: 0x0800 if p.family == 4 else 0x86DD, ranges(rs)), False
        raise _u(f"the expression 'meta {key}'", where)
    if kind == "payload":
        proto, fld = arg.get("protocol"), arg.get("field")
        if proto is None:
            raise _u(f"the raw payload expression {json.dumps(arg)}", where)
        if proto in ("ip", "ip6"):
            # implicit dependency in inet: meta nfproto ipv4 / ipv6 (the other family never matches)
            fam = 4 if proto == "ip" else 6
            if fld in ("saddr", "daddr"):
                rs = [_ip(e, where, fam) for e in _elements(right)]
                if fld == "saddr":
                    return make(lambda p: p.src if p.family == fam else None, ranges(rs)), False
                return make(lambda p: p.dst if p.family == fam else None, ranges(rs)), False
            if (proto, fld) in (("ip", "protocol"), ("ip6", "nexthdr")):
                rs = _numbers(right, PROTOCOLS, "protocol", where)
                return make(lambda p: p.proto if p.family == fam else None, ranges(rs)), False
            if proto == "ip":
                raise _u(f"the expression 'ip {fld}'", where)
            what6 = f"'ip6 {fld}'"

            def unmodelled6(p: Packet) -> bool:
                if p.family == 6:
                    raise ProbeUnsupported(f"the simulator does not model the expression {what6} on IPv6 ({where})")
                return False

            return unmodelled6, False
        if proto in ("icmp", "icmpv6"):
            # implicit dependency: meta l4proto icmp / ipv6-icmp (and nfproto ipv4 / ipv6 in inet)
            fam = 4 if proto == "icmp" else 6
            types, codes = (ICMP_TYPES, ICMP_CODES) if fam == 4 else (ICMP6_TYPES, ICMP6_CODES)
            if fld == "type":
                rs = _numbers(right, types, f"{proto} type", where)
                return make(lambda p: p.icmp_type if p.family == fam else None, ranges(rs)), False
            if fld == "code":
                rs = _numbers(right, codes, f"{proto} code", where)
                return make(
                    lambda p: p.icmp_code if p.icmp_type is not None and p.family == fam else None, ranges(rs)
                ), False
            if fam == 6:
                what = f"'icmpv6 {fld}'"

                def unmodelled_icmp6(p: Packet) -> bool:
                    if p.family == 6 and p.icmp_type is not None:
                        raise ProbeUnsupported(f"the simulator does not model the expression {what} ({where})")
                    return False

                return unmodelled_icmp6, False
            raise _u(f"the expression 'icmp {fld}'", where)
        if proto in ("tcp", "udp", "th") and fld in ("sport", "dport"):
            # implicit dependency: meta l4proto tcp / udp ('th': any transport header, tcp or udp here)
            l4s = {"tcp": (6,), "udp": (17,), "th": (6, 17)}[proto]
            rs = _numbers(right, SERVICES, "port", where)
            if fld == "sport":
                return make(lambda p: p.sport if p.proto in l4s else None, ranges(rs)), False
            return make(lambda p: p.dport if p.proto in l4s else None, ranges(rs)), False
        if proto in ("tcp", "udp", "th"):
            # another field of a header port probes carry ('tcp flags', 'udp length'): an ICMP packet never
            # meets its implicit dependency, but a TCP or UDP one would need the field: refused then
            l4s = {"tcp": (6,), "udp": (17,), "th": (6, 17)}[proto]
            what = f"'{proto} {fld}'"

            def unmodelled(p: Packet) -> bool:
                if p.proto in l4s:
                    raise ProbeUnsupported(f"the simulator does not model the expression {what} ({where})")
                return False

            return unmodelled, False
        if proto in _OTHER_HEADERS:
            # the implicit dependency (meta l4proto tcp, nfproto ipv6...) fails for IPv4 ICMP: never a match
            return (lambda p: False), False
        raise _u(f"the expression '{proto} {fld}'", where)
    if kind == "ct":
        key = arg.get("key")
        if key != "state" or "dir" in arg:
            raise _u(f"the expression 'ct {key}'", where)
        if isinstance(right, dict) and set(right) == {"|"}:
            # 'ct state != new,established': nft compares the state with the OR of the
            # bits (cmp neq reg 0x0a, nft 1.0.6 --debug=netlink), not "none of them"; a
            # packet has one state bit, so with two bits != always holds
            states = right["|"]
            if op == "in" or not all(isinstance(s, str) and s in CT_STATES for s in states):
                raise _u(f"the ct state value {json.dumps(right)}", where)
            value = 0
            for st in states:
                value |= CT_BITS[st]
            return make(lambda p: p.ct, lambda v: CT_BITS[v] == value), True
        states = right if isinstance(right, list) else _elements(right)
        if not all(isinstance(s, str) and s in CT_STATES for s in states):
            raise _u(f"the ct state value {json.dumps(right)}", where)
        want = frozenset(states)
        return make(lambda p: p.ct, lambda v: v in want), True
    raise _u(f"the expression '{kind}'", where)


_NOOPS = frozenset({"counter", "log"})


def _verdict(key: str, arg: Any, where: str) -> Verdict | None:
    """A verdict statement (None: not one)."""
    if key in ("accept", "drop", "return", "continue"):
        return (key, None)
    if key in ("jump", "goto"):
        return (key, arg["target"])
    if key == "reject":
        arg = arg or {}
        typ, code = arg.get("type", "icmpx"), arg.get("expr", "port-unreachable")
        if typ == "tcp reset":
            return ("reject", "tcp reset")  # its implicit 'meta l4proto tcp' never matches ICMP
        if typ in ("icmp", "icmpx") and code in REJECT_CODES:
            return ("reject", f"ICMP {code}, type 3 code {REJECT_CODES[code]}")
        if typ == "icmpv6" and code in ICMP6_CODES:
            # nft gives a rule with an icmpv6 context (or in an ip6 table) this type: never met by IPv4
            return ("reject", f"ICMPv6 {code}, type 1 code {ICMP6_CODES[code]}")
        raise _u(f"the statement 'reject with {typ} {code}'", where)
    return None


def _vmap(arg: dict[str, Any], where: str) -> tuple[list[tuple[Test, Verdict]], bool]:
    """An anonymous verdict map: each element as a match of the key, with its verdict."""
    data = arg.get("data")
    if not isinstance(data, dict) or set(data) != {"set"}:
        raise _u(f"the verdict map {json.dumps(data)[:80]} (named maps are not simulated)", where)
    out: list[tuple[Test, Verdict]] = []
    uses_ct = False
    for elem in data["set"]:
        if not isinstance(elem, list) or len(elem) != 2 or not isinstance(elem[1], dict) or len(elem[1]) != 1:
            raise _u(f"the verdict map element {json.dumps(elem)[:80]}", where)
        (vkey, varg), *_ = elem[1].items()
        v = _verdict(vkey, varg, where)
        if v is None or v == ("reject", "tcp reset"):
            raise _u(f"the verdict map element {json.dumps(elem)[:80]}", where)
        test, ct = _match({"op": "==", "left": arg.get("key"), "right": elem[0]}, where)
        out.append((test, v))
        uses_ct = uses_ct or ct
    return out, uses_ct


_NAT_KINDS = frozenset({"snat", "dnat", "masquerade", "redirect"})


def _nat_stmt(key: str, arg: Any, where: str, table_family: str) -> Nat:
    """A NAT statement the simulator models: one address (snat, dnat), or none (masquerade,
    redirect); a port is kept (nft allows it only after a TCP/UDP match). Its family: the
    table's (ip, ip6), or in an inet table the one nft lists (``snat ip6 to``), else none (either).
    Address ranges, prefixes, maps and flags (random, persistent...) are refused."""
    arg = arg or {}
    if not isinstance(arg, dict):
        raise _u(f"the statement '{key}' {json.dumps(arg)[:80]}", where)
    extra = set(arg) - {"family", "addr", "port"}
    fam = arg.get("family", table_family if table_family != "inet" else None)
    if extra or fam not in ("ip", "ip6", None):
        raise _u(f"the statement '{key}' with {json.dumps(arg)[:80]}", where)
    family = {"ip": 4, "ip6": 6, None: None}[fam]
    addr = arg.get("addr")
    port = arg.get("port")
    if isinstance(port, str) and port in SERVICES:
        port = SERVICES[port]  # nft lists a well-known port by its service name
    if port is not None and (not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536):
        raise _u(f"the port {json.dumps(port)[:80]} of '{key}' (port ranges and maps)", where)
    if key in ("snat", "dnat"):
        if not isinstance(addr, str):
            raise _u(f"the address {json.dumps(addr)[:80]} of '{key}' (ranges, prefixes and maps)", where)
        if family is None:  # (nft names the family of an address in an inet table: never met)
            raise _u(f"the statement '{key}' without a family", where)
        lo, _ = _ip(addr, where, family)
        return Nat(key, lo, port, family)
    if addr is not None:
        raise _u(f"the statement '{key}' with an address", where)
    return Nat(key, None, port, family)


def _rule(r: dict[str, Any], text: str, where: str, family: str) -> Rule:
    tests: list[Test] = []
    verdict: Verdict | None = None
    vmap: list[tuple[Test, Verdict]] | None = None
    nat: Nat | None = None
    uses_ct = False
    ct_family: int | None = None
    for e in r.get("expr", []):
        if not isinstance(e, dict) or len(e) != 1:
            raise _u(f"the expression {json.dumps(e)[:80]}", where)
        key, arg = next(iter(e.items()))
        if verdict is not None or vmap is not None or nat is not None:
            raise _u(f"the statement '{key}' after a verdict", where)
        if key == "match":
            t, ct = _match(arg, where)
            tests.append(t)
            uses_ct = uses_ct or ct
        elif key in _NOOPS:
            continue
        elif key in _NAT_KINDS:
            nat = _nat_stmt(key, arg, where, family)
            # nft_nat_init (masq, redir): nf_ct_netns_get of the statement's family (masquerade and
            # redirect: the table's) turns conntrack on; a ct match before it: the table's anyway
            ct_family = None if uses_ct else nat.family
            uses_ct = True
        elif key == "vmap":
            vmap, ct = _vmap(arg, where)
            uses_ct = uses_ct or ct
        elif (v := _verdict(key, arg, where)) is not None:
            verdict = v
            if v == ("reject", "tcp reset"):
                tests.append(lambda p: p.proto == 6)  # nft's implicit 'meta l4proto tcp'
        else:
            raise _u(f"the statement '{key}'", where)
    return Rule(tests, verdict, text, uses_ct, vmap, nat, ct_family)


#: the devices of the node whose ruleset is being compiled (its rules' iif/oif may name them)
_DEVICES: ContextVar[frozenset[str] | None] = ContextVar("_DEVICES", default=None)


@lru_cache(maxsize=128)
def compile_ruleset(text: str, ifnames: tuple[str, ...] = ()) -> Ruleset:
    """``text`` as the simulator evaluates it (``ifnames``: the node's interfaces, which its
    rules may name); :class:`Unsupported` names what it cannot."""
    token = _DEVICES.set(frozenset(ifnames) | {"lo"})
    try:
        return _compile(text, ifnames)
    finally:
        _DEVICES.reset(token)


def _compile(text: str, ifnames: tuple[str, ...]) -> Ruleset:
    doc, listed = listing(text, ifnames)
    texts = rule_texts(listed)
    tables: dict[tuple[str, str], int] = {}
    chains: dict[tuple[str, str], dict[str, Chain]] = {}
    chain_handle: dict[tuple[str, str, str], int] = {}
    hooks: dict[str, list[Chain]] = {h: [] for h in HOOKS}
    nat: dict[str, list[Chain]] = {h: [] for h in NAT_PRIO}
    ignored: list[str] = []
    uses_ct = uses_ct6 = False
    v6_problem: str | None = None
    broken6: set[str] = set()  # ip6 tables outside the subset: left out (v6_problem says why)
    for item in doc.get("nftables", []):
        (kind, o), *_ = item.items()
        if kind == "metainfo":
            continue
        fam = o.get("family")
        tname = o.get("table", o.get("name"))
        where = f"table {fam} {tname}"
        if fam not in ("ip", "ip6", "inet"):
            raise _u(f"a table of family {fam} (the simulator evaluates ip, ip6 and inet tables)", where)
        if fam == "ip6":
            if kind == "table":
                ignored.append(f"table ip6 {tname}")
            if tname in broken6 or (kind != "table" and ("ip6", tname) not in tables):
                continue
            try:
                _item(kind, o, fam, tname, where, tables, chains, chain_handle, hooks, nat, texts)
            except Unsupported as e:
                v6_problem = v6_problem or str(e)
                broken6.add(tname)
                continue
            if kind == "rule":
                uses_ct6 = uses_ct6 or chains[(fam, tname)][o["chain"]].rules[-1].uses_ct
            continue
        r = _item(kind, o, fam, tname, where, tables, chains, chain_handle, hooks, nat, texts)
        if r is not None:
            uses_ct = uses_ct or (r.uses_ct and r.ct_family != 6)
            if fam == "inet":
                uses_ct6 = uses_ct6 or (r.uses_ct and r.ct_family != 4)
    for (fam, tname), by_name in chains.items():
        for c in by_name.values():
            c.table_chains = by_name
            for r in c.rules:
                for v in [r.verdict, *(v for _, v in r.vmap or ())]:
                    if v is not None and v[0] in ("jump", "goto") and v[1] not in by_name:
                        if fam != "ip6":
                            raise _u(f"the jump to {v[1]}", c.where)
                        v6_problem = v6_problem or str(_u(f"the jump to {v[1]}", c.where))
                        broken6.add(tname)
    for h in HOOKS:
        hooks[h] = [c for c in hooks[h] if not (c.family == "ip6" and c.table in broken6)]
    for h in list(nat):
        nat[h] = [c for c in nat[h] if not (c.family == "ip6" and c.table in broken6)]
    for h, natprio in NAT_PRIO.items():
        # nat chains run among themselves in priority order (nf_nat_register_fn keeps them in the
        # NAT hook's own list); the NAT hook itself sits at its fixed priority
        # (the first nat chain registers the NAT hook on all four hooks: nf_nat_register_fn)
        nat[h].sort(key=lambda c: (c.prio, -c.order[0], -c.order[1]))
        # (each family's NAT hook: nf_nat_ipv4_ops, nf_nat_ipv6_ops, both at the same priorities)
        what = f"a {h} filter chain at priority {natprio}, the NAT hook's own (which runs first is registration order)"
        clash = [c for c in hooks[h] if c.prio == natprio and c.family != "ip6"]
        if clash and uses_ct and any(c.family != "ip6" for cs in nat.values() for c in cs):
            raise _u(what, clash[0].where)
        clash6 = [c for c in hooks[h] if c.prio == natprio and c.family != "ip"]
        if clash6 and uses_ct6 and any(c.family != "ip" for cs in nat.values() for c in cs):
            v6_problem = v6_problem or f"{what} ({clash6[0].where}, on IPv6)"
    for h in HOOKS:
        # equal priorities: the chain registered last runs first (nf_hook_entries_grow puts a new
        # hook before the first of equal or higher priority); nft registers chains in the order it
        # makes them, which (table handle, chain handle) gives for a ruleset written table by table
        hooks[h].sort(key=lambda c: (c.prio, -c.order[0], -c.order[1]))
        for fam, on in (("ip6", uses_ct), ("ip", uses_ct6)):  # (the family that does not see it)
            if on and h in ("prerouting", "output"):
                at = [c for c in hooks[h] if c.prio == PRI_CONNTRACK and c.family != fam]
                if not at:
                    continue
                what = (
                    f"a {h} chain at priority {PRI_CONNTRACK}, conntrack's own (which runs first is registration order)"
                )
                if fam == "ip6":
                    raise _u(what, "ct state")
                v6_problem = v6_problem or f"{what} ({at[0].where}, on IPv6)"
    return Ruleset(
        {h: cs for h, cs in hooks.items() if cs},
        uses_ct,
        ignored,
        {h: cs for h, cs in nat.items() if cs},
        uses_ct6,
        v6_problem,
    )


def _item(
    kind: str,
    o: dict[str, Any],
    fam: str,
    tname: str,
    where: str,
    tables: dict[tuple[str, str], int],
    chains: dict[tuple[str, str], dict[str, Chain]],
    chain_handle: dict[tuple[str, str, str], int],
    hooks: dict[str, list[Chain]],
    nat: dict[str, list[Chain]],
    texts: dict[tuple[str, int, int, int], str],
) -> Rule | None:
    """One table, chain or rule of nft's listing into the model (the rule, if it is one)."""
    if kind == "table":
        if o.get("flags"):
            raise _u(f"the table flags {o['flags']}", where)
        tables[(fam, tname)] = o["handle"]
        chains[(fam, tname)] = {}
    elif kind == "chain":
        where = f"{where} chain {o['name']}"
        c = Chain(fam, tname, o["name"])
        chain_handle[(fam, tname, o["name"])] = o["handle"]
        if "hook" in o:
            if o.get("type") not in ("filter", "nat"):
                raise _u(f"a chain of type {o.get('type')}", where)
            if o["hook"] not in (HOOKS if o["type"] == "filter" else NAT_PRIO):
                raise _u(f"the hook {o['hook']}", where)
            if o.get("dev") or o.get("policy", "accept") not in ("accept", "drop"):
                raise _u(f"the chain's device or policy {o.get('policy')}", where)
            prio = o.get("prio", 0)
            if not isinstance(prio, int):
                raise _u(f"the priority {json.dumps(prio)}", where)
            c.hook, c.prio, c.policy = o["hook"], prio, o.get("policy", "accept")
            c.order = (tables[(fam, tname)], o["handle"])
            if o["type"] == "nat":
                nat[c.hook].append(c)
            else:
                hooks[c.hook].append(c)
        chains[(fam, tname)][c.name] = c
    elif kind == "rule":
        where = f"{where} chain {o['chain']}"
        key = (fam, tables[(fam, tname)], chain_handle[(fam, tname, o["chain"])], o["handle"])
        rule = _rule(o, texts.get(key, f"handle {o['handle']}"), where, fam)
        chains[(fam, tname)][o["chain"]].rules.append(rule)
        return rule
    else:
        # named sets, maps, flowtables, counters, quotas, ct helpers...
        raise _u(f"a named {kind} {o.get('name')}", where)
    return None
