#!/bin/bash
# Port probes through NAT (kernel-semantics §8, "TCP and UDP ports"). Run in /work/shared/tools/sandbox.sh.
# c1 (192.0.2.10) and c2 (192.0.2.130) behind r, masqueraded out of wan to s (198.51.100.30).
set -u
D=$(cd "$(dirname "$0")" && pwd)
for n in c1 c2 r s; do ip netns add $n; ip -n $n link set lo up; done
ip -n c1 link add eth0 type veth peer name l1 netns r
ip -n c2 link add eth0 type veth peer name l2 netns r
ip -n s link add eth0 type veth peer name wan netns r
ip -n c1 addr add 192.0.2.10/25 dev eth0; ip -n c2 addr add 192.0.2.130/25 dev eth0
ip -n r addr add 192.0.2.1/25 dev l1; ip -n r addr add 192.0.2.129/25 dev l2; ip -n r addr add 198.51.100.1/24 dev wan
ip -n s addr add 198.51.100.30/24 dev eth0
for x in "c1 eth0" "c2 eth0" "r l1" "r l2" "r wan" "s eth0"; do set -- $x; ip -n $1 link set $2 up; done
ip -n c1 route add default via 192.0.2.1; ip -n c2 route add default via 192.0.2.129
ip netns exec r sysctl -qw net.ipv4.ip_forward=1
ip netns exec r nft -f - <<'NFT'
table ip nat {
  chain pre { type nat hook prerouting priority dstnat; policy accept;
    iifname "wan" tcp dport 80 dnat to 192.0.2.10:8080
    iifname "wan" udp dport 53 dnat to 192.0.2.10:5353
    iifname "wan" tcp dport 2222 redirect to :22
  }
  chain post { type nat hook postrouting priority srcnat; policy accept;
    oifname "wan" tcp dport 82 snat to 198.51.100.1:5000
    oifname "wan" udp dport 54 snat to 198.51.100.1:5000
    oifname "wan" tcp dport 83 snat to 198.51.100.1:5001
    oifname "wan" masquerade
  }
}
NFT
L=$(mktemp); : > $L
ip netns exec s python3 $D/nat_ports_srv.py $L 80 81 82 53 54 & SP=$!
ip netns exec c1 python3 $D/nat_ports_srv.py $L 8080 5353 & CP=$!
ip netns exec r python3 $D/nat_ports_srv.py $L 22 & RP=$!
# port 83: a server that closes each connection at once (the entry goes to TIME_WAIT)
ip netns exec s python3 -c 'import socket
t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); t.bind(("0.0.0.0", 83)); t.listen(8)
while True:
    c, _ = t.accept(); c.send(b"hi"); c.close()' & SP2=$!
sleep 0.5
C() { ip netns exec "$@"; }
echo "== A: masquerade keeps the source port"; C c1 python3 $D/nat_ports_cli.py tcp 198.51.100.30 80 40000 2 & W=$!; sleep 0.3
echo "== B: c2, same source port, same server port, while A is open"; C c2 python3 $D/nat_ports_cli.py tcp 198.51.100.30 80 40000; wait $W
echo "== C: low ports 700 clash"; C c1 python3 $D/nat_ports_cli.py tcp 198.51.100.30 81 700 2 & W=$!; sleep 0.3; C c2 python3 $D/nat_ports_cli.py tcp 198.51.100.30 81 700; wait $W
echo "== C2: ports 300 clash"; C c1 python3 $D/nat_ports_cli.py tcp 198.51.100.30 81 300 2 & W=$!; sleep 0.3; C c2 python3 $D/nat_ports_cli.py tcp 198.51.100.30 81 300; wait $W
echo "== D: UDP same source port"; C c1 python3 $D/nat_ports_cli.py udp 198.51.100.30 53 40001; C c2 python3 $D/nat_ports_cli.py udp 198.51.100.30 53 40001
echo "== E: dnat to 192.0.2.10:8080 / :5353, redirect to :22"
C s python3 $D/nat_ports_cli.py tcp 198.51.100.1 80; C s python3 $D/nat_ports_cli.py udp 198.51.100.1 53; C s python3 $D/nat_ports_cli.py tcp 198.51.100.1 2222
echo "== F: snat to 198.51.100.1:5000, two clients to s:82 (first open)"
C c1 python3 $D/nat_ports_cli.py tcp 198.51.100.30 82 41000 2 & W=$!; sleep 0.3; C c2 python3 $D/nat_ports_cli.py tcp 198.51.100.30 82 42000; wait $W
echo "== F2: snat to :5000 again, the earlier connections closed"; C c2 python3 $D/nat_ports_cli.py tcp 198.51.100.30 82 42001
echo "== G: udp snat to 198.51.100.1:5000, two clients to s:54"
C c1 python3 $D/nat_ports_cli.py udp 198.51.100.30 54 41000; C c2 python3 $D/nat_ports_cli.py udp 198.51.100.30 54 42000
echo "== F3: snat to :5001, c1 to s:83 and closed (TIME_WAIT), then c2 to s:83"
C c1 python3 $D/nat_ports_cli.py tcp 198.51.100.30 83 41000; sleep 0.5; C r cat /proc/net/nf_conntrack | grep "dport=83" | sed 's/  */ /g' | cut -d' ' -f3-6
C c2 python3 $D/nat_ports_cli.py tcp 198.51.100.30 83 42000
echo "== server log"; cat $L
echo "== r conntrack"; C r cat /proc/net/nf_conntrack | sed 's/  */ /g' | cut -d' ' -f3- | sort
echo "== r conntrack stats (insert_failed, drop)"; C r cat /proc/net/stat/nf_conntrack | awk 'NR==1{for(i=1;i<=NF;i++)h[i]=$i} NR>1{for(i=1;i<=NF;i++)if(h[i]=="insert_failed"||h[i]=="drop")print "cpu" NR-2, h[i], "0x" $i}' 
kill $SP $CP $RP $SP2
