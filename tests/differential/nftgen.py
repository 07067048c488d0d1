"""Random nftables filter rulesets from the simulated subset (sim/nft.py), on a
topology with two routers and asymmetric routes (a's requests to b go through
r1, b's replies through r2: r2's conntrack sees an echo reply it never saw the
request of, 'ct state invalid'). Every node may get a ruleset; a table may
have nat chains (snat, dnat, masquerade, redirect to the lab's addresses;
dnat and redirect of TCP/UDP also to a port)."""

from __future__ import annotations

from hypothesis import strategies as st

TOPOLOGY = """lab: nftfuzz
switches:
  sa: {{}}
  sb: {{}}
nodes:
  a:
    interfaces:
      eth0: {{kind: nic, switch: sa, addresses: [192.0.2.10/24]}}
    routes: [{{to: default, via: 192.0.2.1}}]
{a}  c:
    interfaces:
      eth0: {{kind: nic, switch: sa, addresses: [192.0.2.20/24]}}
    routes: [{{to: default, via: 192.0.2.2}}]
{c}  r1:
    interfaces:
      ea: {{kind: nic, switch: sa, addresses: [192.0.2.1/24]}}
      eb: {{kind: nic, switch: sb, addresses: [198.51.100.1/24]}}
    sysctl: {{net.ipv4.ip_forward: 1}}
{r1}  r2:
    interfaces:
      ea: {{kind: nic, switch: sa, addresses: [192.0.2.2/24]}}
      eb: {{kind: nic, switch: sb, addresses: [198.51.100.2/24]}}
    sysctl: {{net.ipv4.ip_forward: 1}}
{r2}  b:
    interfaces:
      eth0: {{kind: nic, switch: sb, addresses: [198.51.100.10/24]}}
    routes: [{{to: default, via: 198.51.100.2}}]
{b}"""

ADDRS = ["192.0.2.10", "192.0.2.20", "192.0.2.1", "192.0.2.2", "198.51.100.1", "198.51.100.2", "198.51.100.10"]
PREFIXES = ["192.0.2.0/24", "198.51.100.0/24", "192.0.2.0/28", "198.51.100.0/30", "127.0.0.0/8"]
NAMES = ['"eth0"', '"ea"', '"eb"', '"lo"', '"e*"', '"eth*"', '"x"']
HOOKS = ["prerouting", "input", "forward", "output", "postrouting"]
#: each node's own interfaces, which its `iif`/`oif` rules may name
IFACES = {"a": ("eth0",), "c": ("eth0",), "r1": ("ea", "eb"), "r2": ("ea", "eb"), "b": ("eth0",)}


def _pick(draw: st.DrawFn, xs: list[str], maxn: int = 3) -> str:
    """One value or an anonymous set of them."""
    vs = draw(st.lists(st.sampled_from(xs), min_size=1, max_size=maxn, unique=True))
    return vs[0] if len(vs) == 1 else "{ " + ", ".join(vs) + " }"


@st.composite
def match(draw: st.DrawFn, hook: str, own: tuple[str, ...]) -> str:
    neg = "!= " if draw(st.integers(0, 5)) == 0 else ""
    kind = draw(
        st.sampled_from(
            ["iifname", "oifname", "saddr", "daddr", "icmp", "ct", "l4", "tcp", "iif", "ctset", "misc", "range"]
        )
    )
    if kind == "ctset":
        states = draw(st.lists(st.sampled_from(["new", "established", "related", "invalid"]), min_size=1, max_size=3))
        return f"ct state {neg}{{ {', '.join(dict.fromkeys(states))} }}"
    if kind == "range":
        lo, hi = sorted(draw(st.lists(st.integers(1, 12), min_size=2, max_size=2)))
        net = draw(st.sampled_from(["192.0.2", "198.51.100"]))
        return f"ip {draw(st.sampled_from(['saddr', 'daddr']))} {neg}{net}.{lo}-{net}.{hi}"
    if kind == "misc":
        return draw(
            st.sampled_from(
                [
                    "ip protocol icmp",
                    f"ip protocol {neg}tcp",
                    "icmp code 0",
                    "icmp code { 1, 3 }",
                    f"icmp code {neg}3",
                    "udp dport 53",
                ]
            )
        )
    if kind in ("iifname", "oifname"):
        return f"{kind} {neg}{_pick(draw, NAMES)}"
    if kind == "iif":
        # an index: nft resolves the name when it loads the rule, so only the node's own devices
        name = draw(st.sampled_from(["lo", *own]))
        return f'{draw(st.sampled_from(["iif", "oif"]))} {neg}"{name}"'
    if kind in ("saddr", "daddr"):
        return f"ip {kind} {neg}{_pick(draw, ADDRS + PREFIXES)}"
    if kind == "icmp":
        return f"icmp type {neg}{_pick(draw, ['echo-request', 'echo-reply', 'destination-unreachable'], 2)}"
    if kind == "ct":
        states = draw(st.lists(st.sampled_from(["new", "established", "related", "invalid"]), min_size=1, max_size=2))
        return f"ct state {neg}{','.join(dict.fromkeys(states))}"
    if kind == "l4":
        return f"meta l4proto {neg}{draw(st.sampled_from(['icmp', 'tcp', 'udp']))}"
    return f"tcp dport {neg}22"


