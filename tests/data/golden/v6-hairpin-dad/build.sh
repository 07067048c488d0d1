#!/bin/sh
# lab v6hairpindad, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down v6hairpindad`)
set -e
ip netns add v6hairpindad-lan
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6hairpindad-lan sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6hairpindad-lan link set lo alias vnetlab:v6hairpindad:lan
ip netns add v6hairpindad-a
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6hairpindad-a sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6hairpindad-a link set lo alias vnetlab:v6hairpindad:a
ip netns add v6hairpindad-b
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6hairpindad-b sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6hairpindad-b link set lo alias vnetlab:v6hairpindad:b
ip netns add v6hairpindad-c
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6hairpindad-c sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6hairpindad-c link set lo alias vnetlab:v6hairpindad:c
ip -n v6hairpindad-lan -batch - <<'EOF'
link add name sw address da:ce:3b:96:6e:d4 type bridge stp_state 0
EOF
ip -n v6hairpindad-a -batch - <<'EOF'
link add name eth0 address da:04:81:b3:5c:12 type veth peer name p0 address ee:24:f0:e9:48:96 netns v6hairpindad-lan
EOF
ip -n v6hairpindad-b -batch - <<'EOF'
link add name eth0 address f2:c9:4e:e2:d3:0c type veth peer name p1 address e6:ac:71:99:ce:da netns v6hairpindad-lan
EOF
ip -n v6hairpindad-c -batch - <<'EOF'
link add name eth0 address 22:f4:e9:6a:aa:de type veth peer name p2 address e6:f9:47:f7:44:43 netns v6hairpindad-lan
EOF
ip -n v6hairpindad-lan -batch - <<'EOF'
link set dev p0 master sw
link set dev p0 type bridge_slave hairpin on
link set dev p1 master sw
link set dev p1 type bridge_slave hairpin on
link set dev p2 master sw
link set dev p2 type bridge_slave hairpin on
EOF
ip netns exec v6hairpindad-a sysctl -qw net.ipv6.conf.all.enhanced_dad=0
ip netns exec v6hairpindad-a sysctl -qw net.ipv6.conf.eth0.enhanced_dad=0
ip -n v6hairpindad-a -batch - <<'EOF'
address add 192.0.2.1/24 dev eth0
address add 2001:db8::1/64 dev eth0
EOF
ip -n v6hairpindad-b -batch - <<'EOF'
address add 192.0.2.2/24 dev eth0
address add 2001:db8::2/64 dev eth0
EOF
ip -n v6hairpindad-c -batch - <<'EOF'
address add 192.0.2.3/24 dev eth0
address add 2001:db8::3/64 dev eth0
EOF
ip -n v6hairpindad-lan -batch - <<'EOF'
link set dev sw up
EOF
ip -n v6hairpindad-a -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n v6hairpindad-lan -batch - <<'EOF'
link set dev p0 up
EOF
ip -n v6hairpindad-b -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n v6hairpindad-lan -batch - <<'EOF'
link set dev p1 up
EOF
ip -n v6hairpindad-c -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n v6hairpindad-lan -batch - <<'EOF'
link set dev p2 up
link set dev lo up
EOF
ip -n v6hairpindad-a -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6hairpindad-b -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6hairpindad-c -batch - <<'EOF'
link set dev lo up
EOF
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
vnetlab_wait v6hairpindad-lan v6hairpindad-a v6hairpindad-b v6hairpindad-c
