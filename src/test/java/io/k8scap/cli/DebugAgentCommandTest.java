package io.k8scap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.k8scap.node.ContainerRef;
import io.k8scap.node.pod.HelperPodMock;
import io.k8scap.node.pod.HelperPods;
import io.k8scap.node.PodAccessSettings;
import io.k8scap.node.pod.PodNodeSession;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code k8scap debug --via agent -- CMD} as a user runs it, in-process against the helper-pod mock
 * API server, for what goes wrong before the command runs: the helper pod's image cannot be pulled
 * (the kubelet's waiting reason in the pod status), the helper never runs ({@code --timeout}), and
 * the size of the exec requests whatever the command's length. The helper pod must be gone after
 * each. (The real node side — locate, debug.sh, nsenter — is DebugAgentLabTest's.)
 */
@Timeout(60)
class DebugAgentCommandTest {
    static final String NS = "lab";
    static final String POD = "web";
    static final String NODE = "node-1";
    /** The docker container of the locate recording, and the PID it was found at. */
    static final ContainerRef DOCKER = ContainerRef.parse("docker://bb25783f732254e27b4080780620df66e62b5fd25db0ade7844b327c231845ac");
    static final String IMAGE = "registry.example/tools/netshoot:v0.13";

    @TempDir
    Path dir;

    HelperPodMock mock;
    Path kubeconfig;

    @BeforeEach
    void start() throws IOException {
        mock = new HelperPodMock().namespace(NS, null);
        Pod pod = new PodBuilder().withNewMetadata().withName(POD).withNamespace(NS).endMetadata()
                .withNewSpec().withNodeName(NODE).addNewContainer().withName("app").withImage("busybox").endContainer().endSpec().build();
        mock.client().pods().inNamespace(NS).resource(pod).create();
        pod.setStatus(new PodStatusBuilder().withPhase("Running").withPodIP("10.1.2.3")
                .addNewContainerStatus().withName("app").withContainerID(DOCKER.spec()).withReady(true)
                .withNewState().withNewRunning().endRunning().endState().endContainerStatus().build());
        mock.client().pods().inNamespace(NS).resource(pod).updateStatus();
        kubeconfig = mock.writeKubeconfig(dir, NS);
    }

    @AfterEach
    void stop() {
        mock.close();
    }

    private CliRunner.Result debug(String... args) {
        List<String> all = new ArrayList<>(List.of("debug", POD, "--via", "agent", "--kubeconfig", kubeconfig.toString()));
        all.addAll(List.of(args));
        return CliRunner.run(all.toArray(String[]::new));
    }

    private static String errorLine(CliRunner.Result r) {
        List<String> errors = r.err().lines().filter(l -> l.startsWith("error:")).toList();
        assertThat(errors).as(r.err()).hasSize(1);
        return errors.get(0);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "ErrImagePull     | rpc error: code = NotFound desc = failed to pull and unpack image \"" + IMAGE + "\": not found",
        "ImagePullBackOff | Back-off pulling image \"" + IMAGE + "\"",
        "InvalidImageName | Failed to apply default image tag \"" + IMAGE + "\": invalid reference format"})
    void anImagePullFailureIsOneLineWithTheReasonAtOnceAndTheHelperIsDeleted(String reason, String message) {
        mock.kubelet(p -> new PodStatusBuilder().withPhase("Pending")
                .addNewContainerStatus().withName(HelperPods.CONTAINER).withImage(IMAGE)
                .withNewState().withNewWaiting().withReason(reason).withMessage(message).endWaiting().endState().endContainerStatus().build());
        long t0 = System.nanoTime();
        var r = debug("--image", IMAGE, "--timeout", "50s", "--", "ip", "addr").assertExit(6);
        Duration took = Duration.ofNanos(System.nanoTime() - t0);

        assertThat(errorLine(r)).startsWith("error: helper pod " + NS + "/k8scap-helper-" + NODE + "-")
                .contains(" on node " + NODE + " cannot start: " + reason + ": " + message)
                .endsWith("; the node cannot pull " + IMAGE + ": pass --helper-image with an image it can pull (e.g. a mirror in your registry)");
        assertThat(r.err()).as("said before creating it").contains("creating helper pod k8scap-helper-" + NODE + "-… (" + IMAGE);
        assertThat(r.out()).isEmpty();
        assertThat(took).as("fails on the first status that shows the reason, not after --timeout").isLessThan(Duration.ofSeconds(10));
        assertThat(mock.seenHelperPods()).singleElement().satisfies(p -> {
            assertThat(p.getSpec().getContainers().get(0).getImage()).isEqualTo(IMAGE);
            assertThat(p.getSpec().getNodeName()).isEqualTo(NODE);
        });
        assertThat(mock.execQueries).as("nothing was exec'd").isEmpty();
        assertThat(mock.helperPods()).as("helper pod deleted").isEmpty();
    }

    @Test
    void aHelperThatNeverRunsStopsAtTheTimeoutWithItsLastStateAndIsDeleted() {
        // ContainerCreating can last (slow pull, volume mounts): not a reason to give up, only the timeout is
        mock.kubelet(p -> new PodStatusBuilder().withPhase("Pending")
                .addNewContainerStatus().withName(HelperPods.CONTAINER).withImage(IMAGE)
                .withNewState().withNewWaiting().withReason("ContainerCreating").endWaiting().endState().endContainerStatus().build());
        long t0 = System.nanoTime();
        var r = debug("--image", IMAGE, "--timeout", "2s", "--", "true").assertExit(6);
        Duration took = Duration.ofNanos(System.nanoTime() - t0);

        assertThat(errorLine(r)).startsWith("error: helper pod " + NS + "/k8scap-helper-" + NODE + "-")
                .contains(" on node " + NODE + " is not Running after 2 s (ContainerCreating); check kubectl -n " + NS + " describe pod k8scap-helper-" + NODE + "-")
                .endsWith(", or use --via node (SSH to the node)"); // not capture's --via ssh: debug has no such option
        assertThat(took).as("waited for --timeout, and not much longer").isBetween(Duration.ofSeconds(2), Duration.ofSeconds(8));
        assertThat(mock.seenHelperPods()).hasSize(1);
        assertThat(mock.execQueries).isEmpty();
        assertThat(mock.helperPods()).as("helper pod deleted").isEmpty();
    }

    @Test
    void aHelperWithoutAnyStatusAlsoStopsAtTheTimeout() {
        // no kubelet at all: the pod is never scheduled or started
        long t0 = System.nanoTime();
        var r = debug("--timeout", "1s", "--", "true").assertExit(6);
        assertThat(errorLine(r)).contains("is not Running after 1 s (no status yet)");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(7));
        assertThat(mock.helperPods()).isEmpty();
    }

    /**
     * The command travels on the exec's stdin (PodNodeSession's length-prefixed header), not in the
     * URL: a 30 KB command line leaves both exec requests exactly as they are for a short one, far
     * under the 8 KB request line a proxy in front of the API server accepts (nginx's default
     * large_client_header_buffers), and reaches the helper whole. (30 KB, not more: the header goes
     * out as one websocket frame and the mock server refuses frames over 64 KB; how large a frame a
     * real API server, or a proxy before it, takes is not checked here.)
     */
    @Test
    void aLongCommandTravelsOnStdinSoTheExecUrlsDoNotGrow() throws Exception {
        mock.kubelet(HelperPodMock::running);
        List<String> targets = new ArrayList<>();
        for (String arg : List.of("short", "x".repeat(30_000))) {
            CompletableFuture<String> received = serveLocateThenCommand(arg);
            debug("--", "printf", "%s", arg).assertExit(0);
            assertThat(received.get(10, TimeUnit.SECONDS)).as("the command line on stdin").contains("printf").endsWith(arg);
            assertThat(mock.execTargets).hasSize(targets.size() + 2);
            targets.addAll(mock.execTargets.subList(targets.size(), mock.execTargets.size()));
            assertThat(mock.helperPods()).isEmpty();
        }
        // the helper pod's name differs per run (its random suffix): compare without it
        List<String> lines = targets.stream().map(t -> ("GET " + t + " HTTP/1.1").replaceAll("k8scap-helper-" + NODE + "-[a-z0-9]+", "HELPER")).toList();
        assertThat(lines.get(2)).isEqualTo(lines.get(0));
        assertThat(lines.get(3)).isEqualTo(lines.get(1));
        assertThat(targets).allSatisfy(t -> assertThat(("GET " + t + " HTTP/1.1").length()).isLessThan(1024));
    }

    /** locate's answer (a recording from the lab node) for the first exec; the second reads its command line and exits 0. */
    private CompletableFuture<String> serveLocateThenCommand(String arg) throws IOException {
        String located;
        try (InputStream in = ContainerRef.class.getResourceAsStream("locate-lab-all-pods.txt")) {
            located = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        CompletableFuture<String> received = new CompletableFuture<>();
        mock.onExec((argv, st) -> {
            if (argv.equals(PodNodeSession.argv(PodAccessSettings.Tools.NODE, false))) {
                st.stdout(located);
                st.exit(0);
                return;
            }
            received.complete(st.commandLine());
            st.exit(0);
        });
        return received;
    }
}
