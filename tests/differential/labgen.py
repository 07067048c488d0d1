"""A hypothesis strategy for random valid labs: switches with random hairpin,
hosts with NICs, macvlan/macvtap children in random modes (some with static
neighbours), an optional host bridge with veth ports, addresses in one or two
subnets, and random admin-down devices."""

from __future__ import annotations

from hypothesis import strategies as st

MODES = ["private", "vepa", "bridge"]


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
            children.append((node, ip, mac))
    # static neighbours between some children
    extra: dict[str, list[str]] = {}
    for node, _, _ in children:
        if children and draw(st.integers(0, 3)) == 0:
            other = draw(st.sampled_from(children))
            if other[0] != node:
                extra.setdefault(node, []).append(f'      - {{address: {other[1]}, lladdr: "{other[2]}", dev: mv0}}')
    out: list[str] = []
    i = 0
    while i < len(lines):
        out.append(lines[i])
        if lines[i].startswith("  h") and lines[i].rstrip(":").strip() in extra:
            name = lines[i].rstrip(":").strip()
            out += [lines[i + 1], lines[i + 2], "    neighbors:", *extra[name]]
            i += 3
            continue
        i += 1
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
