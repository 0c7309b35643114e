package io.k8scap.node.pod;

import io.k8scap.node.PodAccessSettings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import io.k8scap.node.NodeTarget;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(60)
class HelperPodsTest {
    static final String NS = "diag";
    HelperPodMock mock;
    List<String> notices = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        if (mock != null) {
            mock.close();
        }
    }

    HelperPods pods() {
        return new HelperPods(mock.client, notices::add, Duration.ofMillis(20));
    }

    @Test
    void theSpecIsPinnedPrivilegedHostNamespacedToleratedAndDeadlined() {
        var settings = new PodAccessSettings("registry.example/netshoot:v0.13", null, Duration.ofMinutes(10), null, null);
        Instant now = Instant.parse("2026-03-01T10:00:00.123Z");
        Pod p = HelperPods.spec(NS, "ip-10-0-1-23.eu-west-1.compute.internal", "abc123", settings, now);

        assertThat(p.getMetadata().getNamespace()).isEqualTo(NS);
        assertThat(p.getMetadata().getName()).matches("k8scap-helper-ip-10-0-1-23-eu-west-1-compute-internal-[a-z0-9]{6}").hasSizeLessThanOrEqualTo(63);
        assertThat(p.getMetadata().getLabels()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "app.kubernetes.io/managed-by", "k8scap", "app.kubernetes.io/component", "node-helper",
                "k8scap.io/session", "abc123", "k8scap.io/node", "ip-10-0-1-23.eu-west-1.compute.internal"));
        assertThat(p.getMetadata().getAnnotations()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "k8scap.io/node", "ip-10-0-1-23.eu-west-1.compute.internal",
                "k8scap.io/created", "2026-03-01T10:00:00Z",
                "k8scap.io/deadline", "2026-03-01T10:15:00Z")); // 10 min + 5 min grace

        var spec = p.getSpec();
        assertThat(spec.getNodeName()).isEqualTo("ip-10-0-1-23.eu-west-1.compute.internal");
        assertThat(spec.getHostPID()).isTrue();
        assertThat(spec.getHostNetwork()).isTrue();
        assertThat(spec.getRestartPolicy()).isEqualTo("Never");
        assertThat(spec.getActiveDeadlineSeconds()).isEqualTo(900L);
        assertThat(spec.getTerminationGracePeriodSeconds()).isEqualTo(1L);
        assertThat(spec.getAutomountServiceAccountToken()).isFalse();
        assertThat(spec.getTolerations()).singleElement().satisfies(t -> {
            assertThat(t.getOperator()).isEqualTo("Exists");
            assertThat(t.getKey()).isNull();
            assertThat(t.getEffect()).isNull(); // every key, every effect
        });
        Container c = spec.getContainers().get(0);
        assertThat(spec.getContainers()).hasSize(1);
        assertThat(c.getName()).isEqualTo("helper");
        assertThat(c.getImage()).isEqualTo("registry.example/netshoot:v0.13");
        assertThat(c.getCommand()).containsExactly("sleep", "900");
        assertThat(c.getSecurityContext().getPrivileged()).isTrue();
        assertThat(c.getResources().getRequests()).containsEntry("cpu", new Quantity("10m")).containsEntry("memory", new Quantity("32Mi"));
        assertThat(c.getResources().getLimits()).isNullOrEmpty();
    }

    @Test
    void defaultsAreNetshootAndOneHourPlusGrace() {
        Pod p = HelperPods.spec(NS, "n", "s", PodAccessSettings.defaults(), Instant.now());
        assertThat(p.getSpec().getContainers().get(0).getImage()).isEqualTo("nicolaka/netshoot:v0.13");
        assertThat(p.getSpec().getActiveDeadlineSeconds()).isEqualTo(3600L + 300L);
    }

    @ParameterizedTest
    @CsvSource({
        "node-a, node-a",
        // cut at 63 characters, then the trailing dash is dropped
        "Node_A.example, Node_A.example",
        "'a-very-long-node-name-that-goes-on-and-on-and-on-well-past-the-limit-of-63', a-very-long-node-name-that-goes-on-and-on-and-on-well-past-the",
        "'-x-', x"})
    void labelValuesAreValid(String in, String out) {
        assertThat(HelperPods.labelValue(in)).isEqualTo(out).matches("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]").hasSizeLessThanOrEqualTo(63);
    }

    @Test
    void startWaitsForRunningAndRegistersThePodUntilDeleted() {
        mock = new HelperPodMock().kubelet(HelperPodMock::running);
        HelperPods pods = pods();
        HelperPod h = pods.start(NS, "node-a", "s1", PodAccessSettings.defaults());
        Pod live = mock.client.pods().inNamespace(NS).withName(h.name()).get();
        assertThat(live.getStatus().getPhase()).isEqualTo("Running");
        assertThat(Reaper.live()).contains(h);
        pods.delete(h);
        assertThat(mock.helperPods()).isEmpty();
        assertThat(Reaper.live()).doesNotContain(h);
    }

    @Test
    void anImagePullFailureIsOneLineWithTheKubeletsMessageAtOnceAndThePodIsRemoved() {
        mock = new HelperPodMock().kubelet(p -> new PodStatusBuilder().withPhase("Pending")
                .addNewContainerStatus().withName("helper").withNewState().withNewWaiting().withReason("ErrImagePull")
                .withMessage("rpc error: code = Unknown desc = failed to pull and unpack image \"docker.io/nicolaka/netshoot:v0.13\": dial tcp: lookup registry-1.docker.io: no such host")
                .endWaiting().endState().endContainerStatus().build());
        var settings = new PodAccessSettings(null, null, null, Duration.ofSeconds(30), null);
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> pods().start(NS, "node-a", "s1", settings))
                .isInstanceOfSatisfying(K8sCapException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.UNAVAILABLE);
                    assertThat(e.getMessage()).doesNotContain("\n")
                            .startsWith("helper pod diag/k8scap-helper-node-a-")
                            .contains("on node node-a cannot start: ErrImagePull: rpc error", "no such host",
                                    "cannot pull nicolaka/netshoot:v0.13", "--helper-image");
                });
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10)); // not the 30 s timeout
        assertThat(mock.helperPods()).isEmpty();
    }

    @Test
    void aPodThatNeverStartsTimesOutWithItsLastReasonAndIsRemoved() {
        mock = new HelperPodMock(); // no kubelet: the pod stays without status
        var settings = new PodAccessSettings(null, null, null, Duration.ofSeconds(1), null);
        assertThatThrownBy(() -> pods().start(NS, "node-a", "s1", settings))
                .isInstanceOfSatisfying(K8sCapException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.UNAVAILABLE);
                    assertThat(e.getMessage()).contains("is not Running after 1 s (no status yet)", "kubectl -n diag describe pod k8scap-helper-node-a-");
                });
        assertThat(mock.helperPods()).isEmpty();
    }

    @Test
    void theShutdownHookPathDeletesLivePods() {
        mock = new HelperPodMock().kubelet(HelperPodMock::running);
        HelperPod h = pods().start(NS, "node-a", "s1", PodAccessSettings.defaults());
        assertThat(mock.helperPods()).hasSize(1);
        Reaper.reap(); // what the JVM shutdown hook runs on Ctrl+C / SIGTERM
        assertThat(mock.helperPods()).isEmpty();
        assertThat(Reaper.live()).doesNotContain(h);
    }

    @Test
    void anInterruptedThreadStillDeletesThePodAndKeepsItsInterrupt() {
        mock = new HelperPodMock().kubelet(HelperPodMock::running);
        HelperPods pods = pods();
        HelperPod h = pods.start(NS, "node-a", "s1", PodAccessSettings.defaults());
        assertThat(mock.helperPods()).hasSize(1);
        Thread.currentThread().interrupt(); // how a session ended early reaches its cleanup
        try {
            pods.delete(h);
            assertThat(Thread.currentThread().isInterrupted()).as("interrupt kept for the caller").isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(mock.helperPods()).isEmpty();
        assertThat(notices).noneMatch(n -> n.contains("could not delete"));
    }

    @Test
    void closingASessionAfterAFailedCommandDeletesThePod() {
        mock = new HelperPodMock().namespace(NS, null).kubelet(HelperPodMock::running);
        mock.exec = (argv, st) -> st.exit(1);
        var connector = new HelperPodConnector(mock.client, PodAccessSettings.defaults(), pods(), "s1");
        try (PodNodeSession s = connector.open(new NodeTarget("node-a", null), NS)) {
            assertThat(s.exec("false", null, null, null)).isEqualTo(1);
            throw new IllegalStateException("the command's caller fails");
        } catch (IllegalStateException expected) {
            // the try-with-resources closed the session on the way out
        }
        assertThat(mock.helperPods()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "Pending, no container status yet                       | Pending |                  |                                   | WAITING | phase Pending",
        "ContainerCreating                                      | Pending | ContainerCreating |                                   | WAITING | ContainerCreating",
        "ImagePullBackOff                                       | Pending | ImagePullBackOff  | Back-off pulling image \"x\"      | FAILED  | ImagePullBackOff: Back-off pulling image \"x\"",
        "CreateContainerConfigError                             | Pending | CreateContainerConfigError | secret \"s\" not found  | FAILED  | CreateContainerConfigError: secret \"s\" not found",
        "Failed (OutOfcpu: kubelet rejected it)                 | Failed  |                  |                                   | FAILED  | phase Failed (OutOfcpu): Node didn't have enough resource: cpu"})
    void startStatesFromRealStatuses(String name, String phase, String waiting, String message, String state, String reason) {
        var b = new PodStatusBuilder().withPhase(phase);
        if ("Failed".equals(phase)) {
            b.withReason("OutOfcpu").withMessage("Node didn't have enough resource: cpu, requested: 10, used: 3990, capacity: 4000"
                    .substring(0, "Node didn't have enough resource: cpu".length()));
        }
        if (waiting != null) {
            b.addNewContainerStatus().withName("helper").withNewState().withNewWaiting().withReason(waiting).withMessage(message)
                    .endWaiting().endState().endContainerStatus();
        }
        Pod p = new PodBuilder().withNewMetadata().withName("x").endMetadata().withStatus(b.build()).build();
        HelperPods.Start s = HelperPods.check(p);
        assertThat(s.state()).hasToString(state);
        assertThat(s.reason()).isEqualTo(reason);
    }

    @Test
    void unschedulableIsFatal() {
        Pod p = new PodBuilder().withNewMetadata().withName("x").endMetadata().withNewStatus().withPhase("Pending")
                .addNewCondition().withType("PodScheduled").withStatus("False").withReason("Unschedulable")
                .withMessage("0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.").endCondition()
                .endStatus().build();
        assertThat(HelperPods.check(p)).isEqualTo(new HelperPods.Start(HelperPods.State.FAILED,
                "Unschedulable: 0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector."));
    }

    @Test
    void withoutAnnotationsTheDeadlineIsCreationPlusActiveDeadline() {
        Pod p = new PodBuilder().withNewMetadata().withName("k8scap-helper-x-abcdef").withNamespace(NS)
                .withCreationTimestamp("2026-03-01T10:00:00Z").addToLabels(HelperPods.SESSION_LABEL, "s9").endMetadata()
                .withNewSpec().withNodeName("node-x").withActiveDeadlineSeconds(600L).endSpec().build();
        HelperPod h = HelperPods.describe(p);
        assertThat(h).isEqualTo(new HelperPod(NS, "k8scap-helper-x-abcdef", "node-x", "s9",
                Instant.parse("2026-03-01T10:00:00Z"), Instant.parse("2026-03-01T10:10:00Z")));
        assertThat(HelperPodGc.isStale(h, "Running", Instant.parse("2026-03-01T10:09:59Z"))).isFalse();
        assertThat(HelperPodGc.isStale(h, "Running", Instant.parse("2026-03-01T10:10:00Z"))).isTrue();
        assertThat(HelperPodGc.isStale(h, "Failed", Instant.parse("2026-03-01T10:01:00Z"))).isTrue();
    }
}
