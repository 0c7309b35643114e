package io.k8scap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8scap.lab.MockCluster;
import io.k8scap.node.pod.HelperPods;
import io.k8scap.node.PodAccessSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code k8scap gc} in-process against the mock API server (CRUD mode), as a user runs it. */
class GcCommandTest {
    static final String NS = "shop";

    @TempDir
    Path dir;
    MockCluster mock;
    KubernetesClient k;
    Path kubeconfig;
    final Instant now = Instant.now();

    @BeforeEach
    void start() throws IOException {
        mock = MockCluster.start();
        k = mock.client();
        kubeconfig = mock.writeKubeconfig(dir, NS);
        // Made by HelperPods.spec, as k8scap makes them, at different times.
        helper(NS, "node-old", now.minus(Duration.ofHours(3)), Duration.ofHours(1), "Running");       // deadline passed 1h55m ago
        helper(NS, "node-young", now.minus(Duration.ofMinutes(2)), Duration.ofHours(1), "Running");   // in use by a running k8scap
        helper(NS, "node-ended", now.minus(Duration.ofMinutes(30)), Duration.ofHours(1), "Failed");   // killed early, object left
        helper("other", "node-other", now.minus(Duration.ofDays(2)), Duration.ofHours(1), "Running");
        // Not helper pods: no labels at all, and another k8scap component (e.g. a debug agent).
        foreign(NS, "web-0", null);
        foreign(NS, "k8scap-agent-x", "app.kubernetes.io/managed-by");
    }

    @AfterEach
    void stop() {
        mock.close();
    }

    private void helper(String ns, String node, Instant created, Duration lifetime, String phase) {
        Pod p = HelperPods.spec(ns, node, "sess-" + node, PodAccessSettings.defaults().withLifetime(lifetime), created);
        p = new PodBuilder(p).withNewStatus().withPhase(phase).endStatus().build();
        k.pods().inNamespace(ns).resource(p).create();
    }

    private void foreign(String ns, String name, String managedByLabel) {
        var b = new PodBuilder().withNewMetadata().withName(name).withNamespace(ns)
                .addToAnnotations(HelperPods.DEADLINE_ANNOTATION, "2000-01-01T00:00:00Z").endMetadata()
                .withNewSpec().withNodeName("node-x").addNewContainer().withName("c").withImage("busybox").endContainer().endSpec();
        if (managedByLabel != null) {
            b.editMetadata().addToLabels(managedByLabel, "k8scap").addToLabels(HelperPods.COMPONENT, "debug-agent").endMetadata();
        }
        k.pods().inNamespace(ns).resource(b.build()).create();
    }

    private List<String> podsIn(String ns) {
        return k.pods().inNamespace(ns).list().getItems().stream().map(p -> p.getMetadata().getAnnotations() == null
                ? p.getMetadata().getName()
                : p.getMetadata().getAnnotations().getOrDefault(HelperPods.NODE_ANNOTATION, p.getMetadata().getName())).sorted().toList();
    }

    @Test
    void dryRunListsTheStaleHelperPodsAndDeletesNothing() {
        var r = CliRunner.run("gc", "--dry-run", "--kubeconfig", kubeconfig.toString()).assertExit(0);
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).matches("NAMESPACE +NAME +NODE +AGE +DEADLINE");
        assertThat(lines).hasSize(3);
        assertThat(lines.get(1)).matches("shop +k8scap-helper-node-old-\\w{6} +node-old +3h +\\S+Z");   // oldest first
        assertThat(lines.get(2)).matches("shop +k8scap-helper-node-ended-\\w{6} +node-ended +30m +\\S+Z");
        assertThat(r.err()).isEqualTo("dry run: 2 helper pods would be deleted; run without --dry-run to delete\n");
        assertThat(podsIn(NS)).containsExactly("k8scap-agent-x", "node-ended", "node-old", "node-young", "web-0");
    }

    @Test
    void gcDeletesOnlyStaleHelperPodsOfTheNamespace() {
        var r = CliRunner.run("gc", "--kubeconfig", kubeconfig.toString()).assertExit(0);
        assertThat(r.out()).contains("node-old", "node-ended").doesNotContain("node-young", "web-0", "k8scap-agent-x", "node-other");
        assertThat(r.err()).isEqualTo("deleted 2 helper pods\n");
        assertThat(podsIn(NS)).containsExactly("k8scap-agent-x", "node-young", "web-0");
        assertThat(podsIn("other")).containsExactly("node-other");

        var again = CliRunner.run("gc", "--kubeconfig", kubeconfig.toString()).assertExit(0);
        assertThat(again.out()).isEmpty();
        assertThat(again.err()).isEqualTo("no helper pods past their deadline in namespace shop\n");
    }

    @Test
    void allNamespacesReachesTheOthers() {
        var r = CliRunner.run("gc", "-A", "-o", "json", "--kubeconfig", kubeconfig.toString()).assertExit(0);
        assertThat(r.out()).contains("\"node\" : \"node-other\"", "\"namespace\" : \"other\"", "\"deadline\"");
        assertThat(podsIn("other")).isEmpty();
        assertThat(podsIn(NS)).containsExactly("k8scap-agent-x", "node-young", "web-0");
    }

    @Test
    void dashAWithDashNIsAUsageError() {
        CliRunner.run("gc", "-A", "-n", "x", "--kubeconfig", kubeconfig.toString()).assertExit(2);
    }

    @Test
    void anUnreachableApiServerIsOneLineExit6() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Path kc = Files.writeString(dir.resolve("kc-dead"), Files.readString(kubeconfig).replace(mock.url(), "http://127.0.0.1:" + closed));
        var r = CliRunner.run("gc", "--kubeconfig", kc.toString()).assertExit(6);
        assertThat(r.err()).startsWith("error: cannot reach the API server").contains("list pods -n shop").doesNotContain("\tat ");
        assertThat(r.err().lines()).hasSize(1);
    }
}
