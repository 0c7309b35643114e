package io.k8scap.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ip -o -d link show} / {@code ip -o addr show} lines captured on this machine (iproute2 6.1,
 * Debian 12): the lab's host and pod netns, a docker container, and netns made for the purpose.
 * Three lines are hand-written because this kernel lacks the module (said so next to them).
 */
class IpLinkParserTest {

    static Stream<Arguments> links() {
        return Stream.of(
                // host loopback
                Arguments.of("1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00 promiscuity 0  allmulti 0 minmtu 0 maxmtu 0 addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 ",
                        1, "lo", -1, null, "", true, true),
                // ifb
                Arguments.of("2: ifb0: <BROADCAST,NOARP> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 32\\    link/ether 46:3e:70:84:c1:7e brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 0 maxmtu 0 \\    ifb addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 ",
                        2, "ifb0", -1, null, "ifb", false, false),
                // physical NIC (virtio, parentbus)
                Arguments.of("4: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1400 qdisc pfifo_fast state UP mode DEFAULT group default qlen 1000\\    link/ether 02:fc:00:00:00:01 brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 tso_max_size 65536 tso_max_segs 65535 gro_max_size 65536 parentbus virtio parentdev virtio2 ",
                        4, "eth0", -1, null, "", false, true),
                // docker0 bridge
                Arguments.of("7: docker0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default \\    link/ether 02:42:de:a7:91:1e brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \\    bridge forward_delay 1500 hello_time 200 max_age 2000 ageing_time 30000 stp_state 0 priority 32768 vlan_filtering 0 bridge_id 8000.2:42:de:a7:91:1e designated_root 8000.2:42:de:a7:91:1e root_port 0 root_path_cost 0 topology_change 0 topology_change_detected 0 hello_timer    0.00 tcn_timer    0.00 topology_change_timer    0.00 gc_timer  170.90 group_fwd_mask 0 group_address 01:80:c2:00:00:00 mcast_snooping 1 no_linklocal_learn 0 mcast_vlan_snooping 0 mcast_router 1 mcast_query_use_ifaddr 0 mcast_querier 0 mcast_hash_elasticity 16 mcast_hash_max 4096 mcast_last_member_count 2 mcast_startup_query_count 2 mcast_last_member_interval 100 mcast_membership_interval 26000 mcast_querier_interval 25500 mcast_query_interval 12500 mcast_query_response_interval 1000 mcast_startup_query_interval 3124 mcast_stats_enabled 0 mcast_igmp_version 2 mcast_mld_version 1 nf_call_iptables 0 nf_call_ip6tables 0 nf_call_arptables 0 addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 ",
                        7, "docker0", -1, null, "bridge", false, true),
                // host veth on docker0, link-netnsid 0, bridge_slave
                Arguments.of("12: vethef1dfd1@if11: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master docker0 state UP mode DEFAULT group default \\    link/ether a6:3a:7c:9e:e9:a3 brd ff:ff:ff:ff:ff:ff link-netnsid 0 promiscuity 1  allmulti 1 minmtu 68 maxmtu 65535 \\    veth \\    bridge_slave state forwarding priority 32 cost 2 hairpin off guard off root_block off fastleave off learning on flood on port_id 0x8001 port_no 0x1 designated_port 32769 designated_cost 0 designated_bridge 8000.2:42:de:a7:91:1e designated_root 8000.2:42:de:a7:91:1e hold_timer    0.00 message_age_timer    0.00 forward_delay_timer    0.00 topology_change_ack 0 config_pending 0 proxy_arp off proxy_arp_wifi off mcast_router 1 mcast_fast_leave off mcast_flood on bcast_flood on mcast_to_unicast off neigh_suppress off group_fwd_mask 0 group_fwd_mask_str 0x0 vlan_tunnel off isolated off locked off addrgenmode eui64 numtxqueues 2 numrxqueues 2 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 ",
                        12, "vethef1dfd1", 11, null, "veth", false, true),
                // lab bridge
                Arguments.of("26: k8scap0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\\    link/ether 42:d8:6d:f0:6a:3f brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \\    bridge forward_delay 1500 hello_time 200 max_age 2000 ageing_time 30000 stp_state 0 priority 32768 vlan_filtering 0 bridge_id 8000.42:d8:6d:f0:6a:3f designated_root 8000.42:d8:6d:f0:6a:3f root_port 0 root_path_cost 0 topology_change 0 topology_change_detected 0 hello_timer    0.00 tcn_timer    0.00 topology_change_timer    0.00 gc_timer  247.79 group_fwd_mask 0 group_address 01:80:c2:00:00:00 mcast_snooping 1 no_linklocal_learn 0 mcast_vlan_snooping 0 mcast_router 1 mcast_query_use_ifaddr 0 mcast_querier 0 mcast_hash_elasticity 16 mcast_hash_max 4096 mcast_last_member_count 2 mcast_startup_query_count 2 mcast_last_member_interval 100 mcast_membership_interval 26000 mcast_querier_interval 25500 mcast_query_interval 12500 mcast_query_response_interval 1000 mcast_startup_query_interval 3124 mcast_stats_enabled 0 mcast_igmp_version 2 mcast_mld_version 1 nf_call_iptables 0 nf_call_ip6tables 0 nf_call_arptables 0 addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 ",
                        26, "k8scap0", -1, null, "bridge", false, true),
                // host veth, link-netns cni-… (named netns), bridge_slave
                Arguments.of("28: calid779bfe7cd4@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master k8scap0 state UP mode DEFAULT group default qlen 1000\\    link/ether d6:b2:3f:fc:e9:56 brd ff:ff:ff:ff:ff:ff link-netns cni-74fb00b1-2aa3-f833-14d8-a87e20766627 promiscuity 1  allmulti 1 minmtu 68 maxmtu 65535 \\    veth \\    bridge_slave state forwarding priority 32 cost 2 hairpin off guard off root_block off fastleave off learning on flood on port_id 0x8002 port_no 0x2 designated_port 32770 designated_cost 0 designated_bridge 8000.42:d8:6d:f0:6a:3f designated_root 8000.42:d8:6d:f0:6a:3f hold_timer    0.00 message_age_timer    0.00 forward_delay_timer    0.00 topology_change_ack 0 config_pending 0 proxy_arp off proxy_arp_wifi off mcast_router 1 mcast_fast_leave off mcast_flood on bcast_flood on mcast_to_unicast off neigh_suppress off group_fwd_mask 0 group_fwd_mask_str 0x0 vlan_tunnel off isolated off locked off addrgenmode eui64 numtxqueues 2 numrxqueues 2 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 ",
                        28, "calid779bfe7cd4", 2, null, "veth", false, true),
                // host veth, link-netnsid 1
                Arguments.of("30: vethecda12ef@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master k8scap0 state UP mode DEFAULT group default qlen 1000\\    link/ether 42:d8:6d:f0:6a:3f brd ff:ff:ff:ff:ff:ff link-netnsid 1 promiscuity 1  allmulti 1 minmtu 68 maxmtu 65535 \\    veth \\    bridge_slave state forwarding priority 32 cost 2 hairpin off guard off root_block off fastleave off learning on flood on port_id 0x8001 port_no 0x1 designated_port 32769 designated_cost 0 designated_bridge 8000.42:d8:6d:f0:6a:3f designated_root 8000.42:d8:6d:f0:6a:3f hold_timer    0.00 message_age_timer    0.00 forward_delay_timer    0.00 topology_change_ack 0 config_pending 0 proxy_arp off proxy_arp_wifi off mcast_router 1 mcast_fast_leave off mcast_flood on bcast_flood on mcast_to_unicast off neigh_suppress off group_fwd_mask 0 group_fwd_mask_str 0x0 vlan_tunnel off isolated off locked off addrgenmode eui64 numtxqueues 2 numrxqueues 2 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 ",
                        30, "vethecda12ef", 2, null, "veth", false, true),
                // pod eth0@ifN veth
                Arguments.of("2: eth0@if30: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\\    link/ether 96:7a:63:29:49:55 brd ff:ff:ff:ff:ff:ff link-netnsid 0 promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \\    veth addrgenmode eui64 numtxqueues 2 numrxqueues 2 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 ",
                        2, "eth0", 30, null, "veth", false, true),
                // pod macvlan eth0@ifN (parent in host netns)
                Arguments.of("2: eth0@if31: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\\    link/ether 72:dd:e8:e6:49:31 brd ff:ff:ff:ff:ff:ff link-netnsid 0 promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \\    macvlan mode bridge bcqueuelen 1000 usedbcqueuelen 1000 addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 tso_max_size 65536 tso_max_segs 65535 gro_max_size 65536 ",
                        2, "eth0", 31, null, "macvlan", false, true),
                // bridge, down
                Arguments.of("2: br-x: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\    link/ether 22:84:29:b4:6a:e6 brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \\    bridge forward_delay 1500 hello_time 200 max_age 2000 ageing_time 30000 stp_state 0 priority 32768 vlan_filtering 0 bridge_id 8000.22:84:29:b4:6a:e6 designated_root 8000.22:84:29:b4:6a:e6 root_port 0 root_path_cost 0 topology_change 0 topology_change_detected 0 hello_timer    0.00 tcn_timer    0.00 topology_change_timer    0.00 gc_timer    0.00 group_fwd_mask 0 group_address 01:80:c2:00:00:00 mcast_snooping 1 no_linklocal_learn 0 mcast_vlan_snooping 0 mcast_router 1 mcast_query_use_ifaddr 0 mcast_querier 0 mcast_hash_elasticity 16 mcast_hash_max 4096 mcast_last_member_count 2 mcast_startup_query_count 2 mcast_last_member_interval 100 mcast_membership_interval 26000 mcast_querier_interval 25500 mcast_query_interval 12500 mcast_query_response_interval 1000 mcast_startup_query_interval 3124 mcast_stats_enabled 0 mcast_igmp_version 2 mcast_mld_version 1 nf_call_iptables 0 nf_call_ip6tables 0 nf_call_arptables 0 addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 ",
                        2, "br-x", -1, null, "bridge", false, false),
                // same-netns veth NAME@PARENT, bridge_slave
                Arguments.of("3: vb@va: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master br-x state UP mode DEFAULT group default qlen 1000\\    link/ether 22:84:29:b4:6a:e6 brd ff:ff:ff:ff:ff:ff promiscuity 1  allmulti 1 minmtu 68 maxmtu 65535 \\    veth \\    bridge_slave state disabled priority 32 cost 2 hairpin off guard off root_block off fastleave off learning on flood on port_id 0x8001 port_no 0x1 designated_port 32769 designated_cost 0 designated_bridge 8000.22:84:29:b4:6a:e6 designated_root 8000.22:84:29:b4:6a:e6 hold_timer    0.00 message_age_timer    0.00 forward_delay_timer    0.00 topology_change_ack 0 config_pending 0 proxy_arp off proxy_arp_wifi off mcast_router 1 mcast_fast_leave off mcast_flood on bcast_flood on mcast_to_unicast off neigh_suppress off group_fwd_mask 0 group_fwd_mask_str 0x0 vlan_tunnel off isolated off locked off addrgenmode eui64 numtxqueues 2 numrxqueues 2 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 ",
                        3, "vb", -1, "va", "veth", false, true),
                // veth with altname segment
                Arguments.of("4: va@vb: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\\    link/ether 76:56:bb:c0:7a:35 brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \\    veth addrgenmode eui64 numtxqueues 2 numrxqueues 2 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 \\    altname va-alt-name",
                        4, "va", -1, "vb", "veth", false, true),
                // veth, link-netns <name>
                Arguments.of("5: pod-side@if2: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\    link/ether ba:1c:e1:82:60:af brd ff:ff:ff:ff:ff:ff link-netns k8scap-nh-p promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \\    veth addrgenmode eui64 numtxqueues 2 numrxqueues 2 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 ",
                        5, "pod-side", 2, null, "veth", false, false),
                // macvlan on same-netns parent, name with dash
                Arguments.of("6: mv-0@va: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\    link/ether 42:7a:1f:0e:f6:4b brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \\    macvlan mode bridge bcqueuelen 1000 usedbcqueuelen 1000 addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 ",
                        6, "mv-0", -1, "va", "macvlan", false, false),
                // tun/tap
                Arguments.of("7: tap0: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\    link/ether d6:db:8a:a6:99:2b brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65521 \\    tun type tap pi off vnet_hdr off persist on addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 tso_max_size 65536 tso_max_segs 65535 gro_max_size 65536 ",
                        7, "tap0", -1, null, "tun", false, false),
                // vxlan
                Arguments.of("8: vx0: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\    link/ether 8e:e7:f8:f5:28:40 brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \\    vxlan id 42 srcport 0 0 dstport 4789 ttl auto ageing 300 udpcsum noudp6zerocsumtx noudp6zerocsumrx addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 tso_max_size 65536 tso_max_segs 65535 gro_max_size 65536 ",
                        8, "vx0", -1, null, "vxlan", false, false),
                // loopback down in a fresh netns
                Arguments.of("1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00 promiscuity 0  allmulti 0 minmtu 0 maxmtu 0 addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 ",
                        1, "lo", -1, null, "", true, false),
                // veth in a fresh netns, link-netns
                Arguments.of("2: eth0@if5: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state DOWN mode DEFAULT group default qlen 1000\\    link/ether a6:e1:c6:de:6c:bf brd ff:ff:ff:ff:ff:ff link-netns k8scap-nh-s promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \\    veth addrgenmode eui64 numtxqueues 2 numrxqueues 2 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 ",
                        2, "eth0", 5, null, "veth", false, true),
                // macvlan NAME@PARENT
                Arguments.of("3: mv1@eth0: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\    link/ether 5a:28:20:7f:75:91 brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \\    macvlan mode bridge bcqueuelen 1000 usedbcqueuelen 1000 addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 ",
                        3, "mv1", -1, "eth0", "macvlan", false, false),
                // macvlan with parent in another netns (@ifN is NOT a peer)
                Arguments.of("4: mvp@if4: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\    link/ether 26:53:2d:97:17:67 brd ff:ff:ff:ff:ff:ff link-netns k8scap-nh-s promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \\    macvlan mode bridge bcqueuelen 1000 usedbcqueuelen 1000 addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 ",
                        4, "mvp", 4, null, "macvlan", false, false),
                // docker container eth0, link-netnsid 0
                Arguments.of("11: eth0@if12: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default \\    link/ether 02:42:ac:11:00:02 brd ff:ff:ff:ff:ff:ff link-netnsid 0 promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \\    veth addrgenmode eui64 numtxqueues 2 numrxqueues 2 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 ",
                        11, "eth0", 12, null, "veth", false, true),
                // vlan eth0.100@eth0: HAND-WRITTEN in iproute2 6.1 shape (this kernel has no 8021q module)
                Arguments.of("5: eth0.100@eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\\    link/ether 02:fc:00:00:00:01 brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 0 maxmtu 65535 \\    vlan protocol 802.1Q id 100 <REORDER_HDR> addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 tso_max_size 65536 tso_max_segs 65535 gro_max_size 65536 ",
                        5, "eth0.100", -1, "eth0", "vlan", false, true),
                // ipvlan pod eth0@ifN: HAND-WRITTEN in iproute2 6.1 shape (this kernel has no ipvlan module)
                Arguments.of("2: eth0@if4: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\\    link/ether 02:fc:00:00:00:01 brd 00:00:00:00:00:00 link-netnsid 0 promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \\    ipvlan  mode l2 bridge addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 tso_max_size 65536 tso_max_segs 65535 gro_max_size 65536 ",
                        2, "eth0", 4, null, "ipvlan", false, true),
                // fallback tunnel tunl0@NONE: HAND-WRITTEN in iproute2 6.1 shape (this kernel has no ipip module)
                Arguments.of("2: tunl0@NONE: <NOARP> mtu 1480 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\    link/ipip 0.0.0.0 brd 0.0.0.0 promiscuity 0  allmulti 0 minmtu 0 maxmtu 0 \\    ipip any remote any local any ttl inherit nopmtudisc addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 tso_max_size 65536 tso_max_segs 65535 gro_max_size 65536 ",
                        2, "tunl0", -1, null, "ipip", false, false)
        );
    }

