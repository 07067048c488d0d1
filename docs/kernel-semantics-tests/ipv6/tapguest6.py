#!/usr/bin/env python3
"""Minimal IPv6 'guest' on a tap fd (stdlib only), for 10_tapguest.sh.

usage: tapguest6.py TAPNAME MAC ADDR6 VARIANT SECONDS
VARIANT: good | hop64 (NA with hop limit 64) | notlla (NA without the target link-layer option)
         | nosol (NA without the solicited flag) | mute (never answers NS)
         | ask:ADDR / asknosllao:ADDR (answer like good, and 3 s after start send one multicast NS
           for ADDR with / without the source link-layer option; report whether an NA came back)
The guest sends no DAD and no MLD. It answers NS for ADDR6 and echo requests to ADDR6.
"""

import fcntl
import os
import select
import socket
import struct
import sys
import time

TUNSETIFF, IFF_TAP, IFF_NO_PI = 0x400454CA, 0x0002, 0x1000
name, mac_s, addr_s, variant, secs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])
mac = bytes.fromhex(mac_s.replace(":", ""))
addr = socket.inet_pton(socket.AF_INET6, addr_s)
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI))
print("ready", flush=True)


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def icmp6(src, dst, body):  # body with checksum field zeroed
    pseudo = src + dst + struct.pack("!I3xB", len(body), 58)
    c = csum(pseudo + body)
    return body[:2] + struct.pack("!H", c) + body[4:]


def send(dst_mac, src, dst, body, hop=255):
    ip = struct.pack("!IHBB", 6 << 28, len(body), 58, hop) + src + dst
    os.write(fd, dst_mac + mac + b"\x86\xdd" + ip + icmp6(src, dst, body))


counts = {}
ask = variant.split(":", 1)[1] if ":" in variant else None
ask_at, asked, na_for_ask = time.time() + 3, False, False
end = time.time() + secs
while time.time() < end:
    if ask and not asked and time.time() >= ask_at:
        asked = True
        tgt = socket.inet_pton(socket.AF_INET6, ask)
        group = bytes.fromhex("ff0200000000000000000001ff") + tgt[13:]
        body = struct.pack("!BBHI", 135, 0, 0, 0) + tgt
        if variant.startswith("ask:"):
            body += b"\x01\x01" + mac
        send(b"\x33\x33\xff" + tgt[13:], addr, group, body)
        print("sent NS for", ask, "with" if variant.startswith("ask:") else "without", "SLLA", flush=True)
    r, _, _ = select.select([fd], [], [], 0.2)
    if not r:
        continue
    f = os.read(fd, 65535)
    if len(f) < 54 or f[12:14] != b"\x86\xdd" or f[20] != 58:
        continue
    if not (f[0:6] == mac or f[0:2] == b"\x33\x33"):
        continue
    src, dst, icmp = f[22:38], f[38:54], f[54:]
    t = icmp[0]
    counts[t] = counts.get(t, 0) + 1
    if t == 136 and ask and icmp[8:24] == socket.inet_pton(socket.AF_INET6, ask):
        na_for_ask = True
    if t == 135 and icmp[8:24] == addr and variant != "mute":
        flags = 0x20000000 if variant == "nosol" else 0x60000000  # S|O or O
        body = struct.pack("!BBHI", 136, 0, 0, flags) + addr
        if variant != "notlla":
            body += b"\x02\x01" + mac
        send(f[6:12], addr, src, body, hop=64 if variant == "hop64" else 255)
    elif t == 128 and dst == addr:
        send(f[6:12], addr, src, b"\x81\x00\x00\x00" + icmp[4:], hop=64)
print("received ICMPv6 types:", dict(sorted(counts.items())), flush=True)
if ask:
    print("NA for the NS it sent:", "yes" if na_for_ask else "no", flush=True)
