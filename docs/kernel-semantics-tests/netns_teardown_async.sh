#!/bin/bash
# Is a namespace's teardown synchronous with its removal? (`ip netns del` = umount + unlink)
# A macvlan in namespace b on a veth in namespace a makes a's veth promiscuous (veth has no
# unicast filter: macvlan_open -> dev_uc_add -> __dev_set_promiscuity). Remove b while the
# kernel's cleanup_net workqueue is busy with 150 other namespaces, and look at a at once.
# Run in a sandbox: /work/shared/tools/sandbox.sh bash netns_teardown_async.sh
set -u
promisc() { ip -n a -d -j link show eth0 | python3 -c "import json,sys; print(json.load(sys.stdin)[0]['promiscuity'])"; }
ip netns add a; ip netns add b
ip -n a link add eth0 type veth peer name p0
ip -n a link add link eth0 name mv0 type macvlan mode bridge
ip -n a link set mv0 netns b
ip -n a link set eth0 up; ip -n b link set mv0 up
echo "a/eth0 promiscuity with b/mv0 on it: $(promisc)"
for i in $(seq 1 150); do ip netns add x$i; ip -n x$i link add v0 type veth peer name v1; done
for i in $(seq 1 150); do ip netns del x$i; done
ip netns del b
echo "right after 'ip netns del b' (cleanup_net busy): $(promisc)"
sleep 2
echo "2 s later: $(promisc)"
echo "== the same, but b's devices deleted through netlink first (ip link del is synchronous)"
ip netns add b
ip -n a link add link eth0 name mv0 type macvlan mode bridge
ip -n a link set mv0 netns b; ip -n b link set mv0 up
for i in $(seq 1 150); do ip netns add x$i; ip -n x$i link add v0 type veth peer name v1; done
for i in $(seq 1 150); do ip netns del x$i; done
ip -n b link del mv0
ip netns del b
echo "right after 'ip -n b link del mv0; ip netns del b': $(promisc)"
