import random, sys
seed = int(sys.argv[1]); rnd = random.Random(seed)
hp = rnd.random() < 0.5
modes = ["bridge", "vepa", "private", "passthru"]
n = rnd.choice([1, 2])
first = rnd.choice(modes)
ms = [first] if first == "passthru" else [first] + [rnd.choice(["bridge", "vepa", "private"]) for _ in range(n - 1)]
lines = [f"lab: fz{seed}", "switches:", f"  lan: {{hairpin: {str(hp).lower()}}}", "nodes:", "  o:", "    interfaces:",
         '      eth0: {kind: nic, switch: lan, mac: "02:00:00:00:f0:01", addresses: ["fd00::1/64"]}',
         "  h:", "    interfaces:", '      eth0: {kind: nic, switch: lan, mac: "02:00:00:00:f0:02"}']
for k, m in enumerate(ms):
    mac = f"02:00:00:00:f0:{0x10 + k:02x}"
    own = f"fd00::{0x100 + k:x}:{0x77 + k:x}"
    ga = rnd.choice(["eui", "own", "eui"])
    lowmac = mac if m != "passthru" else "02:00:00:00:f0:02"
    if ga == "eui":
        b = lowmac.split(":")
        g = f"fd00::ff:fe{b[3]}:{b[4]}{b[5]}"
    else:
        g = f"fd00::9:{0x100 + k:x}:{0x77 + k:x}"
    lines += [f"      mvt{k}:", "        kind: macvtap", "        parent: eth0", f"        mode: {m}"]
    if m != "passthru":
        lines.append(f'        mac: "{mac}"')
    if ga == "own" or rnd.random() < 0.5:
        lines.append(f'        addresses: ["{own}/64"]')
    lines.append(f'        guest: {{name: vm{k}, addresses: ["{g}/64"]}}')
if "passthru" not in ms and rnd.random() < 0.6:
    sm = rnd.choice(["bridge", "vepa", "private"])
    lines += ["  s:", "    interfaces:", f'      mv0: {{kind: macvlan, parent: h/eth0, mode: {sm}, mac: "02:00:00:00:f0:20", addresses: ["fd00::20/64"]}}']
print("\n".join(lines))
