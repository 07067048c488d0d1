#!/bin/sh
# lab v6snoop, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down v6snoop`)
set -e
ip netns add v6snoop-s1
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6snoop-s1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6snoop-s1 link set lo alias vnetlab:v6snoop:s1
ip netns add v6snoop-h1
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6snoop-h1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6snoop-h1 link set lo alias vnetlab:v6snoop:h1
ip netns add v6snoop-h2
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6snoop-h2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6snoop-h2 link set lo alias vnetlab:v6snoop:h2
ip netns add v6snoop-h3
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6snoop-h3 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6snoop-h3 link set lo alias vnetlab:v6snoop:h3
ip -n v6snoop-s1 -batch - <<'EOF'
link add name sw address d2:6d:5a:ea:d0:b8 type bridge stp_state 0
EOF
ip -n v6snoop-h1 -batch - <<'EOF'
link add name eth0 address ce:fc:d2:1c:d1:42 type veth peer name p0 address a6:52:dd:aa:6f:7b netns v6snoop-s1
EOF
ip -n v6snoop-h2 -batch - <<'EOF'
link add name eth0 address 96:d0:7f:7e:86:ab type veth peer name p1 address ee:c2:38:73:2b:c6 netns v6snoop-s1
EOF
ip -n v6snoop-h3 -batch - <<'EOF'
link add name eth0 address 5e:ec:ca:32:82:33 type veth peer name p2 address de:20:d8:0b:47:99 netns v6snoop-s1
EOF
ip -n v6snoop-s1 -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
link set dev p2 master sw
EOF
ip -n v6snoop-h1 -batch - <<'EOF'
address add 192.0.2.1/24 dev eth0
address add 2001:db8::1:0:5/64 dev eth0
EOF
ip -n v6snoop-h2 -batch - <<'EOF'
address add 192.0.2.2/24 dev eth0
address add 2001:db8::2:0:5/64 dev eth0
EOF
ip -n v6snoop-h3 -batch - <<'EOF'
address add 192.0.2.3/24 dev eth0
address add 2001:db8::3/64 dev eth0
EOF
ip -n v6snoop-s1 -batch - <<'EOF'
link set dev sw up
EOF
ip -n v6snoop-h1 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n v6snoop-s1 -batch - <<'EOF'
link set dev p0 up
EOF
ip -n v6snoop-h2 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n v6snoop-s1 -batch - <<'EOF'
link set dev p1 up
EOF
ip -n v6snoop-h3 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n v6snoop-s1 -batch - <<'EOF'
link set dev p2 up
link set dev lo up
EOF
ip -n v6snoop-h1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6snoop-h2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6snoop-h3 -batch - <<'EOF'
link set dev lo up
EOF
printf '%s\n' 'table ip6 nomld {
  chain output {
    type filter hook output priority 0; policy accept;
    icmpv6 type { mld-listener-report, mld2-listener-report } drop
  }
}
' | ip netns exec v6snoop-h2 nft -f -
# wait (at most 4 s) for carrier and IPv6 DAD, as `vnetlab up` does; report addresses that failed DAD
vnetlab_now() { awk '{ printf "%d\n", $1 * 100 }' /proc/uptime; }
vnetlab_awk='$0 == "--" { addrs = 1; next }; !addrs { dev = $2; sub(/@.*/, "", dev); sub(/:$/, "", dev); name[$1] = dev; st = ""; for (k = 4; k < NF; k++) if ($k == "state") st = $(k + 1); up = $3 ~ /[<,]UP[,>]/; carrier = $3 ~ /[<,]LOWER_UP[,>]/ }; !addrs && up && carrier && (st == "DOWN" || st == "LOWERLAYERDOWN") { print "carrier not yet in effect on " dev }; !addrs && up && !carrier && (st == "UP" || st == "UNKNOWN") { print "carrier loss not yet in effect on " dev }; !addrs && up && carrier { ready[$1] = 1 }; addrs && ($1 in ready) { print "IPv6 address still tentative: " name[$1] " " $4 }'
vnetlab_busy() {
  { ip -n "$1" -o link show; echo --; ip -n "$1" -o -6 address show tentative -dadfailed 2>/dev/null; } | awk "$vnetlab_awk"
}
vnetlab_wait() {
  end=$(($(vnetlab_now) + 400))
  while :; do
    busy=
    for ns in "$@"; do
      left=$(vnetlab_busy "$ns")
      [ -z "$left" ] || { busy=$ns; break; }
    done
    [ -n "$busy" ] || break
    if [ "$(vnetlab_now)" -ge "$end" ]; then
      for ns in "$@"; do
        vnetlab_busy "$ns" | while read -r what; do
          printf '%s\n' "after the wait, in $ns: $what" >&2
        done
      done
      break
    fi
    sleep 0.05
  done
  for ns in "$@"; do
    ip -n "$ns" -o -6 address show dadfailed 2>/dev/null | while read -r _ dev _ addr _; do
      printf '%s\n' "IPv6 duplicate address detection failed: $ns/$dev $addr" >&2
    done
  done
}
vnetlab_wait v6snoop-s1 v6snoop-h1 v6snoop-h2 v6snoop-h3
