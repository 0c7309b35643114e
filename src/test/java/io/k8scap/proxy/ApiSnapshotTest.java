package io.k8scap.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which endpoints kube-proxy would program, as the API states them. */
class ApiSnapshotTest {

    private static List<String> used(Api api) {
        return api.snapshot().ports().get(0).clusterEndpoints().stream().map(EndpointSpec::endpoint).toList();
    }

    @Test
    void readyEndpointsWinAndConditionsDefaultToReady() {
        Api api = new Api().service("ns", "a", "10.96.1.1", "http:80/TCP=8080");
        api.slice("ns", "a", "a-1", List.of(Api.ready("10.1.0.2"), Api.endpoint("10.1.0.3", false, true, true, "n"),
                Api.endpoint("10.1.0.4", false, false, false, "n"), new EndpointBuilder().withAddresses("10.1.0.1").build()));
        assertThat(used(api)).containsExactly("10.1.0.1:8080", "10.1.0.2:8080");
        assertThat(api.snapshot().ports().get(0).allEndpoints()).hasSize(4);
    }

    @Test
    void withoutReadyEndpointsServingTerminatingOnesAreUsed() {
        Api api = new Api().service("ns", "a", "10.96.1.1", "http:80/TCP=8080");
        api.slice("ns", "a", "a-1", List.of(Api.endpoint("10.1.0.3", false, true, true, "n"), Api.endpoint("10.1.0.4", false, false, true, "n"),
                Api.endpoint("10.1.0.5", false, true, false, "n")));
        assertThat(used(api)).containsExactly("10.1.0.3:8080");
    }

    @Test
    void slicePortsAreMatchedByNameAndProtocol() {
        Api api = new Api().service("ns", "a", "10.96.1.1", "http:80/TCP=8080", "dns:53/UDP=53");
        api.slices.add(new EndpointSliceBuilder().withNewMetadata().withNamespace("ns").withName("a-x").addToLabels("kubernetes.io/service-name", "a")
                .endMetadata().withAddressType("IPv4")
                .withPorts(new EndpointPortBuilder().withName("http").withProtocol("TCP").withPort(9090).build(),
                        new EndpointPortBuilder().withName("dns").withProtocol("TCP").withPort(5353).build())
                .withEndpoints(Api.ready("10.1.0.9")).build());
        List<ServicePortSpec> ports = api.snapshot().ports();
        assertThat(ports.get(0).clusterEndpoints()).extracting(EndpointSpec::endpoint).containsExactly("10.1.0.9:9090");
        assertThat(ports.get(1).clusterEndpoints()).as("dns/UDP has no matching slice port (only dns/TCP)").isEmpty();
    }

    @Test
    void duplicateEndpointsAcrossSlicesCountOnce() {
        Api api = new Api().service("ns", "a", "10.96.1.1", "http:80/TCP=8080");
        api.endpoints("ns", "a", "10.1.0.2").endpoints("ns", "a", "10.1.0.2", "10.1.0.10");
        assertThat(used(api)).containsExactly("10.1.0.10:8080", "10.1.0.2:8080");
    }

    @Test
    void familyHeadlessExternalNameAndOtherNamespaces() {
        Api api = new Api().service("ns", "v4", "10.96.1.1", "http:80/TCP=8080").service("ns", "v6", "fd00::1", "http:80/TCP=8080")
                .service("ns", "headless", "None", "http:80/TCP=8080");
        api.service("ns", "ext", "", List.of(Api.port("http:80/TCP=80")), b -> b.editSpec().withType("ExternalName").withExternalName("example.org")
                .withClusterIP(null).withClusterIPs(List.of()).endSpec());
        api.endpoints("ns", "v4", "10.1.0.2").endpoints("ns", "v6", "fd00:10::2");
        api.service("other", "v4", "10.96.1.2", "http:80/TCP=8080");
        assertThat(api.snapshot().ports()).extracting(ServicePortSpec::spn).containsExactly("ns/v4:http", "other/v4:http");
        assertThat(api.snapshot().ports().get(1).clusterEndpoints()).as("slices of ns/v4 are not other/v4's").isEmpty();
        ApiSnapshot v6 = api.snapshot(IpFamily.IPV6);
        assertThat(v6.ports()).extracting(ServicePortSpec::spn).containsExactly("ns/v6:http");
        assertThat(v6.ports().get(0).clusterEndpoints()).extracting(EndpointSpec::endpoint).containsExactly("[fd00:10::2]:8080");
    }

    @Test
    void localEndpointsAreThoseOnTheInspectedNode() {
        ServicePortSpec local = Samples.cluster().snapshot().find("ns1", "local", null).get(0);
        assertThat(local.internalTrafficLocal()).isTrue();
        assertThat(local.usesClusterChain()).isFalse();
        assertThat(local.localEndpoints()).extracting(EndpointSpec::nodeName).containsOnly("node-1");
        assertThat(Samples.cluster().snapshot().find("kube-system", "kube-dns", "53")).hasSize(2);
    }
}
