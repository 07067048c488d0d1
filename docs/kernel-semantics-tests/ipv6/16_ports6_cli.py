"""Client for 16_ports6.sh: one TCP connect or UDP datagram on a connected socket, what it gives.
usage: 16_ports6_cli.py tcp|udp ADDR PORT [N]   (N datagrams/connections one after another)"""
import errno, select, socket, sys, time
proto, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
n = int(sys.argv[4]) if len(sys.argv) > 4 else 1
res = {}
t0 = time.monotonic()
for i in range(n):
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
    s.setblocking(False)
    t = time.monotonic()
    try:
        if proto == "tcp":
            rc = s.connect_ex((addr, port))
            if rc not in (0, errno.EINPROGRESS):
                r = "connect: " + errno.errorcode[rc]
            else:
                _, w, _ = select.select([], [s], [], 1.0)
                if not w:
                    r = "timeout (1 s)"
                else:
                    e = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                    if e:
                        r = "SO_ERROR " + errno.errorcode[e]
                    else:
                        rd, _, _ = select.select([s], [], [], 1.0)
                        r = "connected, read %r" % (s.recv(64) if rd else b"")
        else:
            s.connect((addr, port))
            s.send(b"probe")
            rd, _, _ = select.select([s], [], [], 1.0)
            if not rd:
                r = "timeout (1 s)"
            else:
                try:
                    r = "answer %r" % s.recv(64)
                except OSError as e:
                    r = "recv: " + errno.errorcode[e.errno]
    except OSError as e:
        r = "error: " + errno.errorcode.get(e.errno, str(e.errno))
    r += " in %d ms" % ((time.monotonic() - t) * 1000) if n == 1 else ""
    res[r] = res.get(r, 0) + 1
    s.close()
for r, c in res.items():
    print(f"  {proto} {addr}:{port} -> {r}" + (f" x{c}" if n > 1 else ""))
