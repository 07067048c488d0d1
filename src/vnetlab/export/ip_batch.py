"""The lab as a shell script of `ip` commands that builds it without vnetlab.

The plan's steps, each written as the `ip` command that does the same, grouped
into one `ip -n NAMESPACE -batch -` block per run of steps in one namespace.
Modes and ports are always explicit (the kernel's macvlan default is vepa, its
vxlan port 8472). sysctl values go through `ip netns exec … sysctl`; a node's
nftables ruleset is one ``shlex.quote``d word piped to ``ip netns exec … nft -f -``.

Lab strings are untrusted: every word of a shell line is quoted
(``shlex.quote``), and a word of an ``ip -batch`` line, which has no escape
(``#`` starts a comment anywhere, ``"`` starts a quoted word), must be one
that validation lets through (check.py's ifname-unsafe); ``_word`` refuses
anything else rather than write it.
"""

from __future__ import annotations

import shlex

from ..plan import Step, build_plan
from ..plan.steps import AddrSpec, LinkSpec, NeighSpec, NetnsSpec, NftSpec, PortSpec, RouteSpec, SysctlSpec, UpSpec
from ..resolve import Resolved
from .kinds import EXPORT_KINDS
from .kinds._common import word

_word = word  # one word of an `ip -batch` line (the rule lives with the kinds' adapters)


def _sh(*words: object) -> str:
    """A shell command line, every word quoted."""
    return " ".join(shlex.quote(str(w)) for w in words)


def _in(node: str, line: str) -> str:
    """A line that runs elsewhere than its step's batch: in another node's
    batch, or (node "") as a shell command between batches."""
    return f"\x00{node}\x00{line}"  # NUL: in no node name and no line


def _vids(a: PortSpec) -> list[int]:
    assert a.pvid is not None
    vids: set[int] = {a.pvid}
    for v in a.vlans:
        lo, _, hi = str(v).partition("-")
        vids.update(range(int(lo), int(hi or lo) + 1))
    return sorted(vids)


def _lines(r: Resolved, s: Step) -> tuple[str, list[str]]:
    """(where, lines): where is the lab namespace whose batch runs the lines, or "" for shell."""
    a = s.spec
    if isinstance(a, NetnsSpec):
        return "", [
            _sh("ip", "netns", "add", a.netns),
            _sh("ip", "-n", a.netns, "link", "set", "lo", "alias", a.alias),
        ]
    if isinstance(a, LinkSpec):
        adapter = EXPORT_KINDS[a.kind]
        where = a.parent_ns or s.ns if adapter.BUILT_IN_PARENT_NS else s.ns
        out: list[str] = adapter.ip_link(r, s)
        for mac in getattr(a.fields, "source_macs", ()):
            out.append(_in(s.ns, f"link set dev {_word(s.obj)} type {a.kind} macaddr add {mac}"))
        for ip in getattr(a.fields, "remotes", ()):  # vxlan head-end replication: all-zero FDB entries
            out.append(
                _in(
                    "",
                    _sh("bridge", "-n", r.netns(s.ns), "fdb", "append", "00:00:00:00:00:00", "dev", s.obj, "dst", ip),
                )
            )
        return where, out
    if isinstance(a, PortSpec):
        opts = []
        if a.hairpin:
            opts.append("hairpin on")
        if not a.learning:
            opts.append("learning off")
        if not a.flood:
            opts.append("flood off")
        out = [f"link set dev {_word(s.obj)} master {_word(a.master)}"]
        if opts:
            out.append(f"link set dev {_word(s.obj)} type bridge_slave {' '.join(opts)}")
        if a.pvid is not None:  # VLAN membership replaces what enslaving gave the port
            ns = r.netns(s.ns)
            out.append(_in("", _sh("bridge", "-n", ns, "vlan", "del", "dev", s.obj, "vid", a.default_pvid)))
            for vid in _vids(a):
                flags = (["pvid"] + (["untagged"] if a.untagged else [])) if vid == a.pvid else []
                out.append(_in("", _sh("bridge", "-n", ns, "vlan", "add", "dev", s.obj, "vid", vid, *flags)))
        return s.ns, out
    if isinstance(a, SysctlSpec):
        return "", [_sh("ip", "netns", "exec", r.netns(s.ns), "sysctl", "-qw", f"{s.obj}={a.value}")]
    if isinstance(a, AddrSpec):  # with DAD, IPv6 included, as `up` adds them
        return s.ns, [f"address add {a.address} dev {_word(s.obj)}"]
    if isinstance(a, UpSpec):
        return s.ns, [f"link set dev {_word(s.obj)} up"]
    if isinstance(a, RouteSpec):
        via = f" via {a.via}" if a.via else ""
        dev = f" dev {_word(a.dev)}" if a.dev else ""
        metric = f" metric {a.metric}" if a.metric is not None else ""
        return s.ns, [f"route add {s.obj}{via}{dev}{metric} proto static"]  # as `up` (pyroute2) adds it
    if isinstance(a, NeighSpec):
        return s.ns, [f"neigh add {s.obj} lladdr {a.lladdr} dev {_word(a.dev)} nud permanent"]
    if isinstance(a, NftSpec):  # the ruleset as one single-quoted word on nft's stdin: never parsed by the shell
        return "", [
            f"printf '%s\\n' {shlex.quote(a.ruleset)} | {_sh('ip', 'netns', 'exec', r.netns(s.ns), 'nft', '-f', '-')}"
        ]
    raise ValueError(s.op)


