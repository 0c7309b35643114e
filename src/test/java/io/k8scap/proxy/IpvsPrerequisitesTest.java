package io.k8scap.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class IpvsPrerequisitesTest {
    static final String ALL_LOADED = """
            ip_vs_sh 16384 0 - Live 0x0000000000000000
            ip_vs_wrr 16384 0 - Live 0x0000000000000000
            ip_vs_rr 16384 31 - Live 0x0000000000000000
            ip_vs 155648 31 ip_vs_sh,ip_vs_wrr,ip_vs_rr, Live 0x0000000000000000
            nf_conntrack 139264 5 xt_conntrack,nf_nat,xt_MASQUERADE,nf_conntrack_netlink,ip_vs, Live 0x0000000000000000
            nf_defrag_ipv6 20480 2 nf_conntrack,ip_vs, Live 0x0000000000000000
            """;
    static final String NO_SH = ALL_LOADED.replace("ip_vs_sh 16384 0 - Live 0x0000000000000000\n", "");
    static final String DEP = """
            kernel/net/netfilter/ipvs/ip_vs.ko.xz: kernel/net/netfilter/nf_conntrack.ko.xz kernel/net/ipv6/netfilter/nf_defrag_ipv6.ko.xz
            kernel/net/netfilter/ipvs/ip_vs_rr.ko.xz: kernel/net/netfilter/ipvs/ip_vs.ko.xz
            kernel/net/netfilter/ipvs/ip_vs_wrr.ko.xz: kernel/net/netfilter/ipvs/ip_vs.ko.xz
            kernel/net/netfilter/ipvs/ip_vs_sh.ko.xz: kernel/net/netfilter/ipvs/ip_vs.ko.xz
            kernel/net/netfilter/nf_conntrack.ko.xz: kernel/net/netfilter/nf_defrag_ipv4.ko.xz
            """;
    static final String BUILTIN = """
            kernel/net/netfilter/nf_conntrack.ko
            kernel/net/netfilter/ipvs/ip_vs.ko
            kernel/net/netfilter/ipvs/ip_vs_rr.ko
            kernel/net/netfilter/ipvs/ip_vs_wrr.ko
            kernel/net/netfilter/ipvs/ip_vs_sh.ko
            """;
    static final String IPSET = "ipset v7.17, protocol version: 7\n";
    static final String IPVSADM = "ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)\n";

    static Stream<Arguments> nodes() {
        return Stream.of(
                Arguments.of("all loaded, 1.28", new PrerequisiteInput("5.10.0-28-amd64", ALL_LOADED, "", DEP, IPSET, IPVSADM, "v1.28.3", null),
                        "loaded,loaded,loaded,loaded,loaded", true, true, List.of("IPVS prerequisites are met.")),
                Arguments.of("built in, 1.35 deprecation", new PrerequisiteInput("6.1.0-18-amd64", "", BUILTIN, "", IPSET, IPVSADM, "v1.35.0", null),
                        "builtin,builtin,builtin,builtin,builtin", true, true, List.of("IPVS prerequisites are met.", "deprecated from Kubernetes 1.35",
                                "nftables mode", "6.1.0-18-amd64, fine")),
                Arguments.of("kernel < 4.19 needs nf_conntrack_ipv4; 1.24 falls back", new PrerequisiteInput("4.14.0-1-amd64",
                        NO_SH.replace("nf_conntrack ", "nf_conntrack_ipv4 "), "", DEP, IPSET, IPVSADM, "v1.24.1", null),
                        "loaded,loaded,loaded,available,loaded", true, false, List.of("Not loaded but available: ip_vs_sh",
                                "silently falls back to iptables")),
                Arguments.of("1.26 exits", new PrerequisiteInput("5.10.0-28-amd64", NO_SH, "", "", IPSET, IPVSADM, "v1.26.0", null),
                        "loaded,loaded,loaded,missing,loaded", true, false, List.of("Missing from this kernel: ip_vs_sh", "(1.26) exits with an error")),
                Arguments.of("1.27 probes", new PrerequisiteInput("5.10.0-28-amd64", NO_SH, "", DEP, IPSET, IPVSADM, "v1.27.2", null),
                        "loaded,loaded,loaded,available,loaded", true, false, List.of("probes IPVS by creating a dummy virtual server",
                                "load on demand are fine")),
                Arguments.of("this lab's kernel: no modules, no IPVS", new PrerequisiteInput("6.18.44-fc-v509", null, null, null, null, null, null,
                        "arp dev if_inet6 ip_tables_names netfilter nf_conntrack route snmp"),
                        "missing,missing,missing,missing,builtin", false, false, List.of("has no IPVS", "kube-proxy cannot run in IPVS mode",
                                "ipset is missing", "ipvsadm is missing", "version is unknown")),
                Arguments.of("no module lists but ip_vs in /proc/net", new PrerequisiteInput("6.6.0", null, null, null, IPSET, IPVSADM, "v1.30.0",
                        "ip_vs ip_vs_stats nf_conntrack"),
                        "builtin,unknown,unknown,unknown,builtin", true, false, List.of("Cannot tell whether ip_vs_rr, ip_vs_wrr, ip_vs_sh are built in")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nodes")
    void verdictAndAdvice(String node, PrerequisiteInput in, String states, boolean ipvsInKernel, boolean satisfied, List<String> advice) {
        PrerequisitesView v = IpvsPrerequisites.check(in);
        assertThat(String.join(",", v.modules().stream().map(m -> m.state().id()).toList())).isEqualTo(states);
        assertThat(v.ipvsInKernel()).isEqualTo(ipvsInKernel);
        assertThat(v.satisfied()).isEqualTo(satisfied);
        String all = String.join(" | ", v.advice());
        for (String a : advice) {
            assertThat(all).contains(a);
        }
        if (satisfied && !in.kubeProxyVersion().startsWith("v1.35")) {
            assertThat(v.advice()).hasSize(1);
        }
    }

    @Test
    void moduleNamesAndToolVersions() {
        assertThat(KernelModules.loaded("ip_vs 155648 31 ip_vs_sh,ip_vs_wrr,ip_vs_rr, Live 0x0000000000000000\n")).containsExactly("ip_vs");
        assertThat(KernelModules.listed("kernel/net/netfilter/ipvs/ip_vs.ko\nkernel/drivers/net/dummy-x.ko.zst: \n"))
                .containsExactlyInAnyOrder("ip_vs", "dummy_x");
        PrerequisitesView v = IpvsPrerequisites.check(new PrerequisiteInput("5.10.0", ALL_LOADED, "", "", IPSET, IPVSADM, "Kubernetes v1.29.4", null));
        assertThat(v.tools()).containsExactly(new ToolCheck("ipset", true, "7.17"), new ToolCheck("ipvsadm", true, "1.31"));
        assertThat(v.modules().get(4).name()).isEqualTo("nf_conntrack");
        assertThat(v.kubeProxyVersion()).isEqualTo("Kubernetes v1.29.4");
        assertThat(IpvsPrerequisites.check(new PrerequisiteInput("5.10.0", ALL_LOADED, "", "", "sh: 1: ipset: not found", IPVSADM, "v1.29.0", null))
                .tools().get(0).present()).isFalse();
    }
}
