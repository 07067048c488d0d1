"""The sysctl keys a lab may set: those that belong to one network namespace.

A node's ``sysctl:`` is written under ``/proc/sys`` inside the node's
namespace, as root. Only ``net.*`` entries that the kernel keeps per network
namespace may be set; anything else (``kernel.core_pattern``, or a ``net.*``
entry whose data is machine-wide) would reach past the lab.

The sets below were measured on Linux 6.18 (see docs/kernel-semantics.md,
"Which sysctls are per network namespace"): every entry that exists in a
fresh child namespace, is writable there, and whose value in the parent did
not change when it was written in the child. Left out on purpose:
``net.core.{r,w}mem_{default,max}`` and the other ``net.core`` globals (absent
or read-only outside the initial namespace), ``net.ipv4.neigh.default.gc_*``
(the neighbour table's own, machine-wide; absent in a child namespace here),
``net.netfilter.nf_hooks_lwtunnel`` (a global static key: writable in every
namespace, yet machine-wide and irreversible), and read-only entries.

``conf.<dev>`` and ``neigh.<dev>`` keys exist for ``all``/``default`` (conf
only) and for every interface of the node, ``lo`` included.
"""

from __future__ import annotations

import re


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# fmt: off
IPV4_CONF = _words(
    """
    accept_local accept_redirects accept_source_route arp_accept arp_announce arp_evict_nocarrier arp_filter
    arp_ignore arp_notify bc_forwarding bootp_relay disable_policy disable_xfrm drop_gratuitous_arp
    drop_unicast_in_l2_multicast force_igmp_version forwarding igmpv2_unsolicited_report_interval
    igmpv3_unsolicited_report_interval ignore_routes_with_linkdown log_martians medium_id promote_secondaries
    proxy_arp proxy_arp_pvlan route_localnet rp_filter secure_redirects send_redirects shared_media src_valid_mark
    tag
    """
)

IPV6_CONF = _words(
    """
    accept_dad accept_ra accept_ra_defrtr accept_ra_from_local accept_ra_min_hop_limit accept_ra_min_lft
    accept_ra_mtu accept_ra_pinfo accept_ra_rt_info_max_plen accept_ra_rt_info_min_plen accept_ra_rtr_pref
    accept_redirects accept_source_route accept_untracked_na addr_gen_mode autoconf dad_transmits disable_ipv6
    disable_policy drop_unicast_in_l2_multicast drop_unsolicited_na enhanced_dad force_forwarding
    force_mld_version force_tllao forwarding hop_limit ignore_routes_with_linkdown ioam6_enabled ioam6_id
    ioam6_id_wide keep_addr_on_down max_addresses max_desync_factor mldv1_unsolicited_report_interval
    mldv2_unsolicited_report_interval mtu ndisc_evict_nocarrier ndisc_notify ndisc_tclass optimistic_dad proxy_ndp
    ra_defrtr_metric ra_honor_pio_life ra_honor_pio_pflag regen_max_retry regen_min_advance router_probe_interval
    router_solicitation_delay router_solicitation_interval router_solicitation_max_interval router_solicitations
    rpl_seg_enabled seg6_enabled seg6_require_hmac stable_secret suppress_frag_ndisc temp_prefered_lft
    temp_valid_lft use_oif_addrs_only use_optimistic use_tempaddr
    """
)

NEIGH = _words(
    """
    anycast_delay app_solicit base_reachable_time base_reachable_time_ms delay_first_probe_time gc_stale_time
    interval_probe_time_ms locktime mcast_resolicit mcast_solicit proxy_delay proxy_qlen retrans_time
    retrans_time_ms ucast_solicit unres_qlen unres_qlen_bytes
    """
)

