#!/bin/sh
# lab st6ord, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down st6ord`)
set -e
ip netns add st6ord-h
[ ! -d /proc/sys/net/bridge ] || ip netns exec st6ord-h sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n st6ord-h link set lo alias vnetlab:st6ord:h
ip netns add st6ord-d
[ ! -d /proc/sys/net/bridge ] || ip netns exec st6ord-d sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n st6ord-d link set lo alias vnetlab:st6ord:d
ip netns add st6ord-sw
[ ! -d /proc/sys/net/bridge ] || ip netns exec st6ord-sw sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n st6ord-sw link set lo alias vnetlab:st6ord:sw
ip netns add st6ord-p
[ ! -d /proc/sys/net/bridge ] || ip netns exec st6ord-p sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n st6ord-p link set lo alias vnetlab:st6ord:p
ip -n st6ord-h -batch - <<'EOF'
link add name eth0 address a2:2f:90:6a:13:b7 type veth peer name eth0 address 0a:f2:8e:fe:ac:51 netns st6ord-d
link add name pv0 address c6:b9:92:4a:b3:c4 type veth peer name p0 address 22:15:d7:3f:0c:36 netns st6ord-sw
EOF
ip -n st6ord-sw -batch - <<'EOF'
link add name br0 address 9e:ec:8e:30:e1:d4 type bridge stp_state 0
link add name p1 address 2e:b2:46:95:cf:30 type veth peer name eth0 address a2:69:97:8a:6d:d1 netns st6ord-p
link set dev p0 master br0
link set dev p1 master br0
EOF
ip -n st6ord-h -batch - <<'EOF'
address add 198.51.100.1/28 dev eth0
address add 198.51.100.17/28 dev pv0
address add 2001:db8:ee::2/64 dev pv0
EOF
ip -n st6ord-d -batch - <<'EOF'
address add 198.51.100.2/28 dev eth0
address add 2001:db8:ee::d/64 dev eth0
EOF
ip -n st6ord-p -batch - <<'EOF'
address add 198.51.100.18/28 dev eth0
address add 2001:db8:ee::e/64 dev eth0
EOF
ip -n st6ord-d -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n st6ord-h -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n st6ord-sw -batch - <<'EOF'
link set dev p0 up
EOF
ip -n st6ord-h -batch - <<'EOF'
link set dev pv0 up
EOF
ip -n st6ord-sw -batch - <<'EOF'
link set dev br0 up
EOF
ip -n st6ord-p -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n st6ord-sw -batch - <<'EOF'
link set dev p1 up
EOF
ip -n st6ord-h -batch - <<'EOF'
link set dev lo up
EOF
ip -n st6ord-d -batch - <<'EOF'
link set dev lo up
EOF
ip -n st6ord-sw -batch - <<'EOF'
link set dev lo up
EOF
ip -n st6ord-p -batch - <<'EOF'
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
vnetlab_wait st6ord-h st6ord-d st6ord-sw st6ord-p
