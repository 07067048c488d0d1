#!/bin/sh
# lab mvtveth, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down mvtveth`)
set -e
ip netns add mvtveth-host
ip netns exec mvtveth-host sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvtveth-host sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvtveth-host link set lo alias vnetlab:mvtveth:host
ip -n mvtveth-host -batch - <<'EOF'
link add name virbr0 address 1a:ac:7a:2b:e5:03 type bridge stp_state 0
link add name veth0 address d2:3e:93:90:cf:9e type veth peer name veth1 address 02:07:e9:51:ba:d2 netns mvtveth-host
link add name veth2 address a2:0b:93:8f:69:85 type veth peer name veth3 address 66:8a:50:71:32:aa netns mvtveth-host
link add name mac-veth1 link veth1 address 6a:47:6c:b4:d0:41 type macvtap mode vepa
link add name mac-veth3 link veth3 address 6a:47:6c:b4:d0:43 type macvtap mode vepa
link set dev veth0 master virbr0
link set dev veth2 master virbr0
address add 203.0.113.1/24 dev virbr0
link set dev virbr0 up
link set dev veth1 up
link set dev veth0 up
link set dev veth3 up
link set dev veth2 up
link set dev mac-veth1 up
link set dev mac-veth3 up
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
vnetlab_wait mvtveth-host
