"""A hypothesis strategy for random valid labs: switches with random hairpin,
hosts with one or two NICs, macvlan/macvtap children in random modes (some
with static neighbours, some two to a node), random arp_ignore/arp_announce/
rp_filter, switches with up to 40 ports (plain filler nodes), addresses
sometimes duplicated on another switch, an optional host bridge with veth
ports, VXLAN VTEPs (remote, remotes, group) over one switch, and random
admin-down devices."""

from __future__ import annotations

from hypothesis import strategies as st

MODES = ["private", "vepa", "bridge"]


def _sysctl(draw: st.DrawFn) -> str:
    """Random ARP and reverse-path knobs (empty most of the time)."""
    if draw(st.integers(0, 2)):
        return ""
    kv = []
    for key, hi in (("arp_ignore", 2), ("arp_announce", 2), ("rp_filter", 2)):
        v = draw(st.integers(0, hi))
        if v:
            kv.append(f"net.ipv4.conf.all.{key}: {v}")
    return "    sysctl: {" + ", ".join(kv) + "}" if kv else ""


@st.composite
def labs(draw: st.DrawFn) -> str:
    n_sw = draw(st.integers(1, 3))
    sw = [f"s{i}" for i in range(n_sw)]
    lines = ["lab: fz", "switches:"]
    for s in sw:
        lines.append(f"  {s}: {{hairpin: {str(draw(st.booleans())).lower()}}}")
    lines.append("nodes:")
    n_hosts = draw(st.integers(1, 4))
    addr = iter(range(10, 250))
    children: list[tuple[str, str, str]] = []  # (node, ip, mac)
    for h in range(n_hosts):
        s = draw(st.sampled_from(sw))
        hairpin = draw(st.booleans())
        host_ip = f"198.51.100.{next(addr)}/24" if draw(st.booleans()) else None
        down = draw(st.integers(0, 9)) == 0
        nic = f'eth0: {{kind: nic, switch: {s}, mac: "02:00:00:00:{h:02x}:00"'
        if hairpin:
            nic += ", port: {hairpin: true}"
        if host_ip:
            nic += f", addresses: [{host_ip}]"
        if down:
            nic += ", up: false"
        lines += [f"  h{h}:", "    interfaces:", f"      {nic}}}"]
        if draw(st.integers(0, 2)) == 0:  # a second NIC, on the same or another switch
            s2 = draw(st.sampled_from(sw))
            nic2 = f'eth1: {{kind: nic, switch: {s2}, mac: "02:00:00:00:{h:02x}:f1"'
            if draw(st.booleans()):
                nic2 += f", addresses: [198.51.100.{next(addr)}/24]"
            lines.append(f"      {nic2}}}")
        sc = _sysctl(draw)
        if sc:
            lines.append(sc)
        n_children = draw(st.integers(0, 3))
        passthru = n_children == 1 and draw(st.integers(0, 4)) == 0
        for c in range(n_children):
            kind = draw(st.sampled_from(["macvlan", "macvlan", "macvtap"]))
            mode = "passthru" if passthru else draw(st.sampled_from([*MODES, "source"]))
            ip = f"198.51.100.{next(addr)}"
            mac = f"02:00:00:00:{h:02x}:{c + 1:02x}"
            node = f"h{h}c{c}"
            spec = f"{{kind: {kind}, parent: h{h}/eth0, mode: {mode}, addresses: [{ip}/24]"
            if mode != "passthru":
                spec += f', mac: "{mac}"'
            else:
                mac = f"02:00:00:00:{h:02x}:00"
                if draw(st.booleans()):
                    spec += ", nopromisc: true"
            if mode == "source":
                listed = draw(st.lists(st.integers(0, n_hosts - 1), max_size=2, unique=True))
                macs = ", ".join(f'"02:00:00:00:{x:02x}:00"' for x in listed) or '"02:00:00:00:99:99"'
                spec += f", source_macs: [{macs}]"
            if draw(st.integers(0, 9)) == 0:
                spec += ", up: false"
            lines += [f"  {node}:", "    interfaces:", f"      mv0: {spec}}}"]
            if mode != "passthru" and draw(st.integers(0, 3)) == 0:  # a sibling in the same node
                m2 = draw(st.sampled_from(MODES))
                ip2 = f"{draw(st.sampled_from(['198.51.100', '203.0.113']))}.{next(addr)}"
                lines.append(
                    f"      mv1: {{kind: macvlan, parent: h{h}/eth0, mode: {m2}, "
                    f'mac: "02:00:00:00:{h:02x}:{c + 0x41:02x}", addresses: [{ip2}/24]}}'
                )
            sc = _sysctl(draw)
            if sc:
                lines.append(sc)
            children.append((node, ip, mac))
    # static neighbours between some children
    extra: dict[str, list[str]] = {}
    for node, _, _ in children:
        if children and draw(st.integers(0, 3)) == 0:
            other = draw(st.sampled_from(children))
            if other[0] != node:
                extra.setdefault(node, []).append(f'      - {{address: {other[1]}, lladdr: "{other[2]}", dev: mv0}}')
    out: list[str] = []
    name = ""
    for i, ln in enumerate(lines):
        out.append(ln)
        if ln.startswith("  ") and not ln.startswith("   "):
            name = ln.strip().rstrip(":")
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if name in extra and ln.startswith("      ") and not nxt.startswith("      "):
            out += ["    neighbors:", *extra.pop(name)]  # after the node's last interface
    # plain filler nodes: switches of up to 40 ports (the bridge's ARP fast path starts above 8)
    if draw(st.integers(0, 3)) == 0:
        s = draw(st.sampled_from(sw))
        have = sum(f"switch: {s}," in ln for ln in out)
        for f in range(draw(st.integers(1, max(1, 40 - have)))):  # at most 40 ports in all
            out += [
                f"  f{f}:",
                "    interfaces:",
                f"      eth0: {{kind: nic, switch: {s}, addresses: [198.51.100.{next(addr)}/24]}}",
            ]
    # VXLAN VTEPs over one switch: each with a unicast remote, a list of remotes
    # (head-end replication) or a multicast group; overlay 192.0.2.0/24
    if draw(st.integers(0, 3)) == 0:
        s = draw(st.sampled_from(sw))
        n = draw(st.integers(2, 3))
        under = [next(addr) for _ in range(n)]
        for v in range(n):
            others = [f"198.51.100.{under[o]}" for o in range(n) if o != v]
            how = draw(st.sampled_from(["remote", "remotes", "group", "group"]))
            if how == "remote":
                dst = f"remote: {others[0]}"
            elif how == "remotes":
                pick = draw(st.lists(st.sampled_from(others), min_size=1, unique=True))
                dst = f"remotes: [{', '.join(pick)}]"
            else:
                dst = "group: 239.1.1.1"
            learn = "" if draw(st.integers(0, 3)) else ", learning: false"
            out += [
                f"  v{v}:",
                "    interfaces:",
                f"      eth0: {{kind: nic, switch: {s}, addresses: [198.51.100.{under[v]}/24]}}",
                f"      vx0: {{kind: vxlan, vni: 42, {dst}, dev: eth0, dstport: 4789{learn}, "
                f'mac: "02:00:00:00:cc:{v:02x}", addresses: [192.0.2.{v + 1}/24]}}',
            ]
    # the same address on a host of another switch (separate segments), or of the same one
    if len(sw) > 1 and draw(st.integers(0, 4)) == 0:
        # mostly an address of another segment; sometimes one of the same segment (a real conflict:
        # ARP answers race, as the kernel decides; the run that found the ARP override had one)
        same = draw(st.integers(0, 4)) == 0
        seg_of_host: dict[str, str] = {}
        node = ""
        for ln in out:
            if ln.startswith("  ") and not ln.startswith("   "):
                node = ln.strip().rstrip(":")
            elif "switch: " in ln:
                seg_of_host.setdefault(node, ln.split("switch: ")[1].split(",")[0].split("}")[0])
        taken = []
        for ln in out:
            if "addresses: [198.51.100." not in ln:
                continue
            if "switch: " in ln:
                seg = ln.split("switch: ")[1].split(",")[0].split("}")[0]
            else:
                seg = seg_of_host.get(ln.split("parent: ")[1].split("/")[0], "") if "parent: " in ln else ""
            if seg and (seg == sw[-1]) == same:
                taken.append(ln.split("198.51.100.")[1].split("/")[0])
        if taken:
            dup = draw(st.sampled_from(taken))
            out += [
                "  dup:",
                "    interfaces:",
                f"      eth0: {{kind: nic, switch: {sw[-1]}, addresses: [198.51.100.{dup}/24]}}",
            ]
    # an optional host bridge with veth ports, in a second subnet
    if draw(st.booleans()):
        n_ports = draw(st.integers(1, 2))
        bridge_ip = draw(st.booleans())
        out += [
            "  hb:",
            "    interfaces:",
            "      br0: {kind: bridge" + (", addresses: [203.0.113.1/24]" if bridge_ip else "") + "}",
        ]
        for p in range(n_ports):
            hp = ", port: {hairpin: true}" if draw(st.integers(0, 3)) == 0 else ""
            out.append(f"      vp{p}: {{kind: veth, peer: ct{p}/eth0, master: br0{hp}}}")
        if draw(st.booleans()):
            out.append("      tap0: {kind: tap, master: br0}")  # nobody holds its descriptor: no carrier
        for p in range(n_ports):
            down = ", up: false" if draw(st.integers(0, 9)) == 0 else ""
            out += [
                f"  ct{p}:",
                "    interfaces:",
                f"      eth0: {{kind: veth, peer: hb/vp{p}, addresses: [203.0.113.{10 + p}/24]{down}}}",
            ]
        for m in range(draw(st.integers(0, 2))):  # macvlans on the bridge device itself
            mode = draw(st.sampled_from(MODES))
            out += [
                f"  bm{m}:",
                "    interfaces:",
                f'      mv0: {{kind: macvlan, parent: hb/br0, mode: {mode}, mac: "02:00:00:00:bb:{m:02x}", addresses: [203.0.113.{50 + m}/24]}}',
            ]
    return "\n".join(out) + "\n"
