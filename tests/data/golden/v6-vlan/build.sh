#!/bin/sh
# lab v6vlan, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down v6vlan`)
set -e
ip netns add v6vlan-wire
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6vlan-wire sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6vlan-wire link set lo alias vnetlab:v6vlan:wire
ip netns add v6vlan-a
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6vlan-a sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6vlan-a link set lo alias vnetlab:v6vlan:a
ip netns add v6vlan-b
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6vlan-b sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6vlan-b link set lo alias vnetlab:v6vlan:b
ip netns add v6vlan-c
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6vlan-c sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6vlan-c link set lo alias vnetlab:v6vlan:c
ip netns add v6vlan-d
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6vlan-d sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6vlan-d link set lo alias vnetlab:v6vlan:d
ip netns add v6vlan-e
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6vlan-e sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6vlan-e link set lo alias vnetlab:v6vlan:e
ip -n v6vlan-wire -batch - <<'EOF'
link add name sw address 12:28:d4:e0:14:0e type bridge stp_state 0
EOF
ip -n v6vlan-a -batch - <<'EOF'
link add name eth0 address de:53:48:8c:07:9f type veth peer name p0 address 36:92:4d:4a:7c:77 netns v6vlan-wire
link add name eth0.10 link eth0 type vlan id 10 protocol 802.1Q
EOF
ip -n v6vlan-b -batch - <<'EOF'
link add name eth0 address 3a:72:d9:f2:76:c8 type veth peer name p1 address ae:2f:20:64:0f:2f netns v6vlan-wire
link add name eth0.10 link eth0 type vlan id 10 protocol 802.1Q
EOF
ip -n v6vlan-c -batch - <<'EOF'
link add name eth0 address 6a:0a:2c:31:60:2e type veth peer name p2 address 5e:c1:cb:95:c0:14 netns v6vlan-wire
link add name eth0.30 link eth0 type vlan id 30 protocol 802.1Q
EOF
ip -n v6vlan-d -batch - <<'EOF'
link add name eth0 address 46:b5:16:06:fd:68 type veth peer name p3 address ca:c0:d2:21:18:a9 netns v6vlan-wire
EOF
ip -n v6vlan-e -batch - <<'EOF'
link add name eth0 address 8e:90:81:0f:b0:22 type veth peer name p4 address 3e:fb:69:c6:04:0a netns v6vlan-wire
link add name eth0.10 link eth0 type vlan id 10 protocol 802.1ad
EOF
ip -n v6vlan-wire -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
link set dev p2 master sw
link set dev p3 master sw
link set dev p4 master sw
EOF
ip -n v6vlan-a -batch - <<'EOF'
address add 2001:db8:1::1/64 dev eth0
address add 192.0.2.1/24 dev eth0.10
address add 2001:db8:10::1/64 dev eth0.10
EOF
ip -n v6vlan-b -batch - <<'EOF'
address add 2001:db8:1::2/64 dev eth0
address add 192.0.2.2/24 dev eth0.10
address add 2001:db8:10::2/64 dev eth0.10
EOF
ip -n v6vlan-c -batch - <<'EOF'
address add 2001:db8:10::3/64 dev eth0.30
EOF
ip -n v6vlan-d -batch - <<'EOF'
address add 2001:db8:1::4/64 dev eth0
address add 2001:db8:10::4/64 dev eth0
EOF
ip -n v6vlan-e -batch - <<'EOF'
address add 2001:db8:10::5/64 dev eth0.10
EOF
ip -n v6vlan-wire -batch - <<'EOF'
link set dev sw up
EOF
ip -n v6vlan-a -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n v6vlan-wire -batch - <<'EOF'
link set dev p0 up
EOF
ip -n v6vlan-a -batch - <<'EOF'
link set dev eth0.10 up
EOF
ip -n v6vlan-b -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n v6vlan-wire -batch - <<'EOF'
link set dev p1 up
EOF
ip -n v6vlan-b -batch - <<'EOF'
link set dev eth0.10 up
EOF
ip -n v6vlan-c -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n v6vlan-wire -batch - <<'EOF'
link set dev p2 up
EOF
ip -n v6vlan-c -batch - <<'EOF'
link set dev eth0.30 up
EOF
ip -n v6vlan-d -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n v6vlan-wire -batch - <<'EOF'
link set dev p3 up
EOF
ip -n v6vlan-e -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n v6vlan-wire -batch - <<'EOF'
link set dev p4 up
EOF
ip -n v6vlan-e -batch - <<'EOF'
link set dev eth0.10 up
EOF
ip -n v6vlan-wire -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6vlan-a -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6vlan-b -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6vlan-c -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6vlan-d -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6vlan-e -batch - <<'EOF'
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
vnetlab_wait v6vlan-wire v6vlan-a v6vlan-b v6vlan-c v6vlan-d v6vlan-e