FLAT = _words(
    """
    bridge.bridge-nf-call-arptables bridge.bridge-nf-call-ip6tables bridge.bridge-nf-call-iptables
    bridge.bridge-nf-filter-pppoe-tagged bridge.bridge-nf-filter-vlan-tagged bridge.bridge-nf-pass-vlan-input-dev
    core.optmem_max core.rps_default_mask core.somaxconn core.tstamp_allow_data core.txrehash
    core.xfrm_acq_expires core.xfrm_aevent_etime core.xfrm_aevent_rseqth core.xfrm_larval_drop
    ipv4.fib_multipath_hash_fields ipv4.fib_multipath_hash_policy ipv4.fib_multipath_hash_seed
    ipv4.fib_multipath_use_neigh ipv4.fib_notify_on_flag_change ipv4.fwmark_reflect ipv4.icmp_echo_enable_probe
    ipv4.icmp_echo_ignore_all ipv4.icmp_echo_ignore_broadcasts ipv4.icmp_errors_use_inbound_ifaddr
    ipv4.icmp_ignore_bogus_error_responses ipv4.icmp_msgs_burst ipv4.icmp_msgs_per_sec ipv4.icmp_ratelimit
    ipv4.icmp_ratemask ipv4.igmp_link_local_mcast_reports ipv4.igmp_max_memberships ipv4.igmp_max_msf
    ipv4.igmp_qrv ipv4.ip_autobind_reuse ipv4.ip_default_ttl ipv4.ip_dynaddr ipv4.ip_early_demux ipv4.ip_forward
    ipv4.ip_forward_update_priority ipv4.ip_forward_use_pmtu ipv4.ip_local_port_range ipv4.ip_local_reserved_ports
    ipv4.ip_no_pmtu_disc ipv4.ip_nonlocal_bind ipv4.ip_unprivileged_port_start ipv4.ipfrag_high_thresh
    ipv4.ipfrag_low_thresh ipv4.ipfrag_max_dist ipv4.ipfrag_time ipv4.nexthop_compat_mode ipv4.ping_group_range
    ipv4.raw_l3mdev_accept ipv4.route.flush ipv4.route.min_adv_mss ipv4.route.min_pmtu ipv4.route.mtu_expires
    ipv4.tcp_abort_on_overflow ipv4.tcp_adv_win_scale ipv4.tcp_app_win ipv4.tcp_autocorking
    ipv4.tcp_backlog_ack_defer ipv4.tcp_base_mss ipv4.tcp_challenge_ack_limit ipv4.tcp_child_ehash_entries
    ipv4.tcp_comp_sack_delay_ns ipv4.tcp_comp_sack_nr ipv4.tcp_comp_sack_slack_ns ipv4.tcp_congestion_control
    ipv4.tcp_dsack ipv4.tcp_early_demux ipv4.tcp_early_retrans ipv4.tcp_ecn ipv4.tcp_ecn_fallback
    ipv4.tcp_ecn_option ipv4.tcp_ecn_option_beacon ipv4.tcp_fack ipv4.tcp_fastopen
    ipv4.tcp_fastopen_blackhole_timeout_sec ipv4.tcp_fastopen_key ipv4.tcp_fin_timeout ipv4.tcp_frto
    ipv4.tcp_fwmark_accept ipv4.tcp_invalid_ratelimit ipv4.tcp_keepalive_intvl ipv4.tcp_keepalive_probes
    ipv4.tcp_keepalive_time ipv4.tcp_l3mdev_accept ipv4.tcp_limit_output_bytes ipv4.tcp_max_reordering
    ipv4.tcp_max_syn_backlog ipv4.tcp_max_tw_buckets ipv4.tcp_migrate_req ipv4.tcp_min_rtt_wlen
    ipv4.tcp_min_snd_mss ipv4.tcp_min_tso_segs ipv4.tcp_moderate_rcvbuf ipv4.tcp_mtu_probe_floor
    ipv4.tcp_mtu_probing ipv4.tcp_no_metrics_save ipv4.tcp_no_ssthresh_metrics_save ipv4.tcp_notsent_lowat
    ipv4.tcp_orphan_retries ipv4.tcp_pacing_ca_ratio ipv4.tcp_pacing_ss_ratio ipv4.tcp_pingpong_thresh
    ipv4.tcp_plb_cong_thresh ipv4.tcp_plb_enabled ipv4.tcp_plb_idle_rehash_rounds ipv4.tcp_plb_rehash_rounds
    ipv4.tcp_plb_suspend_rto_sec ipv4.tcp_probe_interval ipv4.tcp_probe_threshold ipv4.tcp_recovery
    ipv4.tcp_reflect_tos ipv4.tcp_reordering ipv4.tcp_retrans_collapse ipv4.tcp_retries1 ipv4.tcp_retries2
    ipv4.tcp_rfc1337 ipv4.tcp_rmem ipv4.tcp_rto_max_ms ipv4.tcp_rto_min_us ipv4.tcp_sack ipv4.tcp_shrink_window
    ipv4.tcp_slow_start_after_idle ipv4.tcp_stdurg ipv4.tcp_syn_linear_timeouts ipv4.tcp_syn_retries
    ipv4.tcp_synack_retries ipv4.tcp_syncookies ipv4.tcp_thin_linear_timeouts ipv4.tcp_timestamps
    ipv4.tcp_tso_rtt_log ipv4.tcp_tso_win_divisor ipv4.tcp_tw_reuse ipv4.tcp_tw_reuse_delay
    ipv4.tcp_window_scaling ipv4.tcp_wmem ipv4.tcp_workaround_signed_windows ipv4.udp_child_hash_entries
    ipv4.udp_early_demux ipv4.udp_l3mdev_accept ipv4.udp_rmem_min ipv4.udp_wmem_min ipv4.xfrm4_gc_thresh
    ipv6.anycast_src_echo_reply ipv6.auto_flowlabels ipv6.bindv6only ipv6.fib_multipath_hash_fields
    ipv6.fib_multipath_hash_policy ipv6.fib_notify_on_flag_change ipv6.flowlabel_consistency
    ipv6.flowlabel_reflect ipv6.flowlabel_state_ranges ipv6.fwmark_reflect ipv6.icmp.echo_ignore_all
    ipv6.icmp.echo_ignore_anycast ipv6.icmp.echo_ignore_multicast ipv6.icmp.error_anycast_as_unicast
    ipv6.icmp.ratelimit ipv6.icmp.ratemask ipv6.idgen_delay ipv6.idgen_retries ipv6.ioam6_id ipv6.ioam6_id_wide
    ipv6.ip6frag_high_thresh ipv6.ip6frag_low_thresh ipv6.ip6frag_time ipv6.ip_nonlocal_bind
    ipv6.max_dst_opts_length ipv6.max_dst_opts_number ipv6.max_hbh_length ipv6.max_hbh_opts_number
    ipv6.route.flush ipv6.route.gc_elasticity ipv6.route.gc_interval ipv6.route.gc_min_interval
    ipv6.route.gc_min_interval_ms ipv6.route.gc_thresh ipv6.route.gc_timeout ipv6.route.max_size
    ipv6.route.min_adv_mss ipv6.route.mtu_expires ipv6.route.skip_notify_on_dev_down ipv6.seg6_flowlabel
    ipv6.xfrm6_gc_thresh mptcp.add_addr_timeout mptcp.allow_join_initial_addr_port mptcp.blackhole_timeout
    mptcp.checksum_enabled mptcp.close_timeout mptcp.enabled mptcp.path_manager mptcp.pm_type mptcp.scheduler
    mptcp.stale_loss_cnt mptcp.syn_retrans_before_tcp_fallback netfilter.nf_conntrack_acct
    netfilter.nf_conntrack_checksum netfilter.nf_conntrack_events netfilter.nf_conntrack_frag6_high_thresh
    netfilter.nf_conntrack_frag6_low_thresh netfilter.nf_conntrack_frag6_timeout
    netfilter.nf_conntrack_generic_timeout netfilter.nf_conntrack_gre_timeout
    netfilter.nf_conntrack_gre_timeout_stream netfilter.nf_conntrack_icmp_timeout
    netfilter.nf_conntrack_icmpv6_timeout netfilter.nf_conntrack_log_invalid
    netfilter.nf_conntrack_sctp_timeout_closed netfilter.nf_conntrack_sctp_timeout_cookie_echoed
    netfilter.nf_conntrack_sctp_timeout_cookie_wait netfilter.nf_conntrack_sctp_timeout_established
    netfilter.nf_conntrack_sctp_timeout_heartbeat_sent netfilter.nf_conntrack_sctp_timeout_shutdown_ack_sent
    netfilter.nf_conntrack_sctp_timeout_shutdown_recd netfilter.nf_conntrack_sctp_timeout_shutdown_sent
    netfilter.nf_conntrack_tcp_be_liberal netfilter.nf_conntrack_tcp_ignore_invalid_rst
    netfilter.nf_conntrack_tcp_loose netfilter.nf_conntrack_tcp_max_retrans
    netfilter.nf_conntrack_tcp_timeout_close netfilter.nf_conntrack_tcp_timeout_close_wait
    netfilter.nf_conntrack_tcp_timeout_established netfilter.nf_conntrack_tcp_timeout_fin_wait
    netfilter.nf_conntrack_tcp_timeout_last_ack netfilter.nf_conntrack_tcp_timeout_max_retrans
    netfilter.nf_conntrack_tcp_timeout_syn_recv netfilter.nf_conntrack_tcp_timeout_syn_sent
    netfilter.nf_conntrack_tcp_timeout_time_wait netfilter.nf_conntrack_tcp_timeout_unacknowledged
    netfilter.nf_conntrack_timestamp netfilter.nf_conntrack_udp_timeout netfilter.nf_conntrack_udp_timeout_stream
    netfilter.nf_log.0 netfilter.nf_log.1 netfilter.nf_log.10 netfilter.nf_log.2 netfilter.nf_log.3
    netfilter.nf_log.4 netfilter.nf_log.5 netfilter.nf_log.6 netfilter.nf_log.7 netfilter.nf_log.8
    netfilter.nf_log.9 unix.max_dgram_qlen
    """
)
# fmt: on

