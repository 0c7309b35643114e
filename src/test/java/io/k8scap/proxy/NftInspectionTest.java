package io.k8scap.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * nftables mode against what the real nft 1.0.6 printed for {@link NftRulesetGenerator}'s rulesets
 * (nft-cluster.json / nft-ipv6.json, recorded from a scratch network namespace).
 */
class NftInspectionTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static String resource(String name) {
        try (InputStream in = NftInspectionTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String cluster() {
        return resource("nft-cluster.json");
    }

    @Test
    void recordedSamplesStillMatchTheGenerator() {
        // If a sample's API changes, re-record the JSON (see NftRulesetGenerator).
        assertThat(resource("nft-cluster.nft")).isEqualTo(NftRulesetGenerator.generate(Samples.cluster().snapshot()));
        assertThat(resource("nft-ipv6.nft")).isEqualTo(NftRulesetGenerator.generate(Samples.ipv6().snapshot(IpFamily.IPV6)));
    }

    @Test
    void parsesTableChainsMapsAndRuleShapes() {
        NftTable t = NftParser.parse(cluster());
        assertThat(t.family()).isEqualTo("ip");
        assertThat(t.name()).isEqualTo("kube-proxy");
        String dns = "service-" + ChainNames.nftServiceBase("kube-system", "kube-dns", "udp", "dns");
        assertThat(t.sets().get("service-ips")).filteredOn(e -> e.keyText().equals("10.96.0.10 . udp . 53")).singleElement()
                .satisfies(e -> {
                    assertThat(e.verdict()).isEqualTo("goto");
                    assertThat(e.target()).isEqualTo(dns);
                });
        assertThat(t.sets().get("no-endpoint-services")).singleElement().satisfies(e -> {
            assertThat(e.keyText()).isEqualTo("10.96.0.50 . tcp . 80");
            assertThat(e.comment()).isEqualTo("ns1/empty:http");
            assertThat(e.target()).isEqualTo("reject-chain");
        });
        assertThat(t.sets().get("service-nodeports")).extracting(NftMapElement::keyText).containsExactly("tcp . 30080");
        assertThat(t.sets().get("cluster-ips")).extracting(NftMapElement::keyText).contains("10.96.0.10", "10.96.0.50");
        NftRule lb = t.chains().get(dns).get(1);
        assertThat(lb.numgenMod()).isEqualTo(2);
        String ep5 = "endpoint-" + ChainNames.nftEndpointBase("kube-system", "kube-dns", "udp", "dns", "10.244.0.5", 53);
        assertThat(lb.numgenSlots()).containsEntry(0, ep5);
        assertThat(lb.text()).startsWith("numgen random mod 2 vmap { 0 : goto " + ep5);
        assertThat(t.chains().get(dns).get(0).text())
                .isEqualTo("ip daddr 10.96.0.10 udp dport 53 ip saddr != 10.244.0.0/16 jump mark-for-masquerade");
        NftRule dnat = t.chains().get(ep5).get(1);
        assertThat(dnat.dnatAddr()).isEqualTo("10.244.0.5");
        assertThat(dnat.dnatPort()).isEqualTo(53);
        assertThat(dnat.text()).isEqualTo("meta l4proto udp dnat to 10.244.0.5:53");
        assertThat(t.chains().get("services").get(0).text()).isEqualTo("ip daddr . meta l4proto . th dport vmap @service-ips");
    }

    @Test
    void parserRejectsOtherText() {
        assertThatThrownBy(() -> NftParser.parse("table ip kube-proxy {")).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> NftParser.parse("{\"nftables\": [{\"metainfo\": {}}]}")).hasMessageContaining("no table");
    }