    @ParameterizedTest(name = "[{index}] {2} kind={5}")
    @MethodSource("links")
    void parsesRealLinkLines(String raw, int index, String name, int peerIndex, String parent, String kind,
                             boolean loopback, boolean up) {
        IpLinkParser.Link l = IpLinkParser.parseLink(raw).orElseThrow();
        assertThat(l.index()).isEqualTo(index);
        assertThat(l.name()).isEqualTo(name);
        assertThat(l.peerIndex()).isEqualTo(peerIndex);
        assertThat(l.parent()).isEqualTo(parent);
        assertThat(l.kind()).isEqualTo(kind);
        assertThat(l.loopback()).isEqualTo(loopback);
        assertThat(l.up()).isEqualTo(up);
    }

    static Stream<Arguments> addrs() {
        return Stream.of(
                Arguments.of("1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever", 1, "lo", "inet", "127.0.0.1/8"),
                Arguments.of("1: lo    inet6 ::1/128 scope host \\       valid_lft forever preferred_lft forever", 1, "lo", "inet6", "::1/128"),
                Arguments.of("4: eth0    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\\       valid_lft forever preferred_lft forever", 4, "eth0", "inet", "192.0.2.2/24"),
                Arguments.of("4: eth0    inet6 fd00::2/64 scope global nodad \\       valid_lft forever preferred_lft forever", 4, "eth0", "inet6", "fd00::2/64"),
                Arguments.of("4: eth0    inet6 fe80::fc:ff:fe00:1/64 scope link \\       valid_lft forever preferred_lft forever", 4, "eth0", "inet6", "fe80::fc:ff:fe00:1/64"),
                Arguments.of("7: docker0    inet 172.17.0.1/16 brd 172.17.255.255 scope global docker0\\       valid_lft forever preferred_lft forever", 7, "docker0", "inet", "172.17.0.1/16"),
                Arguments.of("7: docker0    inet6 fe80::42:deff:fea7:911e/64 scope link \\       valid_lft forever preferred_lft forever", 7, "docker0", "inet6", "fe80::42:deff:fea7:911e/64"),
                Arguments.of("12: vethef1dfd1    inet6 fe80::a43a:7cff:fe9e:e9a3/64 scope link \\       valid_lft forever preferred_lft forever", 12, "vethef1dfd1", "inet6", "fe80::a43a:7cff:fe9e:e9a3/64"),
                Arguments.of("26: k8scap0    inet 10.244.77.1/24 scope global k8scap0\\       valid_lft forever preferred_lft forever", 26, "k8scap0", "inet", "10.244.77.1/24"),
                Arguments.of("26: k8scap0    inet6 fe80::284a:c1ff:fefa:6f2/64 scope link \\       valid_lft forever preferred_lft forever", 26, "k8scap0", "inet6", "fe80::284a:c1ff:fefa:6f2/64"),
                Arguments.of("28: calid779bfe7cd4    inet6 fe80::d4b2:3fff:fefc:e956/64 scope link \\       valid_lft forever preferred_lft forever", 28, "calid779bfe7cd4", "inet6", "fe80::d4b2:3fff:fefc:e956/64"),
                Arguments.of("30: vethecda12ef    inet6 fe80::40d8:6dff:fef0:6a3f/64 scope link \\       valid_lft forever preferred_lft forever", 30, "vethecda12ef", "inet6", "fe80::40d8:6dff:fef0:6a3f/64"),
                Arguments.of("31: k8scap-dummy0    inet6 fe80::608e:45ff:feac:5fb4/64 scope link \\       valid_lft forever preferred_lft forever", 31, "k8scap-dummy0", "inet6", "fe80::608e:45ff:feac:5fb4/64"),
                Arguments.of("2: eth0    inet 10.244.77.2/24 scope global eth0\\       valid_lft forever preferred_lft forever", 2, "eth0", "inet", "10.244.77.2/24"),
                Arguments.of("2: eth0    inet 10.244.77.3/24 scope global eth0\\       valid_lft forever preferred_lft forever", 2, "eth0", "inet", "10.244.77.3/24"),
                Arguments.of("2: eth0    inet6 fe80::a4cd:27ff:fe18:fd8e/64 scope link \\       valid_lft forever preferred_lft forever", 2, "eth0", "inet6", "fe80::a4cd:27ff:fe18:fd8e/64"),
                Arguments.of("2: eth0    inet 10.244.78.2/24 scope global eth0\\       valid_lft forever preferred_lft forever", 2, "eth0", "inet", "10.244.78.2/24"),
                Arguments.of("2: eth0    inet6 fe80::70dd:e8ff:fee6:4931/64 scope link \\       valid_lft forever preferred_lft forever", 2, "eth0", "inet6", "fe80::70dd:e8ff:fee6:4931/64"),
                Arguments.of("3: vb    inet6 fe80::2084:29ff:feb4:6ae6/64 scope link \\       valid_lft forever preferred_lft forever", 3, "vb", "inet6", "fe80::2084:29ff:feb4:6ae6/64"),
                Arguments.of("4: va    inet 10.250.0.1/24 scope global va\\       valid_lft forever preferred_lft forever", 4, "va", "inet", "10.250.0.1/24"),
                Arguments.of("4: va    inet6 fd00:250::1/64 scope global nodad \\       valid_lft forever preferred_lft forever", 4, "va", "inet6", "fd00:250::1/64"),
                Arguments.of("4: va    inet6 fe80::7456:bbff:fec0:7a35/64 scope link \\       valid_lft forever preferred_lft forever", 4, "va", "inet6", "fe80::7456:bbff:fec0:7a35/64"),
                Arguments.of("2: eth0    inet 10.250.1.2/24 scope global eth0\\       valid_lft forever preferred_lft forever", 2, "eth0", "inet", "10.250.1.2/24")
        );
    }

