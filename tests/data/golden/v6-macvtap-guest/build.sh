#!/bin/sh
# lab v6mvtg, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down v6mvtg`)
set -e
ip netns add v6mvtg-lan
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6mvtg-lan sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6mvtg-lan link set lo alias vnetlab:v6mvtg:lan
ip netns add v6mvtg-o
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6mvtg-o sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6mvtg-o link set lo alias vnetlab:v6mvtg:o
ip netns add v6mvtg-h
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6mvtg-h sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6mvtg-h link set lo alias vnetlab:v6mvtg:h
ip -n v6mvtg-lan -batch - <<'EOF'
link add name sw address 1a:1e:2f:49:37:10 type bridge stp_state 0
EOF
ip -n v6mvtg-o -batch - <<'EOF'
link add name eth0 address 02:00:00:00:e6:01 type veth peer name p0 address 9a:71:78:eb:b3:04 netns v6mvtg-lan
EOF
ip -n v6mvtg-h -batch - <<'EOF'
link add name eth0 address 02:00:00:00:e6:02 type veth peer name p1 address 8e:3a:af:f0:a5:e5 netns v6mvtg-lan
link add name mvt0 link eth0 address 02:00:00:00:e6:10 type macvtap mode bridge
link add name mvt1 link eth0 address 02:00:00:00:e6:11 type macvtap mode vepa
link add name mvt2 link eth0 address 02:00:00:00:e6:12 type macvtap mode bridge
EOF
ip -n v6mvtg-lan -batch - <<'EOF'
link set dev p0 master sw
link set dev p0 type bridge_slave hairpin on
link set dev p1 master sw
link set dev p1 type bridge_slave hairpin on
EOF
ip -n v6mvtg-o -batch - <<'EOF'
address add 2001:db8:6::1/64 dev eth0
EOF
ip -n v6mvtg-h -batch - <<'EOF'
address add 2001:db8:6::10/64 dev mvt0
address add 2001:db8:6::a:1234/64 dev mvt2
EOF
ip -n v6mvtg-lan -batch - <<'EOF'
link set dev sw up
EOF
ip -n v6mvtg-o -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n v6mvtg-lan -batch - <<'EOF'
link set dev p0 up
EOF
ip -n v6mvtg-h -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n v6mvtg-lan -batch - <<'EOF'
link set dev p1 up
EOF
ip -n v6mvtg-h -batch - <<'EOF'
link set dev mvt0 up
link set dev mvt1 up
link set dev mvt2 up
EOF
ip -n v6mvtg-lan -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6mvtg-o -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6mvtg-h -batch - <<'EOF'
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
vnetlab_wait v6mvtg-lan v6mvtg-o v6mvtg-h
