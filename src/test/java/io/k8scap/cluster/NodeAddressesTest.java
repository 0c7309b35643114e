package io.k8scap.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@EnableKubernetesMockClient(crud = true)
class NodeAddressesTest {
    KubernetesClient client;
    KubernetesMockServer server;
    NodeAddresses addresses;

    @BeforeEach
    void nodes() {
        client.resource(new NodeBuilder().withNewMetadata().withName("node-1").endMetadata()
                .withNewStatus()
                .addNewAddress().withType("InternalIP").withAddress("10.0.0.11").endAddress()
                .addNewAddress().withType("ExternalIP").withAddress("203.0.113.11").endAddress()
                .addNewAddress().withType("Hostname").withAddress("node-1.internal").endAddress()
                .endStatus().build()).create();
        client.resource(new NodeBuilder().withNewMetadata().withName("node-2").endMetadata()
                .withNewStatus()
                .addNewAddress().withType("InternalIP").withAddress("10.0.0.12").endAddress()
                .addNewAddress().withType("Hostname").withAddress("node-2").endAddress()
                .endStatus().build()).create();
        addresses = new NodeAddresses(client);
    }

    @ParameterizedTest
    @CsvSource({
        "INTERNAL, 10.0.0.11",
        "EXTERNAL, 203.0.113.11",
        "HOSTNAME, node-1.internal",
        "NAME, node-1",
    })
    void eachAddressType(NodeAddressType type, String expected) {
        assertThat(addresses.address("node-1", type)).isEqualTo(expected);
    }

    @Test
    void missingAddressTypeListsWhatTheNodeHasAndWhatToTry() {
        K8sCapException e = catchThrowableOfType(K8sCapException.class,
                () -> addresses.address("node-2", NodeAddressType.EXTERNAL));
        assertThat(e.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(e.getMessage()).isEqualTo("node node-2 has no ExternalIP address (it has: InternalIP 10.0.0.12,"
                + " Hostname node-2); try --node-address internal or --node-address hostname or --node-address name");
    }

    @Test
    void missingNode() {
        K8sCapException e = catchThrowableOfType(K8sCapException.class,
                () -> addresses.address("node-9", NodeAddressType.INTERNAL));
        assertThat(e.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(e.getMessage()).isEqualTo("node node-9 not found; it may have left the cluster (kubectl get nodes)");
    }

    @Test
    void eachNodeIsFetchedOnceForManyPods() {
        int before = server.getRequestCount();
        assertThat(addresses.addresses(List.of("node-1", "node-2", "node-1", "node-2", "node-1"), NodeAddressType.INTERNAL))
                .containsExactly(java.util.Map.entry("node-1", "10.0.0.11"), java.util.Map.entry("node-2", "10.0.0.12"));
        assertThat(addresses.address("node-1", NodeAddressType.HOSTNAME)).isEqualTo("node-1.internal");
        assertThat(server.getRequestCount() - before).isEqualTo(2);
    }

    @Test
    void nameNeedsNoApiCallSoNoRbacOnNodes() {
        int before = server.getRequestCount();
        assertThat(addresses.address("whatever-node", NodeAddressType.NAME)).isEqualTo("whatever-node");
        assertThat(server.getRequestCount()).isEqualTo(before);
    }

    @Test
    void forbiddenNodeGetSuggestsNodeAddressName() {
        server.expect().get().withPath("/api/v1/nodes/node-1")
                .andReturn(403, new StatusBuilder().withCode(403).withMessage("nodes \"node-1\" is forbidden").build()).always();
        K8sCapException e = catchThrowableOfType(K8sCapException.class,
                () -> addresses.address("node-1", NodeAddressType.INTERNAL));
        assertThat(e.exitCode()).isEqualTo(ExitCode.DENIED);
        assertThat(e.getMessage()).isEqualTo("not allowed to get nodes/node-1 (403 Forbidden: nodes \"node-1\" is forbidden);"
                + " check your RBAC: kubectl auth can-i get nodes/node-1 (or skip the lookup with --node-address name)");
    }
}