    @ParameterizedTest(name = "[{index}] {2} {4}")
    @MethodSource("addrs")
    void parsesRealAddrLines(String raw, int index, String name, String family, String cidr) {
        IpLinkParser.Addr a = IpLinkParser.parseAddr(raw).orElseThrow();
        assertThat(a).isEqualTo(new IpLinkParser.Addr(index, name, family, cidr));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "    link/ether 02:42:ac:11:00:02 brd ff:ff:ff:ff:ff:ff", "Device \"eth9\" does not exist.",
            "nsenter: cannot open /proc/1234/ns/net: No such file or directory", "12 eth0: <UP> mtu 1500"})
    void rejectsWhatIsNotALinkLine(String raw) {
        assertThat(IpLinkParser.parseLink(raw)).isEmpty();
        assertThat(IpLinkParser.parseAddr(raw)).isEmpty();
    }

    /** Names may contain '@': the list-level parse splits at the '@' whose right side is another link's name. */
    @Test
    void namesWithAtSignsAreSplitAgainstTheOtherLinksInTheNetns() {
        List<IpLinkParser.Link> links = IpLinkParser.links(List.of(
                "9: x@y@we.ird-name_1: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\    link/ether 4a:f8:99:1f:71:bb brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \\    veth addrgenmode eui64 numtxqueues 2 numrxqueues 2 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 ",
                "10: we.ird-name_1@x@y: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\    link/ether aa:0f:9a:49:33:a2 brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \\    veth addrgenmode eui64 numtxqueues 2 numrxqueues 2 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 ",
                "3: vb@va: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master br-x state UP mode DEFAULT group default qlen 1000\\    link/ether 22:84:29:b4:6a:e6 brd ff:ff:ff:ff:ff:ff promiscuity 1  allmulti 1 minmtu 68 maxmtu 65535 \\    veth \\    bridge_slave state disabled priority 32 cost 2 hairpin off guard off root_block off fastleave off learning on flood on port_id 0x8001 port_no 0x1 designated_port 32769 designated_cost 0 designated_bridge 8000.22:84:29:b4:6a:e6 designated_root 8000.22:84:29:b4:6a:e6 hold_timer    0.00 message_age_timer    0.00 forward_delay_timer    0.00 topology_change_ack 0 config_pending 0 proxy_arp off proxy_arp_wifi off mcast_router 1 mcast_fast_leave off mcast_flood on bcast_flood on mcast_to_unicast off neigh_suppress off group_fwd_mask 0 group_fwd_mask_str 0x0 vlan_tunnel off isolated off locked off addrgenmode eui64 numtxqueues 2 numrxqueues 2 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 ",
                "4: va@vb: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\\    link/ether 76:56:bb:c0:7a:35 brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \\    veth addrgenmode eui64 numtxqueues 2 numrxqueues 2 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 \\    altname va-alt-name"));
        assertThat(links).extracting(IpLinkParser.Link::name, IpLinkParser.Link::parent)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("x@y", "we.ird-name_1"),
                        org.assertj.core.groups.Tuple.tuple("we.ird-name_1", "x@y"),
                        org.assertj.core.groups.Tuple.tuple("vb", "va"),
                        org.assertj.core.groups.Tuple.tuple("va", "vb"));
    }

    @Test
    void interfacesJoinAddressesByIndexIncludingIpv6() {
        List<IpLinkParser.Link> links = IpLinkParser.links(List.of(
                "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00 promiscuity 0  allmulti 0 minmtu 0 maxmtu 0 addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 ",
                "2: br-x: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\    link/ether 22:84:29:b4:6a:e6 brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \\    bridge forward_delay 1500 hello_time 200 max_age 2000 ageing_time 30000 stp_state 0 priority 32768 vlan_filtering 0 bridge_id 8000.22:84:29:b4:6a:e6 designated_root 8000.22:84:29:b4:6a:e6 root_port 0 root_path_cost 0 topology_change 0 topology_change_detected 0 hello_timer    0.00 tcn_timer    0.00 topology_change_timer    0.00 gc_timer    0.00 group_fwd_mask 0 group_address 01:80:c2:00:00:00 mcast_snooping 1 no_linklocal_learn 0 mcast_vlan_snooping 0 mcast_router 1 mcast_query_use_ifaddr 0 mcast_querier 0 mcast_hash_elasticity 16 mcast_hash_max 4096 mcast_last_member_count 2 mcast_startup_query_count 2 mcast_last_member_interval 100 mcast_membership_interval 26000 mcast_querier_interval 25500 mcast_query_interval 12500 mcast_query_response_interval 1000 mcast_startup_query_interval 3124 mcast_stats_enabled 0 mcast_igmp_version 2 mcast_mld_version 1 nf_call_iptables 0 nf_call_ip6tables 0 nf_call_arptables 0 addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 ",
                "4: va@vb: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\\    link/ether 76:56:bb:c0:7a:35 brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \\    veth addrgenmode eui64 numtxqueues 2 numrxqueues 2 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 \\    altname va-alt-name"));
        List<NetInterface> ifs = IpLinkParser.interfaces(links, List.of(
                "3: vb    inet6 fe80::2084:29ff:feb4:6ae6/64 scope link \\       valid_lft forever preferred_lft forever",
                "4: va    inet 10.250.0.1/24 scope global va\\       valid_lft forever preferred_lft forever",
                "4: va    inet6 fd00:250::1/64 scope global nodad \\       valid_lft forever preferred_lft forever",
                "4: va    inet6 fe80::7456:bbff:fec0:7a35/64 scope link \\       valid_lft forever preferred_lft forever"));
        assertThat(ifs).extracting(NetInterface::name).containsExactly("lo", "br-x", "va");
        assertThat(ifs.get(1).addresses()).isEmpty();
        assertThat(ifs.get(2).addresses()).containsExactly("10.250.0.1/24", "fd00:250::1/64", "fe80::7456:bbff:fec0:7a35/64");
        assertThat(ifs.get(2).display()).isEqualTo("va");
    }
}
