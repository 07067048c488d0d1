#!/bin/bash
# Q1: link-local creation, disable_ipv6 defaults, default vs all inheritance.
. "$(dirname "$0")/lib6.sh"
uname -r
sec "fresh netns sysctls (unshare)"
ip netns add $P-s
for k in disable_ipv6 accept_dad dad_transmits enhanced_dad optimistic_dad use_optimistic addr_gen_mode forwarding accept_ra autoconf mtu hop_limit router_solicitations mldv1_unsolicited_report_interval mldv2_unsolicited_report_interval force_mld_version keep_addr_on_down ndisc_notify accept_untracked_na; do
  printf '%-34s all=%s default=%s lo=%s\n' $k "$(X s sysctl -n net.ipv6.conf.all.$k 2>&1)" "$(X s sysctl -n net.ipv6.conf.default.$k 2>&1)" "$(X s sysctl -n net.ipv6.conf.lo.$k 2>&1)"
done
echo "(net.ipv6.neigh.default.* is registered in the initial netns only; per-device values of lo:)"
X s sysctl net.ipv6.neigh.lo.mcast_solicit net.ipv6.neigh.lo.ucast_solicit net.ipv6.neigh.lo.retrans_time_ms net.ipv6.neigh.lo.base_reachable_time_ms net.ipv6.neigh.lo.delay_first_probe_time net.ipv6.neigh.lo.gc_stale_time net.ipv6.conf.default.rtr_solicit_delay net.ipv6.conf.default.accept_dad net.ipv6.conf.lo.accept_dad net.ipv6.icmp.echo_ignore_all net.ipv6.icmp.echo_ignore_multicast net.ipv6.icmp.echo_ignore_anycast net.ipv6.icmp.ratelimit net.ipv4.ping_group_range
sec "lo: down vs up"
echo "-- lo down:"; X s ip -6 addr show dev lo
echo "-- lo up:"
X s ip link set lo up; X s ip -6 addr show dev lo; X s ip -6 route show table local
sec "veth pair a/b in the same netns: addresses before up, after up without carrier, with carrier"
X s ip link add va address 02:00:00:00:00:0a type veth peer name vb address 02:00:00:00:00:0b
echo "-- both down:"; X s ip -6 addr show dev va
X s ip link set va up; sleep 0.3
echo "-- a up, b down (NO-CARRIER):"; X s ip -br link show va; X s ip -6 addr show dev va
echo "-- ip -6 addr add 2001:db8::a/64 on a (no carrier):"; X s ip -6 addr add 2001:db8::a/64 dev va; X s ip -6 addr show dev va
X s ip link set vb up; sleep 0.05
echo "-- b up (carrier):"; X s ip -6 addr show dev va
sleep 2.5
echo "-- 2.5 s later:"; X s ip -6 addr show dev va
sec "carrier lost again: are addresses kept?"
X s ip link set vb down; sleep 0.2; X s ip -6 addr show dev va
sec "carrier back: DAD again? (flags 50 ms after the peer comes back up)"
X s ip link set vb up; sleep 0.05; X s ip -6 addr show dev va
X s ip link set vb down; sleep 0.1
sec "admin down a: addresses (keep_addr_on_down=0)"
X s ip link set va down; sleep 0.2; X s ip -6 addr show dev va
sec "bridge with no ports (carrier state?)"
X s ip link add br0 address 02:00:00:00:00:b0 type bridge; X s ip link set br0 up; sleep 0.2; X s ip -br link show br0; X s ip -6 addr show dev br0
sec "default.* vs all.*: set default.disable_ipv6=1 then create device"
X s sysctl -qw net.ipv6.conf.default.disable_ipv6=1
X s ip link add vc type veth peer name vd; X s sysctl net.ipv6.conf.vc.disable_ipv6
X s ip link set vc up; X s ip link set vd up; sleep 0.2; echo "c addrs:"; X s ip -6 addr show dev vc
echo "-- ip -6 addr add on disable_ipv6=1 dev:"; X s ip -6 addr add 2001:db8::c/64 dev vc; echo rc=$?
X s sysctl -qw net.ipv6.conf.default.disable_ipv6=0
sec "all.disable_ipv6=1 writes every device? (a, b, c, lo, default)"
X s sysctl -qw net.ipv6.conf.all.disable_ipv6=1
for d in va vb vc vd lo default; do printf '%s=%s ' $d "$(X s sysctl -n net.ipv6.conf.$d.disable_ipv6)"; done; echo
X s ip -6 addr show
echo "-- new device after all.disable_ipv6=1 (default was reset to 0 before):"
X s ip link add ve type veth peer name vf; X s sysctl net.ipv6.conf.ve.disable_ipv6 net.ipv6.conf.default.disable_ipv6
X s sysctl -qw net.ipv6.conf.all.disable_ipv6=0
for d in va vb vc ve lo default; do printf '%s=%s ' $d "$(X s sysctl -n net.ipv6.conf.$d.disable_ipv6)"; done; echo
sec "all.forwarding=1 propagates to devices and default?"
X s sysctl -qw net.ipv6.conf.all.forwarding=1
for d in va vc ve lo default; do printf '%s=%s ' $d "$(X s sysctl -n net.ipv6.conf.$d.forwarding)"; done; echo
sec "all.accept_dad (is it combined with the device value?) -- only read here; see 02"
sec "re-enable disable_ipv6=0 on an up device with carrier: LL re-created?"
X s ip link set va up; X s ip link set vb up; sleep 0.1
X s sysctl -qw net.ipv6.conf.va.disable_ipv6=1; X s ip -6 addr show dev va; X s sysctl -qw net.ipv6.conf.va.disable_ipv6=0; sleep 0.1; X s ip -6 addr show dev va
sec "addr_gen_mode 1 (none): no LL"
X s ip link add vg type veth peer name vh; X s ip link set vg addrgenmode none; X s ip link set vg up; X s ip link set vh up; sleep 0.1; X s ip -6 addr show dev vg; X s ip -d link show vg | grep -o 'addrgenmode [a-z_]*'
sec "tap without fd (no carrier) and IFF_UP"
X s ip tuntap add mode tap tp0; X s ip link set tp0 up; sleep 0.2; X s ip -br link show tp0; X s ip -6 addr show dev tp0
ip netns del $P-s
ip netns add $P-s; X s ip link set lo up
sec "address added while admin DOWN: accepted? shown? after up with carrier?"
X s ip link add vi type veth peer name vj
X s ip -6 addr add 2001:db8::1/64 dev vi; echo rc=$?; X s ip -6 addr show dev vi
X s ip link set vj up; X s ip link set vi up; sleep 0.05; X s ip -6 addr show dev vi
sec "bridge: LL appears when the first port with carrier is added"
X s ip link add br1 address 02:00:00:00:00:b1 type bridge; X s ip link set br1 up; X s ip link add vk type veth peer name vl
X s ip link set vk master br1; X s ip link set vk up; sleep 0.1; echo "-- port up, its peer down:"; X s ip -br link show br1; X s ip -6 addr show dev br1
X s ip link set vl up; sleep 0.1; echo "-- port has carrier:"; X s ip -br link show br1; X s ip -6 addr show dev br1
echo "-- bridge port itself (vk) has its own LL?"; X s ip -6 addr show dev vk
ip netns del $P-s