    static Stream<Arguments> consistent() {
        return Stream.of(Arguments.of("ip kube-proxy", "nft-cluster.json", Samples.cluster(), IpFamily.IPV4),
                Arguments.of("ip6 kube-proxy", "nft-ipv6.json", Samples.ipv6(), IpFamily.IPV6));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("consistent")
    void recordedRulesetsAreConsistent(String variant, String resource, Api api, IpFamily family) {
        DataplaneView view = ProxyInspector.nftables(resource(resource), api.snapshot(family)).view();
        assertThat(view.findings()).isEmpty();
        assertThat(view.mode()).isEqualTo(ProxyMode.NFTABLES);
        assertThat(view.nftRules()).isEqualTo(NftParser.parse(resource(resource)).ruleCount()).isPositive();
    }

    @Test
    void modelAndTrace() {
        Inspection inspection = ProxyInspector.nftables(cluster(), Samples.cluster().snapshot());
        ServiceView web = inspection.view().services().stream().filter(s -> s.spn().equals("ns1/web")).findFirst().orElseThrow();
        assertThat(web.backends()).extracting(BackendView::slot, BackendView::endpoint).containsExactly(
                org.assertj.core.groups.Tuple.tuple(0, "10.244.1.4:8080"), org.assertj.core.groups.Tuple.tuple(1, "10.244.1.5:8080"),
                org.assertj.core.groups.Tuple.tuple(2, "10.244.2.6:8080"));
        assertThat(web.frontends()).extracting(FrontendView::kind).containsExactly("cluster-ip", "external-ip", "load-balancer", "node-port");
        TraceView t = inspection.trace("kube-system", "kube-dns", "dns").get(0);
        String svc = "service-" + ChainNames.nftServiceBase("kube-system", "kube-dns", "udp", "dns");
        assertThat(t.steps()).extracting(TraceStep::chain).startsWith("services", "@service-ips", svc, svc, svc);
        assertThat(t.steps()).extracting(TraceStep::slot).contains(0, 1);
        assertThat(t.steps()).extracting(TraceStep::target).contains("dnat 10.244.0.5:53", "dnat 10.244.0.6:53");
        assertThat(t.rulesWalked()).isNull();
        assertThat(t.comparison()).contains("one lookup");
        assertThat(inspection.trace("ns1", "empty", null).get(0).notes()).anyMatch(n -> n.contains("@no-endpoint-services rejects"));
    }

    /** Edits of the recorded JSON tree. */
    static UnaryOperator<String> edit(Consumer<ArrayNode> change) {
        return json -> {
            try {
                ObjectNode root = (ObjectNode) JSON.readTree(json);
                change.accept((ArrayNode) root.get("nftables"));
                return JSON.writeValueAsString(root);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    static JsonNode map(ArrayNode items, String name) {
        for (JsonNode i : items) {
            JsonNode m = i.has("map") ? i.get("map") : i.get("set");
            if (m != null && m.path("name").asText().equals(name)) {
                return m;
            }
        }
        throw new IllegalStateException("no map " + name);
    }

    static void removeElements(ArrayNode items, String mapName, String keyPrefix) {
        Iterator<JsonNode> it = map(items, mapName).get("elem").elements();
        while (it.hasNext()) {
            if (it.next().toString().contains("\"" + keyPrefix + "\"")) {
                it.remove();
            }
        }
    }

    static Stream<Arguments> drift() {
        String dnsChain = "service-" + ChainNames.nftServiceBase("kube-system", "kube-dns", "udp", "dns");
        String sigChain = "service-" + ChainNames.nftServiceBase("tel", "sig", "sctp", "sctp");
        UnaryOperator<String> none = s -> s;
        return Stream.of(
                Arguments.of(Finding.Kind.MISSING_SERVICE, "tel/sig:sctp", null, edit(items -> removeElements(items, "service-ips", "10.96.7.7"))),
                Arguments.of(Finding.Kind.MISSING_BACKEND, "ns1/web",
                        (Consumer<Api>) a -> a.slice("ns1", "web", "web-new", List.of(Api.ready("10.244.8.8"))), none),
                Arguments.of(Finding.Kind.STALE_BACKEND, "ns1/web",
                        (Consumer<Api>) a -> a.slices.removeIf(s -> s.getMetadata().getName().equals("web-def")), none),
                Arguments.of(Finding.Kind.STALE_SERVICE, sigChain,
                        (Consumer<Api>) a -> a.services.removeIf(s -> s.getMetadata().getName().equals("sig")), none),
                Arguments.of(Finding.Kind.WRONG_PROBABILITY, "kube-system/kube-dns:dns", null, edit(items -> {
                    for (JsonNode i : items) {
                        if (i.has("rule") && i.get("rule").path("chain").asText().equals(dnsChain) && i.toString().contains("numgen")) {
                            ((ObjectNode) i.get("rule").get("expr").get(0).get("vmap").get("key").get("numgen")).put("mod", 3);
                        }
                    }
                })),
                Arguments.of(Finding.Kind.MALFORMED_DNAT, "tel/sig:sctp", null,
                        (UnaryOperator<String>) s -> s.replace("\"dnat\": {\"addr\": \"10.244.3.3\", \"port\": 3868}", "\"dnat\": {\"addr\": \"10.244.3.3\", \"port\": 0}")),
                Arguments.of(Finding.Kind.REJECT_WITH_ENDPOINTS, "kube-system/kube-dns:dns", null, edit(items -> {
                    ArrayNode elems = (ArrayNode) map(items, "no-endpoint-services").get("elem");
                    elems.add(elems.get(0).deepCopy());
                    ((ArrayNode) elems.get(elems.size() - 1).get(0).get("elem").get("val").get("concat")).removeAll().add("10.96.0.10").add("udp").add(53);
                })),
                Arguments.of(Finding.Kind.MISSING_REJECT, "ns1/empty:http", null, edit(items -> removeElements(items, "no-endpoint-services", "10.96.0.50"))),
                Arguments.of(Finding.Kind.UNREFERENCED_CHAIN, "endpoint-ZZZZZZZZ-ns1/old/tcp/__10.244.7.7/80", null, edit(items -> items.addObject()
                        .putObject("chain").put("family", "ip").put("table", "kube-proxy").put("name", "endpoint-ZZZZZZZZ-ns1/old/tcp/__10.244.7.7/80")
                        .put("handle", 999))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drift")
    void eachInjectedDriftIsReportedExactlyOnce(Finding.Kind kind, String service, Consumer<Api> apiChange, UnaryOperator<String> edit) {
        Api api = Samples.cluster();
        if (apiChange != null) {
            apiChange.accept(api);
        }
        String json = edit.apply(cluster());
        assertThat(json).isNotEqualTo(apiChange == null ? cluster() : "");
        DataplaneView view = ProxyInspector.nftables(json, api.snapshot()).view();
        assertThat(view.findings()).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(kind);
            assertThat(f.service()).isEqualTo(service);
        });
    }
}
