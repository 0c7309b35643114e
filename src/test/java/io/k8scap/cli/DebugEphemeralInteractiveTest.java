package io.k8scap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.k8scap.debug.EphemeralSpec;
import io.k8scap.node.pod.HelperPodMock;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interactive {@code k8scap debug --via ephemeral} as a user at a terminal gets it: k8scap runs in
 * its own JVM on a real pseudo-terminal (pty_drive.py), against the mock API server, which serves
 * the PATCH of pods/ephemeralcontainers and then the attach with scripted websocket frames (a
 * prompt, the echo of {@code exit}, a status) while recording what k8scap sends: the keys (channel
 * 0) and the window sizes (channel 4). Checked: the warning that ephemeral containers cannot be
 * removed is ON THE TERMINAL before the PATCH reaches the server (the server holds the PATCH until
 * the driver has seen the warning), the container asks for stdin and a TTY and keeps the image's
 * own command, the attach asks for a TTY without stderr, resize and Ctrl+C reach the container,
 * the status is k8scap's exit status, and the terminal is back in cooked mode.
 *
 * <p>Tagged lab like the other pseudo-terminal tests (python3, a pty); nothing of the lab's node side is used.
 */
@Tag("lab")
@Timeout(120)
class DebugEphemeralInteractiveTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String NS = "lab";
    static final String POD = "web";
    static final String BASE = "/api/v1/namespaces/" + NS + "/pods/" + POD;

    @TempDir
    Path dir;

    HelperPodMock mock;
    Path kubeconfig;
    Path driver;
    /** Created by the driver once the warning is on the terminal. */
    Path warningShown;
    final AtomicReference<String> patchBody = new AtomicReference<>();
    final AtomicReference<String> debugName = new AtomicReference<>();
    final AtomicBoolean warningBeforePatch = new AtomicBoolean();
    final CompletableFuture<String> typed = new CompletableFuture<>();
    final List<String> sizes = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        mock = new HelperPodMock().namespace(NS, null);
        mock.client().pods().inNamespace(NS).resource(pod()).create();
        mock.client().pods().inNamespace(NS).resource(pod()).updateStatus();
        kubeconfig = mock.writeKubeconfig(dir, NS);
        driver = dir.resolve("pty_drive.py");
        try (InputStream in = DebugEphemeralInteractiveTest.class.getResourceAsStream("/io/k8scap/debug/pty_drive.py")) {
            Files.write(driver, in.readAllBytes());
        }
        warningShown = dir.resolve("warning-shown");
    }

    @AfterEach
    void stop() {
        mock.close();
    }

    /** The pod, its app container running; once the PATCH has come, with the debug container running too. */
    private Pod pod() {
        PodBuilder b = new PodBuilder().withNewMetadata().withName(POD).withNamespace(NS).endMetadata()
                .withNewSpec().withNodeName("node-1").addNewContainer().withName("app").withImage("busybox").endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP("10.1.2.3")
                .addToContainerStatuses(new ContainerStatusBuilder().withName("app").withContainerID("containerd://abc123").withReady(true)
                        .withNewState().withNewRunning().endRunning().endState().build())
                .addNewCondition().withType("Ready").withStatus("True").endCondition()
                .endStatus();
        String name = debugName.get();
        if (name != null) {
            b.editSpec().addNewEphemeralContainer().withName(name).withImage(EphemeralSpec.DEFAULT_IMAGE).withStdin(true).withTty(true)
                    .endEphemeralContainer().endSpec();
            b.editStatus().addToEphemeralContainerStatuses(new ContainerStatusBuilder().withName(name)
                    .withNewState().withNewRunning().endRunning().endState().build()).endStatus();
        }
        return b.build();
    }

    private void serve() {
        mock.expect().patch().withPath(BASE + "/ephemeralcontainers").andReply(200, req -> {
            patchBody.set(req.getBody().readUtf8());
            // hold the PATCH until the terminal shows the warning: if k8scap printed it only after the
            // PATCH, the driver would never see it in time and this stays false
            long end = System.currentTimeMillis() + 10_000;
            while (!Files.exists(warningShown) && System.currentTimeMillis() < end) {
                sleep(20);
            }
            warningBeforePatch.set(Files.exists(warningShown));
            try {
                debugName.set(JSON.readTree(patchBody.get()).at("/spec/ephemeralContainers/0/name").asText());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return pod();
        }).once();
        mock.expect().get().withPath(BASE).andReply(200, req -> pod()).always();
        mock.expect().get().withPath("/api/v1/namespaces/" + NS + "/pods?fieldSelector=metadata.name%3D" + POD)
                .andReply(200, req -> new PodListBuilder().addToItems(pod()).build()).always();
        mock.onExec((argv, st) -> {
            sizes.add(st.resizes.poll(10, TimeUnit.SECONDS));
            st.stdout("netshoot:~# ");
            typed.complete(st.readUntil("exit\r", 20_000));
            sizes.add(st.resizes.poll(10, TimeUnit.SECONDS));
            st.stdout("exit\r\n");
            st.exit(5);
        });
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private JsonNode drive(List<List<Object>> steps) throws Exception {
        List<String> argv = new ArrayList<>(List.of("python3", driver.toString(), JSON.writeValueAsString(steps), "30", "100", "--"));
        argv.addAll(K8sCapProcess.command(List.of("debug", POD, "--kubeconfig", kubeconfig.toString(), "--profile", "netadmin")));
        Process p = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return JSON.readTree(out);
    }

    @Test
    void warnsThenPatchesWithStdinAndTtyThenAttachesTheTerminal() throws Exception {
        serve();
        JsonNode r = drive(List.of(
                List.of("expect", "cannot be removed from a pod", 60),
                List.of("touch", warningShown.toString()),
                List.of("expect", "netshoot:~# ", 30),
                List.of("winsize", 40, 120),
                List.of("sleep", 1),
                List.of("send", "tcpdump -i eth0\r"),
                List.of("send", "\u0003"),
                List.of("send", "exit\r"),
                List.of("expect", "exit\r\n", 20)));
        String transcript = r.path("transcript").asText();
        assertThat(r.path("failed").isNull()).as("%s%n%s", r.path("failed"), transcript).isTrue();

        // the warning, then the PATCH, then the wait and the attach
        assertThat(warningBeforePatch).as("the warning was on the terminal before the PATCH arrived").isTrue();
        String name = debugName.get();
        assertThat(transcript).containsSubsequence(
                "warning: adding ephemeral container " + name + " (" + EphemeralSpec.DEFAULT_IMAGE + ", profile netadmin) to pod lab/web:"
                        + " ephemeral containers cannot be removed from a pod",
                "waiting for " + name + " to start",
                "attached to " + name,
                "netshoot:~# ");

        // the container: stdin and a TTY, the image's own command (no "sleep"), sharing app's PID namespace
        JsonNode ec = JSON.readTree(patchBody.get()).at("/spec/ephemeralContainers/0");
        assertThat(ec.path("stdin").asBoolean()).isTrue();
        assertThat(ec.path("tty").asBoolean()).isTrue();
        assertThat(ec.has("command")).as("no command: the image's shell").isFalse();
        assertThat(ec.path("targetContainerName").asText()).isEqualTo("app");
        assertThat(ec.path("image").asText()).isEqualTo(EphemeralSpec.DEFAULT_IMAGE);
        assertThat(ec.at("/securityContext/capabilities/add").toString()).isEqualTo("[\"NET_ADMIN\",\"NET_RAW\"]");

        // the attach: a TTY without stderr, to that container; the window sizes and keys, Ctrl+C as a byte
        assertThat(mock.execTargets).singleElement().satisfies(t -> {
            assertThat(t).startsWith(BASE + "/attach?");
            assertThat(t.substring(t.indexOf('?') + 1).split("&")).contains("container=" + name, "stdin=true", "stdout=true", "tty=true")
                    .doesNotContain("stderr=true");
        });
        assertThat(sizes).containsExactly("{\"Width\":100,\"Height\":30}", "{\"Width\":120,\"Height\":40}");
        assertThat(typed.get(1, TimeUnit.SECONDS)).isEqualTo("tcpdump -i eth0\r\u0003exit\r");

        // the container's status is k8scap's; the terminal is cooked again
        assertThat(r.path("exit").asInt()).as(transcript).isEqualTo(5);
        assertThat(r.path("echo").asBoolean()).as("ECHO restored").isTrue();
        assertThat(r.path("icanon").asBoolean()).as("ICANON restored").isTrue();
        assertThat(r.path("isig").asBoolean()).as("ISIG restored").isTrue();
    }
}
