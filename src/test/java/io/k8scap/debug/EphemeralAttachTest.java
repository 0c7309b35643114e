package io.k8scap.debug;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import io.k8scap.node.pod.HelperPodMock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Interactive {@code --via ephemeral}: the terminal attached to the debug container's TTY through
 * pods/attach, over scripted websocket frames (the mock API server plays the kubelet: channel 1
 * output, channel 3 status; it records channel 0 keystrokes and channel 4 window sizes). The user's
 * terminal is a JLine terminal over streams, in raw mode as the real one is.
 */
@Timeout(60)
class EphemeralAttachTest {
    static final String NS = "lab";
    static final String POD = "web";
    static final String DEBUG = "k8scap-debug-x7k2p";

    HelperPodMock mock;
    ScriptedTerminal term;
    ByteArrayOutputStream screen;
    PipedOutputStream keyboard;
    Terminal jline;
    final CompletableFuture<String> typed = new CompletableFuture<>();
    final List<String> sizes = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        mock = new HelperPodMock().namespace(NS, null);
        Pod pod = new PodBuilder().withNewMetadata().withName(POD).withNamespace(NS).endMetadata()
                .withNewSpec().withNodeName("node-1").addNewContainer().withName("app").withImage("busybox").endContainer()
                .addNewEphemeralContainer().withName(DEBUG).withImage("nicolaka/netshoot:v0.13").withStdin(true).withTty(true).endEphemeralContainer()
                .endSpec().build();
        mock.client().pods().inNamespace(NS).resource(pod).create();
        pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running")
                .addToContainerStatuses(new ContainerStatusBuilder().withName("app").withReady(true)
                        .withNewState().withNewRunning().endRunning().endState().build())
                .addToEphemeralContainerStatuses(new ContainerStatusBuilder().withName(DEBUG)
                        .withNewState().withNewRunning().endRunning().endState().build())
                .addNewCondition().withType("Ready").withStatus("True").endCondition().build());
        mock.client().pods().inNamespace(NS).resource(pod).updateStatus();
        term = new ScriptedTerminal("xterm", 90, 25);
        keyboard = term.keyboard;
        screen = term.screen;
        jline = term.jline;
    }

    String screenEndingWith(String end) throws InterruptedException {
        return term.screenEndingWith(end);
    }

    @AfterEach
    void stop() throws IOException {
        term.close();
        mock.close();
    }

    /** The container's shell: a prompt, the keys until "exit\r", then {@code end}. */
    private void serve(String end) {
        mock.onExec((argv, st) -> {
            sizes.add(st.resizes.poll(10, TimeUnit.SECONDS));
            st.stdout("netshoot:~# ");
            typed.complete(st.readUntil("exit\r", 10_000));
            sizes.add(st.resizes.poll(10, TimeUnit.SECONDS));
            if (end.equals("drop")) {
                st.drop();
                return;
            }
            st.stdout("exit\r\n");
            st.exit(Integer.parseInt(end));
        });
    }

    private void user() {
        Thread t = new Thread(() -> {
            try {
                long deadline = System.currentTimeMillis() + 20_000;
                while (!screen.toString(StandardCharsets.UTF_8).contains("netshoot:~# ") && System.currentTimeMillis() < deadline) {
                    Thread.sleep(20);
                }
                jline.setSize(new Size(132, 50));
                jline.raise(Terminal.Signal.WINCH);
                keyboard.write("tcpdump -i eth0\r\u0003exit\r".getBytes(StandardCharsets.UTF_8));
                keyboard.flush();
            } catch (IOException | InterruptedException e) {
                // the test fails on what did not arrive
            }
        }, "test-user");
        t.setDaemon(true);
        t.start();
    }

    private int attach() {
        return new EphemeralDebugger(mock.client()).attach(NS, POD, DEBUG, LocalTerminal.of(jline));
    }

    @Test
    void attachesToTheDebugContainersTtyWithKeysWindowSizeOutputAndExitStatus() throws Exception {
        serve("3");
        user();
        assertThat(attach()).isEqualTo(3);

        assertThat(mock.execQueries).singleElement().satisfies(q ->
                assertThat(q.split("&")).contains("container=" + DEBUG, "stdin=true", "stdout=true", "tty=true").doesNotContain("stderr=true"));
        assertThat(typed.get(1, TimeUnit.SECONDS)).as("keys on channel 0, Ctrl+C as a byte").isEqualTo("tcpdump -i eth0\r\u0003exit\r");
        assertThat(sizes).containsExactly("{\"Width\":90,\"Height\":25}", "{\"Width\":132,\"Height\":50}");
        assertThat(screenEndingWith("exit\r\n")).as("all output, the last line included").isEqualTo("netshoot:~# exit\r\n");
    }

    @Test
    void aCleanExitIsZero() throws Exception {
        serve("0");
        user();
        assertThat(attach()).isZero();
    }

    @Test
    void aDroppedAttachIsUnavailableNotSuccess() {
        serve("drop");
        user();
        assertThatThrownBy(this::attach).isInstanceOfSatisfying(K8sCapException.class, e -> {
            assertThat(e.exitCode()).isEqualTo(ExitCode.UNAVAILABLE);
            assertThat(e.getMessage()).contains("attach to " + DEBUG);
        });
    }
}
