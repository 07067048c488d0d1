# responder for nat_ports.sh: TCP and UDP listeners that log the peer each connection/datagram came from
import selectors, socket, sys
log = open(sys.argv[1], "a", buffering=1)
sel = selectors.DefaultSelector()
for p in map(int, sys.argv[2:]):
    t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); t.bind(("0.0.0.0", p)); t.listen(16)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("0.0.0.0", p))
    sel.register(t, selectors.EVENT_READ, ("tcp", p)); sel.register(u, selectors.EVENT_READ, ("udp", p))
held = []
while True:
    for k, _ in sel.select():
        proto, p = k.data
        if proto == "tcp":
            c, peer = k.fileobj.accept(); held.append(c)
            log.write(f"tcp {p} from {peer[0]}:{peer[1]}\n"); c.send(b"hi")
        else:
            d, peer = k.fileobj.recvfrom(100)
            log.write(f"udp {p} from {peer[0]}:{peer[1]}\n"); k.fileobj.sendto(b"hi", peer)
