#!/bin/sh
# lab passnp, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down passnp`)
set -e
ip netns add passnp-lan
ip netns exec passnp-lan sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec passnp-lan sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n passnp-lan link set lo alias vnetlab:passnp:lan
ip netns add passnp-h1
ip netns exec passnp-h1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec passnp-h1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n passnp-h1 link set lo alias vnetlab:passnp:h1
ip netns add passnp-vm1
ip netns exec passnp-vm1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec passnp-vm1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n passnp-vm1 link set lo alias vnetlab:passnp:vm1
ip netns add passnp-h2
ip netns exec passnp-h2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec passnp-h2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n passnp-h2 link set lo alias vnetlab:passnp:h2
ip netns add passnp-vm2
ip netns exec passnp-vm2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec passnp-vm2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n passnp-vm2 link set lo alias vnetlab:passnp:vm2
ip netns add passnp-peer
ip netns exec passnp-peer sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec passnp-peer sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n passnp-peer link set lo alias vnetlab:passnp:peer
ip -n passnp-lan -batch - <<'EOF'
link add name sw address ae:93:5d:08:17:71 type bridge stp_state 0
EOF
ip -n passnp-h1 -batch - <<'EOF'
link add name eth0 address ea:33:ba:b7:02:e4 type veth peer name p0 address 92:7c:27:11:1a:7c netns passnp-lan
link add name mv0 link eth0 netns passnp-vm1 type macvlan mode passthru
EOF
ip -n passnp-h2 -batch - <<'EOF'
link add name eth0 address 1e:4e:fd:87:bb:b4 type veth peer name p1 address 1a:a1:75:e9:5c:12 netns passnp-lan
link add name mv0 link eth0 netns passnp-vm2 type macvtap mode passthru nopromisc
EOF
ip -n passnp-peer -batch - <<'EOF'
link add name eth0 address 5e:b1:58:cf:92:34 type veth peer name p2 address da:35:ca:94:10:af netns passnp-lan
EOF
ip -n passnp-lan -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
link set dev p2 master sw
EOF
ip -n passnp-h1 -batch - <<'EOF'
address add 192.0.2.1/24 dev eth0
EOF
ip -n passnp-vm1 -batch - <<'EOF'
address add 192.0.2.11/24 dev mv0
EOF
ip -n passnp-h2 -batch - <<'EOF'
address add 192.0.2.2/24 dev eth0
EOF
ip -n passnp-vm2 -batch - <<'EOF'
address add 192.0.2.12/24 dev mv0
EOF
ip -n passnp-peer -batch - <<'EOF'
address add 192.0.2.100/24 dev eth0
EOF
ip -n passnp-lan -batch - <<'EOF'
link set dev sw up
EOF
ip -n passnp-h1 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n passnp-lan -batch - <<'EOF'
link set dev p0 up
EOF
ip -n passnp-vm1 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n passnp-h2 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n passnp-lan -batch - <<'EOF'
link set dev p1 up
EOF
ip -n passnp-vm2 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n passnp-peer -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n passnp-lan -batch - <<'EOF'
link set dev p2 up
link set dev lo up
EOF
ip -n passnp-h1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n passnp-vm1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n passnp-h2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n passnp-vm2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n passnp-peer -batch - <<'EOF'
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
vnetlab_wait passnp-lan passnp-h1 passnp-vm1 passnp-h2 passnp-vm2 passnp-peer
