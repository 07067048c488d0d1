"""ICMPv6 echo from a ping socket bound to echo id ID (sport): prints the reply's id as the socket sees it.
usage: 20_nat6_ping.py ADDR ID"""
import select, socket, struct, sys
addr, ident = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM, socket.IPPROTO_ICMPV6)
s.bind(("::", ident))
s.sendto(struct.pack("!BBHHH", 128, 0, 0, ident, 1) + b"nat6", (addr, 0))
rd, _, _ = select.select([s], [], [], 1.0)
if not rd:
    print(f"  ping {addr} id {ident} -> timeout (1 s)")
else:
    d, peer = s.recvfrom(128)
    t, _, _, rid, seq = struct.unpack("!BBHHH", d[:8])
    print(f"  ping {addr} id {ident} -> type {t} id {rid} from {peer[0]}")
