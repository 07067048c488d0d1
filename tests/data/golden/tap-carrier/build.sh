#!/bin/sh
# lab tapcar, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down tapcar`)
set -e
ip netns add tapcar-host
ip netns exec tapcar-host sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec tapcar-host sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n tapcar-host link set lo alias vnetlab:tapcar:host
ip netns add tapcar-c
ip netns exec tapcar-c sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec tapcar-c sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n tapcar-c link set lo alias vnetlab:tapcar:c
ip -n tapcar-host -batch - <<'EOF'
link add name br0 address 56:1d:27:92:86:70 type bridge stp_state 0
tuntap add dev tap0 mode tap
link set dev tap0 address 52:97:6d:bd:78:46
link add name ve address de:64:aa:df:cd:08 type veth peer name eth0 address 3e:fe:69:37:14:a9 netns tapcar-c
link add name br1 address 52:03:ea:6d:b0:56 type bridge stp_state 0
tuntap add dev tap1 mode tap
link set dev tap1 address 92:4d:90:41:06:4f
tuntap add dev tap2 mode tap
link set dev tap2 address 3e:34:5f:51:8e:8b
link set dev tap0 master br0
link set dev ve master br0
link set dev tap1 master br1
address add 203.0.113.1/24 dev br0
address add 198.51.100.1/24 dev br1
address add 192.0.2.1/24 dev tap2
EOF
ip -n tapcar-c -batch - <<'EOF'
address add 203.0.113.10/24 dev eth0
EOF
ip -n tapcar-host -batch - <<'EOF'
link set dev br0 up
link set dev tap0 up
EOF
ip -n tapcar-c -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n tapcar-host -batch - <<'EOF'
link set dev ve up
link set dev br1 up
link set dev tap1 up
link set dev tap2 up
link set dev lo up
EOF
ip -n tapcar-c -batch - <<'EOF'
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
vnetlab_wait tapcar-host tapcar-c
