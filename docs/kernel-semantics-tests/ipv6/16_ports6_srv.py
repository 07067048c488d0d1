"""Server for 16_ports6.sh: TCP and UDP listeners on :: (V6ONLY) on the given ports; each sends NAME."""
import select, socket, sys
name = sys.argv[1].encode(); ports = [int(p) for p in sys.argv[2:]]
socks = []
for p in ports:
    for typ in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        s = socket.socket(socket.AF_INET6, typ)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("::", p))
        if typ == socket.SOCK_STREAM:
            s.listen(16)
        socks.append(s)
while True:
    for s in select.select(socks, [], [])[0]:
        if s.type == socket.SOCK_STREAM:
            c, _ = s.accept(); c.send(name); c.close()
        else:
            _, peer = s.recvfrom(64); s.sendto(name, peer)