#: a well-formed key: dotted words of [A-Za-z0-9_-] (an interface part may be any ifname the
#: checker accepts except one with a dot, which the dotted form cannot express)
_WORD = re.compile(r"[A-Za-z0-9_-]+")
MAX_VALUE = 256


def classify(key: str) -> tuple[str, str | None]:
    """("ok"|"not-netns"|"dotted-dev", dev): dev is the interface a conf/neigh key names
    ("dotted-dev": a name with a dot, which a dotted key cannot express)."""
    parts = key.split(".")
    if parts[0] != "net" or len(parts) < 3:
        return "not-netns", None
    if len(parts) == 5 and parts[1] in ("ipv4", "ipv6") and parts[2] in ("conf", "neigh"):
        fam, table, dev, leaf = parts[1], parts[2], parts[3], parts[4]
        leaves = NEIGH if table == "neigh" else IPV4_CONF if fam == "ipv4" else IPV6_CONF
        if leaf not in leaves or (table == "neigh" and dev == "default"):
            return "not-netns", None
        return "ok", None if dev in ("all", "default") and table == "conf" else dev
    if len(parts) > 5 and parts[1] in ("ipv4", "ipv6") and parts[2] in ("conf", "neigh"):
        return "dotted-dev", ".".join(parts[3:-1])
    return ("ok" if ".".join(parts[1:]) in FLAT else "not-netns"), None


def well_formed(key: str) -> bool:
    return key.isascii() and all(_WORD.fullmatch(p) for p in key.split("."))


def value_problem(value: object) -> str | None:
    """Why a sysctl value cannot be written as given, or None."""
    if isinstance(value, bool):
        return "a sysctl value is an integer or a string, not a boolean"
    if isinstance(value, int):
        if not -(2**63) <= value < 2**64:
            return f"{value} does not fit in 64 bits"
        return None
    text = str(value)
    if not text or len(text.encode()) > MAX_VALUE:
        return f"a sysctl string must be 1 to {MAX_VALUE} bytes"
    if not text.isprintable() or not text.isascii():
        return "a sysctl value must be printable ASCII (no newline, tab or control byte)"
    return None