@st.composite
def vmap(draw: st.DrawFn, others: list[str]) -> str:
    """An anonymous verdict map on one key (elements distinct: nft refuses overlaps)."""
    verdicts = ["accept", "drop", *(f"jump {o}" for o in others)]
    key, values = draw(
        st.sampled_from(
            [
                ("ct state", ["new", "established", "related", "invalid"]),
                ("iifname", ['"eth0"', '"ea"', '"eb"', '"lo"']),
                ("oifname", ['"eth0"', '"ea"', '"eb"', '"lo"']),
                ("ip saddr", ADDRS),
                ("ip daddr", ["192.0.2.0/24", "198.51.100.0/24", "127.0.0.0/8"]),
                ("icmp type", ["echo-request", "echo-reply"]),
            ]
        )
    )
    keys = draw(st.lists(st.sampled_from(values), min_size=1, max_size=3, unique=True))
    return f"{key} vmap {{ " + ", ".join(f"{k} : {draw(st.sampled_from(verdicts))}" for k in keys) + " }"


@st.composite
def rule(draw: st.DrawFn, hook: str, others: list[str], own: tuple[str, ...]) -> str:
    if draw(st.integers(0, 7)) == 0:
        return draw(vmap(others))
    ms = draw(st.lists(match(hook, own), min_size=0, max_size=3))
    protos = [m for m in ms if m.split()[0] in ("icmp", "meta", "tcp", "udp", "ip6") or m.startswith("ip protocol")]
    ms = [m for m in ms if m not in protos[1:]]  # nft refuses two protocols in one rule
    verdicts = ["accept", "drop", "counter", "log", "continue"]
    if hook in ("input", "forward", "output"):
        verdicts.append("reject")
    if others:
        verdicts += [f"jump {o}" for o in others] + [f"goto {o}" for o in others]
    return " ".join([*ms, draw(st.sampled_from(verdicts))])


#: the NAT statements each hook allows (nft_nat_validate and friends), and the nat chains' priorities
NAT_STMTS = {
    "prerouting": ["dnat", "redirect"],
    "output": ["dnat", "redirect"],
    "postrouting": ["snat", "masquerade"],
    "input": ["snat"],
}
NAT_PRIOS = [-150, -100, -100, 0, 10, 100, 100, 150]


@st.composite
def nat_rule(draw: st.DrawFn, hook: str, fam: str, own: tuple[str, ...]) -> str:
    ms = draw(st.lists(match(hook, own), min_size=0, max_size=2))
    protos = [m for m in ms if m.split()[0] in ("icmp", "meta", "tcp", "udp", "ip6") or m.startswith("ip protocol")]
    ms = [m for m in ms if m not in protos[1:]]
    if draw(st.integers(0, 5)) == 0:
        return " ".join([*ms, draw(st.sampled_from(["accept", "drop", "counter"]))])
    kind = draw(st.sampled_from(NAT_STMTS[hook]))
    # dnat and redirect may name a port, after a TCP/UDP match (nft's rule): what the port fuzzer probes
    port = ""
    if kind in ("dnat", "redirect") and not protos and draw(st.integers(0, 2)) == 0:
        ms.append(draw(st.sampled_from(["tcp dport 22", "tcp dport { 22, 80 }", "udp dport 53", "tcp dport 80"])))
        port = f":{draw(st.sampled_from([22, 80, 53, 8080]))}"
    if kind in ("snat", "dnat"):
        to = draw(st.sampled_from(ADDRS)) + port
        stmt = f"{kind} ip to {to}" if fam == "inet" else f"{kind} to {to}"
    else:
        stmt = f"{kind} to {port}" if port else kind
    return " ".join([*ms, stmt])


@st.composite
def ruleset(draw: st.DrawFn, own: tuple[str, ...] = (), nat: bool = True) -> str:
    out = []
    for t in range(draw(st.integers(1, 2))):
        fam = draw(st.sampled_from(["ip", "inet"]))
        body = []
        user = draw(st.booleans())
        if user:
            urules = draw(st.lists(rule("prerouting", [], own), min_size=1, max_size=2))  # no reject: any hook jumps
            if draw(st.booleans()):
                urules.append("return")
            body.append("  chain u {\n" + "".join(f"    {r}\n" for r in urules) + "  }")
        for i, hook in enumerate(draw(st.lists(st.sampled_from(HOOKS), min_size=1, max_size=2))):
            prio = draw(st.sampled_from([-300, -150, 0, 0, 10]))
            policy = draw(st.sampled_from(["accept", "accept", "drop"]))
            rules = draw(st.lists(rule(hook, ["u"] if user else [], own), min_size=0, max_size=4))
            body.append(
                f"  chain c{i} {{\n    type filter hook {hook} priority {prio}; policy {policy};\n"
                + "".join(f"    {r}\n" for r in rules)
                + "  }"
            )
        if nat and draw(st.integers(0, 2)) == 0:
            for i, hook in enumerate(draw(st.lists(st.sampled_from(list(NAT_STMTS)), min_size=1, max_size=2))):
                prio = draw(st.sampled_from(NAT_PRIOS))
                rules = draw(st.lists(nat_rule(hook, fam, own), min_size=1, max_size=3))
                body.append(
                    f"  chain n{i} {{\n    type nat hook {hook} priority {prio}; policy accept;\n"
                    + "".join(f"    {r}\n" for r in rules)
                    + "  }"
                )
        out.append(f"table {fam} t{t} {{\n" + "\n".join(body) + "\n}")
    return "\n".join(out)


def _block(text: str) -> str:
    return "    nftables: |\n" + "".join(f"      {ln}\n" for ln in text.splitlines())


@st.composite
def labs(draw: st.DrawFn, nat: bool = True) -> str:
    """A lab of nftgen's topology with random rulesets; ``nat`` false: filter chains only
    (port probes through NAT are not simulated)."""
    nodes = {n: "" for n in ("a", "c", "r1", "r2", "b")}
    chosen = draw(st.lists(st.sampled_from(list(nodes)), min_size=1, max_size=3, unique=True))
    for n in chosen:
        nodes[n] = _block(draw(ruleset(IFACES[n], nat)))
    return TOPOLOGY.format(**nodes)
