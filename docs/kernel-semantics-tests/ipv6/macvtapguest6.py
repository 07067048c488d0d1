#!/usr/bin/env python3
"""A recording IPv6 'guest' on a macvtap's character device (stdlib only), for 31_macvtap_guest6.sh.

usage: macvtapguest6.py CHARDEV MAC ADDR6 SECONDS [ASK]
Its link-local address is the EUI-64 one of MAC (the macvtap's own MAC: the guest and the netdev
share it). At start it runs DAD as vnetlab's guest does: one NS from :: to the solicited-node group
of its link-local and of ADDR6, with a nonce option; an NS for an address it is testing that
carries another nonce (or none), or an NA for it, fails that address (RFC 4862 5.4.3, 7527).
It answers NS (unicast NA, S|O) and echo requests for its addresses that did not fail. With ASK,
1.5 s after start it sends one multicast NS for ASK and reports whether an NA came back.
It prints each NS/NA it receives: type, source, target, nonce (own / other / none).
"""

import fcntl
import os
import select
import socket
import struct
import sys
import time

TUNSETIFF, IFF_TAP, IFF_NO_PI = 0x400454CA, 0x0002, 0x1000
path, mac_s, addr_s, secs = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
ask = sys.argv[5] if len(sys.argv) > 5 else None
mac = bytes.fromhex(mac_s.replace(":", ""))
iid = bytes([mac[0] ^ 2]) + mac[1:3] + b"\xff\xfe" + mac[3:6]
ll = bytes.fromhex("fe80000000000000") + iid
glob = socket.inet_pton(socket.AF_INET6, addr_s)
fd = os.open(path, os.O_RDWR)
fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", b"", IFF_TAP | IFF_NO_PI))
NONCE = b"\x0e\x01\xa1\xb2\xc3\xd4\xe5\xf6"  # option 14, length 1 (8 bytes), 6-byte nonce
name = {ll: "LL", glob: "G"}
if ask:
    name[socket.inet_pton(socket.AF_INET6, ask)] = "ASK"
failed: set[bytes] = set()
print("ready", flush=True)


def show(a):
    return name.get(a) or ("::" if a == bytes(16) else socket.inet_ntop(socket.AF_INET6, a))


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def send(dst_mac, src, dst, body, hop=255):
    pseudo = src + dst + struct.pack("!I3xB", len(body), 58)
    body = body[:2] + struct.pack("!H", csum(pseudo + body)) + body[4:]
    ip = struct.pack("!IHBB", 6 << 28, len(body), 58, hop) + src + dst
    os.write(fd, dst_mac + mac + b"\x86\xdd" + ip + body)


def ns(src, tgt, opt):
    group = bytes.fromhex("ff0200000000000000000001ff") + tgt[13:]
    send(b"\x33\x33\xff" + tgt[13:], src, group, struct.pack("!BBHI", 135, 0, 0, 0) + tgt + opt)


t0 = time.time()
dad_until = t0 + 1.0
for a in (ll, glob):
    ns(bytes(16), a, NONCE)
asked = na_for_ask = False
while time.time() < t0 + secs:
    if ask and not asked and time.time() >= t0 + 1.5:
        asked = True
        ns(ll, socket.inet_pton(socket.AF_INET6, ask), b"\x01\x01" + mac)
    r, _, _ = select.select([fd], [], [], 0.1)
    if not r:
        continue
    f = os.read(fd, 65535)
    if len(f) < 54 or f[12:14] != b"\x86\xdd" or f[20] != 58:
        continue
    src, dst, icmp = f[22:38], f[38:54], f[54:]
    t, now = icmp[0], time.time()
    if t in (135, 136):
        tgt = icmp[8:24]
        opts, nonce = icmp[24:], "none"
        while len(opts) >= 8 and opts[1]:
            if opts[0] == 14:
                nonce = "own" if opts[: opts[1] * 8] == NONCE else "other"
            opts = opts[opts[1] * 8 :]
        tentative = now < dad_until and tgt in (ll, glob)
        print(f"{now - t0:5.2f}s got {'NS' if t == 135 else 'NA'} src={show(src)} target={show(tgt)} nonce={nonce}"
              f"{' (tentative)' if tentative else ''}", flush=True)
        if tentative and nonce != "own" and tgt not in failed:
            failed.add(tgt)
            print(f"      DAD of {show(tgt)} FAILED", flush=True)
        if t == 136 and ask and tgt == socket.inet_pton(socket.AF_INET6, ask):
            na_for_ask = True
        if t == 135 and tgt in (ll, glob) and tgt not in failed and not tentative:
            body = struct.pack("!BBHI", 136, 0, 0, 0x60000000) + tgt + b"\x02\x01" + mac
            if src == bytes(16):  # a DAD probe: the NA goes to all nodes (RFC 4861 7.2.4)
                send(b"\x33\x33\x00\x00\x00\x01", tgt, bytes.fromhex("ff02" + "00" * 13 + "01"), body[:4] + b"\0\0\0\0" + body[8:])
            else:
                send(f[6:12], tgt, src, body)
            print(f"      answered NS for {show(tgt)}", flush=True)
    elif t == 128 and dst in (ll, glob) and dst not in failed:
        send(f[6:12], dst, src, b"\x81\x00\x00\x00" + icmp[4:], hop=64)
        print(f"{now - t0:5.2f}s answered echo to {show(dst)} from {show(src)}", flush=True)
print("DAD failed:", sorted(show(a) for a in failed) or "none", flush=True)
if ask:
    print("NA for its NS for ASK:", "yes" if na_for_ask else "no", flush=True)
