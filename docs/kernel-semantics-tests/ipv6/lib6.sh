# helper library for the IPv6 experiments. Run every script as
#   /work/shared/tools/sandbox.sh bash SCRIPT.sh
# (private netns + mount + pid namespaces). All namespaces are prefixed v6-.
P=v6
X() { local n=$1; shift; ip netns exec $P-$n "$@"; }
mkns() { for n in "$@"; do ip netns add $P-$n; X $n ip link set lo up; done; }
# veth between two namespaces: vpair NS1 IF1 NS2 IF2
vpair() { ip link add $2 netns $P-$1 type veth peer name $4 netns $P-$3; }
# wait until no tentative address in NS (max ~5s); prints elapsed ms
waitdad() { local t0=$(date +%s%N) i; for i in $(seq 100); do X $1 ip -6 addr show tentative | grep -q inet6 || break; sleep 0.05; done; echo $(( ($(date +%s%N)-t0)/1000000 )); }
ping6t() { if X $1 ping -6 -c1 -W1 -q "$2" >/dev/null 2>&1; then echo OK; else echo FAIL; fi; }
addrs() { X $1 ip -6 -o addr show dev $2 | awk '{$1="";$2="";print}' | sed 's/valid_lft.*//; s/^ *//'; }
sec() { echo; echo "=== $* ==="; }
# switch: netns sw with bridge br0 (defaults: STP off, multicast_snooping 1, querier 0)
mksw() { ip netns add $P-sw; X sw ip link set lo up; X sw ip link add br0 address 02:00:00:00:00:b0 type bridge "$@"; X sw ip link set br0 up; }
# hostport NS IF MAC PORT: veth NS/IF <-> sw/PORT (enslaved, up); IF not yet up
hostport() { ip link add $2 netns $P-$1 address $3 type veth peer name $4 netns $P-sw; X sw ip link set $4 master br0; X sw ip link set $4 up; }
