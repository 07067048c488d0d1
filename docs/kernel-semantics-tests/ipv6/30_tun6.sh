#!/bin/bash
# Q30 (guests on a tun, §11.13): a tun (IFF_TUN, no PI) with an IPv6 address: link-local, DAD, ND, and
# what its descriptor reads when the host pings the far side. Run inside /work/shared/tools/sandbox.sh.
ip netns add t1
X() { ip netns exec t1 "$@"; }
X sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0
X ip tuntap add tun0 mode tun
X ip link set tun0 up
X ip -6 addr add 2001:db8:5::1/64 dev tun0
echo "before attach:"; X ip -6 addr show dev tun0; X ip link show tun0
X python3 - <<'PY' &
import fcntl, os, struct, time, select
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, 0x400454CA, struct.pack("16sH", b"tun0", 0x0001 | 0x1000))
end = time.time() + 6
while time.time() < end:
    r, _, _ = select.select([fd], [], [], 0.2)
    if r:
        b = os.read(fd, 2000)
        v = b[0] >> 4
        if v == 6:
            nxt = b[6]; src = b[8:24].hex(); dst = b[24:40].hex()
            t = b[40] if nxt == 58 else None
            print(f"fd read: v6 nxt={nxt} icmp6type={t} src={src} dst={dst}", flush=True)
        else:
            print(f"fd read: v{v} len={len(b)}", flush=True)
PY
sleep 3
echo "after attach (3 s):"; X ip -6 addr show dev tun0; X ip link show tun0
X ping -6 -c1 -W1 2001:db8:5::2 >/dev/null; echo "ping rc=$?"
X ip -6 neigh show dev tun0
X cat /proc/sys/net/ipv6/conf/tun0/addr_gen_mode
wait
