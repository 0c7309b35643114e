package io.k8scap.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class IpvsInspectionTest {

    static Stream<Arguments> consistent() {
        return Stream.of(Arguments.of("ipvsadm -Sn", Samples.cluster(), IpFamily.IPV4, true),
                Arguments.of("ipvsadm -Ln", Samples.cluster(), IpFamily.IPV4, false),
                Arguments.of("IPv6 -Ln", Samples.ipv6(), IpFamily.IPV6, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("consistent")
    void consistentNodesHaveNoFindings(String variant, Api api, IpFamily family, boolean save) {
        ApiSnapshot snapshot = api.snapshot(family);
        IpvsInput input = new IpvsDumpGenerator(snapshot).input(save);
        DataplaneView view = ProxyInspector.ipvs(input, snapshot).view();
        assertThat(view.findings()).as(input.toString()).isEmpty();
        assertThat(view.mode()).isEqualTo(ProxyMode.IPVS);
        assertThat(view.ipvsVirtualServers()).isEqualTo(IpvsadmParser.parse(input.ipvsadm()).size());
    }

    @Test
    void weightZeroRealServersAreTerminatingNotDrift() {
        ApiSnapshot api = Samples.cluster().snapshot();
        IpvsDumpGenerator g = new IpvsDumpGenerator(api);
        String save = g.save().replace("-a -t 10.96.0.20:80 -r 10.244.1.4:8080 -m -w 1\n",
                "-a -t 10.96.0.20:80 -r 10.244.1.4:8080 -m -w 1\n-a -t 10.96.0.20:80 -r 10.244.2.8:8080 -m -w 0\n");
        Inspection inspection = ProxyInspector.ipvs(new IpvsInput(save, g.ipsetList(), g.ipAddr(), null), api);
        assertThat(inspection.view().findings()).isEmpty();
        ServiceView web = inspection.view().services().stream().filter(s -> s.spn().equals("ns1/web")).findFirst().orElseThrow();
        assertThat(web.scheduler()).isEqualTo("rr");
        assertThat(web.backends()).extracting(BackendView::endpoint, BackendView::weight).contains(
                org.assertj.core.groups.Tuple.tuple("10.244.2.8:8080", 0));
        assertThat(web.backends()).filteredOn(b -> b.weight() == 0).singleElement().satisfies(b -> assertThat(b.share()).isZero());
        TraceView t = inspection.trace("ns1", "web", null).get(0);
        assertThat(t.rulesWalked()).isNull();
        assertThat(t.steps()).extracting(TraceStep::match).first().isEqualTo("TCP 10.96.0.20:80 rr persistent 10800");
        assertThat(t.notes()).anyMatch(n -> n.contains("10.244.2.8:8080 has weight 0"));
        assertThat(t.comparison()).contains("one hash lookup");
    }

    static Stream<Arguments> drift() {
        UnaryOperator<IpvsInput> none = i -> i;
        return Stream.of(
                Arguments.of(Finding.Kind.MISSING_SERVICE, "tel/sig:sctp", (Consumer<Api>) a -> a.services.removeIf(s -> s.getMetadata().getName().equals("sig")), none),
                Arguments.of(Finding.Kind.MISSING_BACKEND, "ns1/web", (Consumer<Api>) a -> a.slices.removeIf(s -> s.getMetadata().getName().equals("web-def")), none),
                Arguments.of(Finding.Kind.STALE_BACKEND, "ns1/web",
                        (Consumer<Api>) a -> a.slice("ns1", "web", "web-old", List.of(Api.ready("10.244.9.9"))), none),
                Arguments.of(Finding.Kind.STALE_SERVICE, "TCP 10.96.9.9:80",
                        (Consumer<Api>) a -> a.service("ns9", "gone", "10.96.9.9", "http:80/TCP=80").endpoints("ns9", "gone", "10.244.9.1"),
                        (UnaryOperator<IpvsInput>) i -> new IpvsInput(i.ipvsadm(), i.ipsetList().replace("10.96.9.9,tcp:80\n", ""),
                                i.kubeIpvs0(), null)),
                Arguments.of(Finding.Kind.ADDRESS_NOT_BOUND, "default/kubernetes:https", null,
                        (UnaryOperator<IpvsInput>) i -> new IpvsInput(i.ipvsadm(), i.ipsetList(),
                                i.kubeIpvs0().replace("    inet 10.96.0.1/32 scope global kube-ipvs0\n", ""), null)),
                Arguments.of(Finding.Kind.IPSET_ENTRY_MISSING, "kube-system/kube-dns:dns", null,
                        (UnaryOperator<IpvsInput>) i -> new IpvsInput(i.ipvsadm(), i.ipsetList().replace("10.96.0.10,udp:53\n", ""),
                                i.kubeIpvs0(), null)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drift")
    void eachInjectedDriftIsReportedExactlyOnce(Finding.Kind kind, String service, Consumer<Api> nodeSees, UnaryOperator<IpvsInput> edit) {
        Api node = Samples.cluster();
        if (nodeSees != null) {
            nodeSees.accept(node);
        }
        IpvsInput input = edit.apply(new IpvsDumpGenerator(node.snapshot()).input(true));
        DataplaneView view = ProxyInspector.ipvs(input, Samples.cluster().snapshot()).view();
        assertThat(view.findings()).as(input.toString()).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(kind);
            assertThat(f.service()).isEqualTo(service);
        });
    }

    @Test
    void missingKubeIpvs0FlagsEveryServiceAddressOnce() {
        ApiSnapshot api = Samples.cluster().snapshot();
        IpvsDumpGenerator g = new IpvsDumpGenerator(api);
        DataplaneView view = ProxyInspector.ipvs(new IpvsInput(g.save(), null, "Device \"kube-ipvs0\" does not exist.\n", null), api).view();
        assertThat(view.findings()).extracting(Finding::kind).containsOnly(Finding.Kind.ADDRESS_NOT_BOUND);
        assertThat(view.findings()).hasSize(g.bound.size());
        assertThat(view.findings().get(0).detail()).endsWith("(kube-ipvs0 does not exist)");
    }
}
