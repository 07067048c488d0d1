"""Server for 20_nat6.sh: TCP and UDP listeners on :: (V6ONLY) on the given ports; each answers
NAME, the address and port it was reached on (TCP: getsockname of the accepted socket) and its peer."""
import select, socket, sys
name = sys.argv[1]; ports = [int(p) for p in sys.argv[2:]]
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
            c, peer = s.accept(); loc = c.getsockname()
            c.send(f"{name} local=[{loc[0]}]:{loc[1]} peer=[{peer[0]}]:{peer[1]}".encode()); c.close()
        else:
            _, peer = s.recvfrom(64)
            try:
                s.sendto(f"{name} port={s.getsockname()[1]} peer=[{peer[0]}]:{peer[1]}".encode(), peer)
            except OSError as e:
                print(f"{name}: udp answer to {peer[0]}: {e}", flush=True)
