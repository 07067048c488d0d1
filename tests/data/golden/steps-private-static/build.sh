#!/bin/sh
# lab stpriv, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down stpriv`)
set -e
ip netns add stpriv-lan
ip netns exec stpriv-lan sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec stpriv-lan sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n stpriv-lan link set lo alias vnetlab:stpriv:lan
ip netns add stpriv-host
ip netns exec stpriv-host sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec stpriv-host sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n stpriv-host link set lo alias vnetlab:stpriv:host
ip netns add stpriv-p1
ip netns exec stpriv-p1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec stpriv-p1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n stpriv-p1 link set lo alias vnetlab:stpriv:p1
ip netns add stpriv-p2
ip netns exec stpriv-p2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec stpriv-p2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n stpriv-p2 link set lo alias vnetlab:stpriv:p2
ip -n stpriv-lan -batch - <<'EOF'
link add name sw address c6:09:d2:7a:f9:c6 type bridge stp_state 0
EOF
ip -n stpriv-host -batch - <<'EOF'
link add name eth0 address 6e:e5:66:dc:ef:a7 type veth peer name p0 address 82:56:c6:48:0e:27 netns stpriv-lan
link add name mv0 link eth0 address 02:00:00:00:01:01 netns stpriv-p1 type macvlan mode private
link add name mv0 link eth0 address 02:00:00:00:02:01 netns stpriv-p2 type macvlan mode private
EOF
ip -n stpriv-lan -batch - <<'EOF'
link set dev p0 master sw
link set dev p0 type bridge_slave hairpin on
EOF
ip -n stpriv-host -batch - <<'EOF'
address add 198.51.100.10/24 dev eth0
EOF
ip -n stpriv-p1 -batch - <<'EOF'
address add 198.51.100.11/24 dev mv0
EOF
ip -n stpriv-p2 -batch - <<'EOF'
address add 198.51.100.12/24 dev mv0
EOF
ip -n stpriv-lan -batch - <<'EOF'
link set dev sw up
EOF
ip -n stpriv-host -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n stpriv-lan -batch - <<'EOF'
link set dev p0 up
EOF
ip -n stpriv-p1 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n stpriv-p2 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n stpriv-lan -batch - <<'EOF'
link set dev lo up
EOF
ip -n stpriv-host -batch - <<'EOF'
link set dev lo up
EOF
ip -n stpriv-p1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n stpriv-p2 -batch - <<'EOF'
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
vnetlab_wait stpriv-lan stpriv-host stpriv-p1 stpriv-p2
