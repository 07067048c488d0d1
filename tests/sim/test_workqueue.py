"""The world's two queues: the backlog (softirq) and the workqueue (process context).

The kernel runs macvlan_process_broadcast from a workqueue: it starts only once
the softirq is done, takes the broadcasts queued so far, and runs the backlog to
empty after each copy's netif_rx (local_bh_enable). World.queue_work and
World.softirq are that machinery; macvlan only queues to it."""

from __future__ import annotations

from vnetlab.sim.frame import ARP_REQUEST, BROADCAST, PBROADCAST, Arp, Frame
from vnetlab.sim.kinds.macvlan import MacvlanDev, MacvlanPort
from vnetlab.sim.world import Device, World


def test_work_waits_for_the_backlog_and_runs_in_order() -> None:
    w = World()
    log: list[str] = []

    def work(name: str) -> None:
        log.append(name)
        if name == "w1":
            # a work item's own netif_rx: the backlog runs to empty before it goes on,
            # and work queued meanwhile waits for its turn
            w.defer(log.append, "b3")
            w.queue_work(log.append, "w3")
            w.softirq()
            log.append("w1 done")

    def backlog(name: str) -> None:
        log.append(name)
        if name == "b1":
            w.defer(log.append, "b2")  # queued behind w1, runs before it

    w.queue_work(work, "w1")
    w.defer(backlog, "b1")
    w.queue_work(work, "w2")
    w.run()
    assert log == ["b1", "b2", "w1", "b3", "w1 done", "w2", "w3"]
    assert not w.queue and not w.work


def test_macvlan_queues_a_broadcast_as_work_not_on_the_backlog() -> None:
    w = World()
    lower = Device(w, "n", "eth0", "02:00:00:00:00:01")
    port = MacvlanPort(lower)
    MacvlanDev(w, "n", "m0", "02:00:00:00:00:02", port=port, mode="bridge")
    w.freeze()
    arp = Frame(BROADCAST, "02:00:00:00:00:09", 0x0806, Arp(ARP_REQUEST, "02:00:00:00:00:09", 1, BROADCAST, 2))
    w.netif_rx(lower, arp, PBROADCAST)
    w.softirq()
    assert len(w.work) == 1 and not w.queue  # the softirq is done; the broadcast waits for its work item


def test_the_loop_guard_stops_a_backlog_that_never_empties() -> None:
    w = World()

    def again() -> None:
        w.defer(again)

    w.queue_work(w.defer, again)
    w.queue_work(w.defer, again)
    w.run()
    assert w.loops == ["world"] and not w.queue and not w.work