def to_script(r: Resolved) -> str:
    out = [
        "#!/bin/sh",
        f"# lab {r.lab.lab}, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.",
        f"# Remove it with: ip -all netns delete  (or `vnetlab down {r.lab.lab}`)",
        "set -e",
    ]
    uses_v6 = r.uses_v6
    block: list[str] = []
    block_ns = None

    def close() -> None:
        nonlocal block, block_ns
        if block:
            assert block_ns is not None  # a block always has its namespace
            out.append(f"ip -n {shlex.quote(r.netns(block_ns))} -batch - <<'EOF'")
            out.extend(block)
            out.append("EOF")
        block, block_ns = [], None

    for s in build_plan(r):
        where, lines = _lines(r, s)
        for line in lines:
            ns = where
            if line.startswith("\x00"):
                _, ns, line = line.split("\x00", 2)
            if not ns:
                close()
                out.append(line)
                if s.op == "netns" and line.startswith("ip netns add ") and not uses_v6:
                    n = s.args["netns"]
                    out.append(
                        _sh(
                            "ip",
                            "netns",
                            "exec",
                            n,
                            "sysctl",
                            "-qw",
                            "net.ipv6.conf.all.disable_ipv6=1",
                            "net.ipv6.conf.default.disable_ipv6=1",
                        )
                    )
                if s.op == "netns" and line.startswith("ip netns add "):  # as the kernel backend: br_netfilter off
                    n = s.args["netns"]
                    keys = [f"net.bridge.bridge-nf-call-{k}=0" for k in ("iptables", "ip6tables", "arptables")]
                    out.append(
                        "[ ! -d /proc/sys/net/bridge ] || " + _sh("ip", "netns", "exec", n, "sysctl", "-qw", *keys)
                    )
                continue
            if ns != block_ns:
                close()
                block_ns = ns
            block.append(line)
    close()
    out += _WAIT.strip("\n").split("\n")
    out.append(_sh("vnetlab_wait", *(r.netns(n) for n in [*r.lab.switches, *r.lab.nodes])))
    return "\n".join(out) + "\n"


#: `ip -o link show`, a line "--", then `ip -o -6 address show tentative -dadfailed`: one line per
#: thing still pending (awk rules joined by ";" into one shell word: every line of the script is one
#: that `shlex.split` reads, tests/unit/test_hostile_names.py)
_AWK = "; ".join(
    [
        '$0 == "--" { addrs = 1; next }',
        '!addrs { dev = $2; sub(/@.*/, "", dev); sub(/:$/, "", dev); name[$1] = dev; st = ""; '
        'for (k = 4; k < NF; k++) if ($k == "state") st = $(k + 1); '
        "up = $3 ~ /[<,]UP[,>]/; carrier = $3 ~ /[<,]LOWER_UP[,>]/ }",
        '!addrs && up && carrier && (st == "DOWN" || st == "LOWERLAYERDOWN") '
        '{ print "carrier not yet in effect on " dev }',
        '!addrs && up && !carrier && (st == "UP" || st == "UNKNOWN") { print "carrier loss not yet in effect on " dev }',
        "!addrs && up && carrier { ready[$1] = 1 }",
        'addrs && ($1 in ready) { print "IPv6 address still tentative: " name[$1] " " $4 }',
    ]
)
#: The end of every script: wait as `vnetlab up` does (KernelLab.settle and wait_dad) until every
#: device's carrier has taken effect (linkwatch has set its operstate; a link-local address comes
#: with it) and no IPv6 address of a device that is up with carrier is tentative (DAD: 1-2 s,
#: docs/kernel-semantics.md §11.2), at most 4 s; then report what failed DAD or is still tentative,
#: on stderr, as `up` does (exit status 0: the lab is built). The namespace names are the function's
#: quoted arguments; the awk program and messages are constants (printf '%s', never a format).
#: Measured (session 7, loaded machine): 1.9-2.8 s on the v6 labs (DAD of the kernel's link-local
#: addresses, as in `up`), 0.7-0.8 s on an IPv4 lab (linkwatch putting carrier into effect: `up` waits
#: for that only where a device may lack carrier, KernelLab.settle).
_WAIT = (
    r"""
# wait (at most 4 s) for carrier and IPv6 DAD, as `vnetlab up` does; report addresses that failed DAD
vnetlab_now() { awk '{ printf "%d\n", $1 * 100 }' /proc/uptime; }
"""
    + f"vnetlab_awk={shlex.quote(_AWK)}\n"
    + r"""vnetlab_busy() {
  { ip -n "$1" -o link show; echo --; ip -n "$1" -o -6 address show tentative -dadfailed 2>/dev/null; } | awk "$vnetlab_awk"
}
vnetlab_wait() {
  end=$(($(vnetlab_now) + 400))
  while :; do
    busy=
    for ns in "$@"; do
      left=$(vnetlab_busy "$ns")
      [ -z "$left" ] || { busy=$ns; break; }
    done
    [ -n "$busy" ] || break
    if [ "$(vnetlab_now)" -ge "$end" ]; then
      for ns in "$@"; do
        vnetlab_busy "$ns" | while read -r what; do
          printf '%s\n' "after the wait, in $ns: $what" >&2
        done
      done
      break
    fi
    sleep 0.05
  done
  for ns in "$@"; do
    ip -n "$ns" -o -6 address show dadfailed 2>/dev/null | while read -r _ dev _ addr _; do
      printf '%s\n' "IPv6 duplicate address detection failed: $ns/$dev $addr" >&2
    done
  done
}
"""
)
