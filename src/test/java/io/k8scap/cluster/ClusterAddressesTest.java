package io.k8scap.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class ClusterAddressesTest {
    KubernetesClient client;

    @BeforeEach
    void objects() {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("lab-node-2").endMetadata()
                .withNewStatus().addNewAddress().withType("InternalIP").withAddress("10.244.90.2").endAddress()
                .addNewAddress().withType("Hostname").withAddress("lab-node-2").endAddress().endStatus().build()).create();
        client.pods().inNamespace("kube-system").resource(new PodBuilder().withNewMetadata().withName("coredns-5d78c9869d-abcde")
                .withNamespace("kube-system").endMetadata().withNewSpec().endSpec()
                .withNewStatus().withPhase("Running").withPodIP("10.244.1.10").addNewPodIP("10.244.1.10").addNewPodIP("fd00:10:244:1::a")
                .endStatus().build()).create();
        client.pods().inNamespace("kube-system").resource(new PodBuilder().withNewMetadata().withName("kube-proxy-x")
                .withNamespace("kube-system").endMetadata().withNewSpec().withHostNetwork(true).endSpec()
                .withNewStatus().withPhase("Running").withPodIP("10.244.90.2").endStatus().build()).create();
        client.services().inNamespace("kube-system").resource(new ServiceBuilder().withNewMetadata().withName("kube-dns")
                .withNamespace("kube-system").endMetadata().withNewSpec().withClusterIP("10.96.0.10").withClusterIPs("10.96.0.10")
                .addNewPort().withName("dns").withProtocol("UDP").withPort(53).endPort().endSpec().build()).create();
        client.services().inNamespace("shop").resource(new ServiceBuilder().withNewMetadata().withName("payments")
                .withNamespace("shop").endMetadata().withNewSpec().withClusterIP("10.96.0.50")
                .addNewPort().withPort(80).endPort().endSpec().build()).create();
        client.discovery().v1().endpointSlices().inNamespace("kube-system").resource(new EndpointSliceBuilder().withNewMetadata()
                .withName("kube-dns-abc").withNamespace("kube-system").addToLabels("kubernetes.io/service-name", "kube-dns").endMetadata()
                .withAddressType("IPv4").addNewEndpoint().withAddresses("10.244.1.10").withNewConditions().withReady(true).endConditions()
                .endEndpoint().addNewPort().withName("dns").withPort(53).withProtocol("UDP").endPort().build()).create();
    }

    @Test
    void podsServicesAndNodesAreNamedFromOneReadOfEach() {
        ClusterAddresses names = ClusterAddresses.read(client);
        assertThat(names.notes()).isEmpty();
        assertThat(names.name("10.96.0.10", 53)).isEqualTo("svc kube-system/kube-dns:53");
        assertThat(names.name("10.96.0.10", 0)).isEqualTo("svc kube-system/kube-dns");
        assertThat(names.name("10.244.1.10", 53)).isEqualTo("kube-system/coredns-5d78c9869d-abcde (backs kube-system/kube-dns:53)");
        assertThat(names.name("10.244.1.10", 8080)).isEqualTo("kube-system/coredns-5d78c9869d-abcde");
        assertThat(names.name("fd00:10:244:1:0:0:0:a", 0)).isEqualTo("kube-system/coredns-5d78c9869d-abcde");
        assertThat(names.name("10.244.90.2", 22)).as("a hostNetwork pod's address is its node's").isEqualTo("node lab-node-2");
        assertThat(names.name("10.1.2.3", 80)).isNull();
        assertThat(names.owner("10.96.0.10").readyEndpoints()).isEqualTo(1);
        assertThat(names.owner("10.96.0.50").readyEndpoints()).as("a Service without EndpointSlices").isZero();
        assertThat(names.hostNames()).containsEntry("10.96.0.10", "kube-system/kube-dns").containsEntry("10.244.90.2", "lab-node-2")
                .containsEntry("10.244.1.10", "kube-system/coredns-5d78c9869d-abcde");
    }
}
