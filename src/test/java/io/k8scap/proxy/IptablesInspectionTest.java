package io.k8scap.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8scap.proxy.IptablesDumpGenerator.Options;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class IptablesInspectionTest {

    static Stream<Arguments> consistentVariants() {
        return Stream.of(
                Arguments.of("modern", Samples.cluster(), IpFamily.IPV4, Options.modern()),
                Arguments.of("iptables-save -c counters", Samples.cluster(), IpFamily.IPV4, new Options(true, 10, null, false)),
                Arguments.of("5-decimal probabilities (< 1.17)", Samples.cluster(), IpFamily.IPV4, new Options(false, 5, null, false)),
                Arguments.of("legacy KUBE-XLB / KUBE-MARK-DROP layout", Samples.cluster(), IpFamily.IPV4, new Options(false, 5, null, true)),
                Arguments.of("no comments (> 1000 endpoints)", Samples.cluster(), IpFamily.IPV4, new Options(false, 10, false, false)),
                Arguments.of("IPv6 (ip6tables-save)", Samples.ipv6(), IpFamily.IPV6, new Options(true, 10, null, false)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("consistentVariants")
    void consistentDumpsHaveNoFindings(String variant, Api api, IpFamily family, Options options) {
        ApiSnapshot snapshot = api.snapshot(family);
        String dump = new IptablesDumpGenerator(snapshot, options).generate();
        DataplaneView view = ProxyInspector.iptables(dump, snapshot).view();
        assertThat(view.findings()).as(dump).isEmpty();
        assertThat(view.hasErrors()).isFalse();
        assertThat(view.mode()).isEqualTo(ProxyMode.IPTABLES);
        assertThat(view.natRules()).isEqualTo((int) dump.lines().filter(l -> l.contains("-A ")).count()
                - IptablesSaveParser.parse(dump).table("filter").ruleCount());
    }

    /**
     * What the real iptables 1.8.9 printed after iptables-restore of the generator's text in a scratch network
     * namespace (PrintSamples): nft and legacy backends, -c counters, 5-decimal legacy layout, ip6tables. Real
     * iptables-save quotes every comment, even without spaces.
     */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource({"iptables-nft-cluster.save, IPV4", "iptables-legacy-cluster.save, IPV4",
        "iptables-legacy-layout.save, IPV4", "ip6tables-ipv6.save, IPV6"})
    void recordedRealIptablesSaveOutputIsConsistent(String resource, IpFamily family) {
        String dump = NftInspectionTest.resource(resource);
        ApiSnapshot api = (family == IpFamily.IPV6 ? Samples.ipv6() : Samples.cluster()).snapshot(family);
        DataplaneView view = ProxyInspector.iptables(dump, api).view();
        assertThat(view.findings()).isEmpty();
        assertThat(view.programmedServicePorts()).isEqualTo(family == IpFamily.IPV6 ? 1 : 7);
        assertThat(IptablesSaveParser.parse(dump).table("nat").chain("KUBE-SERVICES").rules()).allSatisfy(r -> assertThat(r.comment()).isNotNull());
    }

    @Test
    void recordedSaveShowsTheProbabilitiesTheKernelStores() {
        IptablesTable nat = IptablesSaveParser.parse(NftInspectionTest.resource("iptables-legacy-layout.save")).table("nat");
        IptablesRule first = nat.chain(ChainNames.svc("ns1/web", "tcp")).rules().stream().filter(r -> r.probability() != null).findFirst().orElseThrow();
        assertThat(first.text()).contains("--probability 0.33332999982");
        assertThat(first.packets()).isZero();
    }

    @Test
    void modelShowsFrontendsBackendsAndShares() {
        ApiSnapshot api = Samples.cluster().snapshot();
        DataplaneView view = ProxyInspector.iptables(new IptablesDumpGenerator(api, Options.modern()).generate(), api).view();
        ServiceView web = view.services().stream().filter(s -> s.spn().equals("ns1/web")).findFirst().orElseThrow();
        assertThat(web.chain()).isEqualTo(ChainNames.svc("ns1/web", "tcp"));
        assertThat(web.sessionAffinity()).isTrue();
        assertThat(web.frontends()).extracting(FrontendView::kind, FrontendView::address, FrontendView::port).containsExactly(
                org.assertj.core.groups.Tuple.tuple("cluster-ip", "10.96.0.20", 80),
                org.assertj.core.groups.Tuple.tuple("external-ip", "192.0.2.10", 80),
                org.assertj.core.groups.Tuple.tuple("load-balancer", "198.51.100.7", 80),
                org.assertj.core.groups.Tuple.tuple("node-port", null, 30080));
        // Not ready (10.244.2.7) and terminating (10.244.2.8) endpoints are not used while ready ones exist.
        assertThat(web.backends()).extracting(BackendView::endpoint).containsExactly("10.244.1.4:8080", "10.244.1.5:8080", "10.244.2.6:8080");
        assertThat(web.backends()).allSatisfy(b -> assertThat(b.share()).isCloseTo(1.0 / 3, org.assertj.core.api.Assertions.within(1e-6)));
        assertThat(web.apiEndpoints()).isEqualTo(3);
        ServiceView empty = view.services().stream().filter(s -> s.spn().equals("ns1/empty:http")).findFirst().orElseThrow();
        assertThat(empty.rejects()).isTrue();
        assertThat(empty.chain()).isNull();
        ServiceView local = view.services().stream().filter(s -> s.spn().equals("ns1/local:http")).findFirst().orElseThrow();
        assertThat(local.chain()).startsWith("KUBE-SVL-");
        assertThat(local.backends()).extracting(BackendView::endpoint).containsExactly("10.244.0.9:80");
        assertThat(view.services()).extracting(ServiceView::spn).doesNotContain("ns1/headless:http");
        assertThat(view.apiServicePorts()).isEqualTo(8);
        assertThat(view.programmedServicePorts()).isEqualTo(7);
    }

    static Stream<Arguments> drift() {
        UnaryOperator<String> none = s -> s;
        return Stream.of(
                Arguments.of(Finding.Kind.MISSING_SERVICE, "kube-system/kube-dns:metrics",
                        (Consumer<Api>) a -> a.services.get(0).getSpec().getPorts().remove(2), none),
                Arguments.of(Finding.Kind.MISSING_BACKEND, "ns1/web", (Consumer<Api>) a -> a.slices.removeIf(s -> s.getMetadata().getName().equals("web-def")), none),
                Arguments.of(Finding.Kind.STALE_BACKEND, "ns1/web",
                        (Consumer<Api>) a -> a.slice("ns1", "web", "web-old", List.of(Api.ready("10.244.9.9"))), none),
                Arguments.of(Finding.Kind.STALE_SERVICE, "KUBE-SVC-" + ChainNames.hash16("ns9/gone:httptcp"),
                        (Consumer<Api>) a -> a.service("ns9", "gone", "10.96.9.9", "http:80/TCP=80").endpoints("ns9", "gone", "10.244.9.1"), none),
                Arguments.of(Finding.Kind.WRONG_PROBABILITY, "ns1/web", null,
                        (UnaryOperator<String>) s -> s.replaceFirst("0\\.33333333349", "0.50000000000")),
                Arguments.of(Finding.Kind.MALFORMED_DNAT, "tel/sig:sctp", null,
                        (UnaryOperator<String>) s -> s.replace("--to-destination 10.244.3.3:3868", "--to-destination :0")),
                Arguments.of(Finding.Kind.REJECT_WITH_ENDPOINTS, "kube-system/kube-dns:dns", null,
                        (UnaryOperator<String>) s -> s.replace("-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP\n",
                                "-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP\n-A KUBE-SERVICES -d 10.96.0.10/32 -p udp -m comment"
                                        + " --comment \"kube-system/kube-dns:dns has no endpoints\" -m udp --dport 53 -j REJECT --reject-with icmp-port-unreachable\n")),
                Arguments.of(Finding.Kind.MISSING_REJECT, "ns1/empty:http", null,
                        (UnaryOperator<String>) s -> s.replaceFirst("-A KUBE-SERVICES -d 10.96.0.50/32[^\n]*\n", "")),
                Arguments.of(Finding.Kind.UNREFERENCED_CHAIN, "KUBE-SEP-ZZZZZZZZZZZZZZZZ", null,
                        (UnaryOperator<String>) s -> s.replace("*nat\n", "*nat\n:KUBE-SEP-ZZZZZZZZZZZZZZZZ - [0:0]\n"
                                + "-A KUBE-SEP-ZZZZZZZZZZZZZZZZ -p tcp -m tcp -j DNAT --to-destination 10.244.7.7:80\n")));
    }

    /**
     * Each kind of drift, injected either by generating the node's rules from a different API state than the
     * one checked against, or by editing the dump, is reported exactly once and nothing else is.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("drift")
    void eachInjectedDriftIsReportedExactlyOnce(Finding.Kind kind, String service, Consumer<Api> nodeSees, UnaryOperator<String> edit) {
        Api node = Samples.cluster();
        if (nodeSees != null) {
            nodeSees.accept(node);
        }
        String dump = edit.apply(new IptablesDumpGenerator(node.snapshot(), Options.modern()).generate());
        DataplaneView view = ProxyInspector.iptables(dump, Samples.cluster().snapshot()).view();
        assertThat(view.findings()).as(dump).hasSize(1);
        Finding f = view.findings().get(0);
        assertThat(f.kind()).isEqualTo(kind);
        assertThat(f.service()).isEqualTo(service);
        assertThat(f.severity()).isEqualTo(kind.severity());
        assertThat(view.hasErrors()).isEqualTo(kind.severity() == Finding.Severity.ERROR);
    }

    @Test
    void driftDetailsNameTheRuleAndTheValues() {
        String dump = new IptablesDumpGenerator(Samples.cluster().snapshot(), Options.modern()).generate()
                .replace("--to-destination 10.244.3.3:3868", "--to-destination :0");
        Finding f = ProxyInspector.iptables(dump, Samples.cluster().snapshot()).view().findings().get(0);
        assertThat(f.detail()).isEqualTo(ChainNames.sep("tel/sig:sctp", "sctp", "10.244.3.3:3868") + " rule 2: -j DNAT --to-destination :0");
    }

    @Test
    void traceWalksKubeServicesThenTheServiceAndEndpointChains() {
        ApiSnapshot api = Samples.cluster().snapshot();
        String dump = new IptablesDumpGenerator(api, Options.modern()).generate();
        List<TraceView> traces = ProxyInspector.iptables(dump, api).trace("default", "kubernetes", null);
        assertThat(traces).hasSize(1);
        TraceView t = traces.get(0);
        assertThat(t.spn()).isEqualTo("default/kubernetes:https");
        assertThat(t.frontend()).isEqualTo("10.96.0.1:443/tcp");
        assertThat(t.rulesWalked()).isEqualTo(4); // after kube-dns' three ports
        assertThat(t.kubeServicesRules()).isEqualTo(10); // 8 cluster/external/LB rules + local + the nodeports jump
        assertThat(t.steps()).extracting(TraceStep::chain, TraceStep::rule, TraceStep::target).containsExactly(
                org.assertj.core.groups.Tuple.tuple("KUBE-SERVICES", 4, "KUBE-SVC-NPX46M4PTMTKRN6Y"),
                org.assertj.core.groups.Tuple.tuple("KUBE-SVC-NPX46M4PTMTKRN6Y", 1, "KUBE-MARK-MASQ"),
                org.assertj.core.groups.Tuple.tuple("KUBE-SVC-NPX46M4PTMTKRN6Y", 2, ChainNames.sep("default/kubernetes:https", "tcp", "192.168.10.21:6443")),
                org.assertj.core.groups.Tuple.tuple(ChainNames.sep("default/kubernetes:https", "tcp", "192.168.10.21:6443"), 1, "KUBE-MARK-MASQ"),
                org.assertj.core.groups.Tuple.tuple(ChainNames.sep("default/kubernetes:https", "tcp", "192.168.10.21:6443"), 2, "DNAT 192.168.10.21:6443"));
        assertThat(t.comparison()).contains("one hash lookup");
        assertThat(ProxyInspector.iptables(dump, api).trace("kube-system", "kube-dns", "dns-tcp")).singleElement()
                .satisfies(d -> assertThat(d.rulesWalked()).isEqualTo(2));
        assertThat(ProxyInspector.iptables(dump, api).trace("kube-system", "kube-dns", "53")).hasSize(2);
        TraceView empty = ProxyInspector.iptables(dump, api).trace("ns1", "empty", null).get(0);
        assertThat(empty.rulesWalked()).isNull();
        assertThat(empty.notes()).anyMatch(n -> n.contains("rejects"));
    }

    @Test
    void viewSerializesToJsonWithKebabCaseKinds() throws Exception {
        String dump = new IptablesDumpGenerator(Samples.cluster().snapshot(), Options.modern()).generate()
                .replace("--to-destination 10.244.3.3:3868", "--to-destination :0");
        String json = new com.fasterxml.jackson.databind.ObjectMapper()
                .writeValueAsString(ProxyInspector.iptables(dump, Samples.cluster().snapshot()).view());
        assertThat(json).contains("\"mode\":\"iptables\"", "\"family\":\"IPv4\"", "\"kind\":\"malformed-dnat\"", "\"severity\":\"error\"",
                "\"spn\":\"ns1/web\"");
    }
}
