# client for nat_ports.sh: PROTO DST PORT [SPORT]: connect (bound to SPORT), print the outcome and the answer
import socket, sys
proto, dst, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
sport = int(sys.argv[4]) if len(sys.argv) > 4 else 0
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", sport)); s.settimeout(1.5)
try:
    s.connect((dst, port))
    if proto == "udp":
        s.send(b"x")
    print(f"{proto} {dst}:{port} sport {s.getsockname()[1]}: {'OK' if s.recv(10) else 'EMPTY'}")
except OSError as e:
    print(f"{proto} {dst}:{port} sport {sport}: FAIL {e.__class__.__name__} {e}")
if len(sys.argv) > 5:
    import time; time.sleep(float(sys.argv[5]))  # keep the connection open
