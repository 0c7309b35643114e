package io.k8scap.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LeanReadsTest {
    private final KubernetesSerialization lean = new KubernetesSerialization(LeanReads.mapper(), true);
    private final KubernetesSerialization full = new KubernetesSerialization();

    private static String sample(String name) throws IOException {
        try (InputStream in = LeanReadsTest.class.getResourceAsStream("/io/k8scap/startup/samples/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void whatK8scapReadsFromAPodAndANodeIsAllThere() throws Exception {
        Pod a = lean.unmarshal(sample("pod.json"), Pod.class);
        Pod b = full.unmarshal(sample("pod.json"), Pod.class);
        assertThat(a.getMetadata().getName()).isEqualTo(b.getMetadata().getName());
        assertThat(a.getMetadata().getUid()).isEqualTo(b.getMetadata().getUid());
        assertThat(a.getMetadata().getLabels()).isEqualTo(b.getMetadata().getLabels()).isNotEmpty();
        assertThat(a.getMetadata().getOwnerReferences()).isEqualTo(b.getMetadata().getOwnerReferences()).isNotEmpty();
        assertThat(a.getSpec().getNodeName()).isEqualTo(b.getSpec().getNodeName()).isNotBlank();
        assertThat(a.getSpec().getHostNetwork()).isEqualTo(b.getSpec().getHostNetwork());
        assertThat(a.getSpec().getContainers()).extracting("name", "image", "command", "args", "ports")
                .isEqualTo(b.getSpec().getContainers().stream().map(c -> org.assertj.core.groups.Tuple.tuple(
                        c.getName(), c.getImage(), c.getCommand(), c.getArgs(), c.getPorts())).toList());
        assertThat(a.getStatus().getContainerStatuses()).extracting("name", "containerID", "state", "ready")
                .isEqualTo(b.getStatus().getContainerStatuses().stream().map(c -> org.assertj.core.groups.Tuple.tuple(
                        c.getName(), c.getContainerID(), c.getState(), c.getReady())).toList());
        assertThat(a.getStatus().getPhase()).isEqualTo(b.getStatus().getPhase());
        assertThat(a.getStatus().getPodIP()).isEqualTo(b.getStatus().getPodIP());
        assertThat(a.getStatus().getHostIP()).isEqualTo(b.getStatus().getHostIP());
        assertThat(a.getStatus().getConditions()).isEqualTo(b.getStatus().getConditions());

        Node n = lean.unmarshal(sample("node.json"), Node.class);
        Node m = full.unmarshal(sample("node.json"), Node.class);
        assertThat(n.getStatus().getAddresses()).isEqualTo(m.getStatus().getAddresses()).isNotEmpty();
        assertThat(n.getStatus().getConditions()).isEqualTo(m.getStatus().getConditions());
        assertThat(n.getMetadata().getName()).isEqualTo(m.getMetadata().getName());
    }

    @Test
    void whatK8scapNeverReadsIsSkippedAndNotKeptAsUnknownFields() throws Exception {
        Pod full = this.full.unmarshal(sample("pod.json"), Pod.class);
        assertThat(full.getSpec().getVolumes()).as("the sample has volumes, so skipping them is tested").isNotEmpty();
        Pod a = lean.unmarshal(sample("pod.json"), Pod.class);
        assertThat(a.getSpec().getVolumes()).isEmpty();
        assertThat(a.getSpec().getAdditionalProperties()).doesNotContainKey("volumes");
        assertThat(a.getSpec().getContainers()).allSatisfy(c -> {
            assertThat(c.getVolumeMounts()).isEmpty();
            assertThat(c.getAdditionalProperties()).isEmpty();
        });
    }

    @Test
    void writingAPodKeepsEverything() {
        // a helper pod: privileged, host volumes, tolerations, env — all must reach the API server
        Pod helper = new PodBuilder().withNewMetadata().withName("k8scap-helper").endMetadata()
                .withNewSpec().withNodeName("n1").withHostPID(true)
                .addNewToleration().withOperator("Exists").endToleration()
                .addNewVolume().withName("host").withNewHostPath().withPath("/").endHostPath().endVolume()
                .addNewContainer().withName("c").withImage("busybox")
                .withNewSecurityContext().withPrivileged(true).endSecurityContext()
                .addNewEnv().withName("A").withValue("1").endEnv()
                .addNewVolumeMount().withName("host").withMountPath("/host").endVolumeMount()
                .endContainer().endSpec().build();
        assertThat(lean.asJson(helper)).isEqualTo(full.asJson(helper))
                .contains("\"privileged\":true").contains("\"hostPath\"").contains("\"tolerations\"").contains("\"env\"");
    }
}
