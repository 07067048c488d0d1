# nat-port-clash.yaml on the kernel: three rows through one named SNAT port, r1's conntrack after each
# (run: .venv/bin/python docs/kernel-semantics-tests/nat_port_clash_matrix.py; it sandboxes itself)
import subprocess, sys

from vnetlab import load, resolve
from vnetlab.kernel import KernelLab, sandbox

def go(path):
    k = KernelLab(resolve(load(path)))
    k.up()
    out = []
    try:
        for src in ["a", "c", "r1"]:
            r = k.probe(src, ["198.51.100.10"], proto="tcp", port=80)
            ct = subprocess.run(["ip", "netns", "exec", k.netns("r1"), "cat", "/proc/net/nf_conntrack"], capture_output=True, text=True).stdout
            st = subprocess.run(["ip", "netns", "exec", k.netns("r1"), "cat", "/proc/net/stat/nf_conntrack"], capture_output=True, text=True).stdout
            out.append((src, r, [l for l in ct.splitlines() if "dport=80" in l], st.splitlines()[1:]))
        m = k.matrix("tcp", 80).as_json()
        out.append(("matrix", m["rows"], [], []))
    finally:
        k.close()
    return out

for x in sandbox.run(go, str(__import__("pathlib").Path(__file__).resolve().parents[2] / "tests/data/ports/nat-port-clash.yaml")):
    print(x[0], x[1]); [print("   ", l) for l in x[2]]; [print("   stat", l) for l in x[3]]
