package io.k8scap.debug;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import io.k8scap.node.ContainerRef;
import io.k8scap.node.NodeTarget;
import io.k8scap.node.pod.HelperPodConnector;
import io.k8scap.node.pod.HelperPodMock;
import io.k8scap.node.PodAccessSettings;
import io.k8scap.node.pod.PodNodeSession;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
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
 * Interactive {@code --via agent} over scripted websocket frames: the mock API server plays the
 * helper pod's kubelet — locate.sh's answer (a recording made on the lab node) for the first exec,
 * then a TTY exec whose frames the test scripts (channel 1 output, channel 3 status) while it
 * records what k8scap sends (channel 0 keystrokes, channel 4 window sizes). The user's terminal is
 * a JLine terminal over streams, put in raw mode exactly as the real one is.
 */
@Timeout(60)
class AgentDebuggerInteractiveTest {
    static final String NS = "diag";
    static final NodeTarget NODE = new NodeTarget("lab-node-1", null);
    /** The docker container of the recording, and the PID locate.sh found for it. */
    static final ContainerRef DOCKER = ContainerRef.parse("docker://bb25783f732254e27b4080780620df66e62b5fd25db0ade7844b327c231845ac");
    static final long PID = 12064;

    HelperPodMock mock;
    final List<String> notices = new CopyOnWriteArrayList<>();
    ScriptedTerminal term;
    ByteArrayOutputStream screen;
    PipedOutputStream keyboard;
    Terminal jline;
    /** What the shell exec received: keystrokes (channel 0) and window sizes (channel 4). */
    final CompletableFuture<String> typed = new CompletableFuture<>();
    final List<String> sizes = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        mock = new HelperPodMock().namespace(NS, "privileged").kubelet(HelperPodMock::running);
        term = new ScriptedTerminal("xterm-256color", 100, 30);
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

    static String locateRecording() throws IOException {
        try (InputStream in = ContainerRef.class.getResourceAsStream("locate-lab-all-pods.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private AgentDebugger agent() {
        return new AgentDebugger(new HelperPodConnector(mock.client(), PodAccessSettings.defaults(), notices::add), notices::add);
    }

    /** Serves locate (the recording) and then the shell: a prompt, the keys until "exit\r", {@code then}'s frames. */
    private void serve(String afterExit) throws IOException {
        String located = locateRecording();
        mock.onExec((argv, st) -> {
            if (argv.equals(PodNodeSession.argv(PodAccessSettings.Tools.NODE, false))) {
                st.stdout(located);
                st.exit(0);
                return;
            }
            sizes.add(st.resizes.poll(10, TimeUnit.SECONDS));
            st.stdout("netshoot:~# ");
            typed.complete(st.readUntil("exit\r", 10_000));
            sizes.add(st.resizes.poll(10, TimeUnit.SECONDS));
            switch (afterExit) {
                case "drop" -> st.drop();
                case "hang" -> { } // the shell never ends
                default -> {
                    st.stdout(afterExit.substring(afterExit.indexOf(' ') + 1));
                    st.exit(Integer.parseInt(afterExit.substring(0, afterExit.indexOf(' '))));
                }
            }
        });
    }

    /** The user: waits for the prompt, resizes the window to 120x40, types a command, Ctrl+C, then exit. */
    private void user() {
        Thread t = new Thread(() -> {
            try {
                long end = System.currentTimeMillis() + 20_000;
                while (!screen.toString(StandardCharsets.UTF_8).contains("netshoot:~# ") && System.currentTimeMillis() < end) {
                    Thread.sleep(20);
                }
                jline.setSize(new Size(120, 40));
                jline.raise(Terminal.Signal.WINCH);
                keyboard.write("sleep 9\r\u0003exit\r".getBytes(StandardCharsets.UTF_8));
                keyboard.flush();
            } catch (IOException | InterruptedException e) {
                // the test fails on what did not arrive
            }
        }, "test-user");
        t.setDaemon(true);
        t.start();
    }

    private int interactive() {
        return agent().interactive(NODE, NS, NS + "/web", DOCKER, () -> LocalTerminal.of(jline));
    }

    @Test
    void theShellRunsInATtyExecWithTheWindowSizeTheKeysAndItsExitStatusAndTheHelperIsDeleted() throws Exception {
        serve("0 logout\r\n");
        user();
        int status = interactive();

        assertThat(status).isZero();
        assertThat(mock.execQueries).hasSize(2);
        String q = mock.execQueries.get(1);
        assertThat(q.split("&")).contains("tty=true", "stdin=true", "stdout=true", "container=" + io.k8scap.node.pod.HelperPods.CONTAINER).doesNotContain("stderr=true");
        // the command line: debug.sh for the located PID with no command (an interactive shell), in the URL
        List<String> argv = java.util.Arrays.stream(q.split("&")).filter(kv -> kv.startsWith("command="))
                .map(kv -> java.net.URLDecoder.decode(kv.substring(8), StandardCharsets.UTF_8)).toList();
        assertThat(argv).isEqualTo(PodNodeSession.shellArgv(PodAccessSettings.Tools.HELPER_IMAGE, "xterm-256color",
                new AgentDebugger(new HelperPodConnector(mock.client(), PodAccessSettings.defaults(), n -> { }), n -> { })
                        .commandLine(PID, List.of())));
        assertThat(sizes).containsExactly("{\"Width\":100,\"Height\":30}", "{\"Width\":120,\"Height\":40}");
        assertThat(typed.get(1, TimeUnit.SECONDS)).as("keys on channel 0, Ctrl+C as a byte").isEqualTo("sleep 9\r\u0003exit\r");
        assertThat(screenEndingWith("logout\r\n")).contains("netshoot:~# ").endsWith("logout\r\n");
        assertThat(notices).anyMatch(n -> n.startsWith("creating helper pod k8scap-helper-lab-node-1-"))
                .anyMatch(n -> n.contains("shell in diag/web (PID 12064)"));
        assertThat(mock.helperPods()).isEmpty();
    }

    /**
     * A TTY exec carries its command line in the URL (PodNodeSession.shellArgv): debug.sh, compacted,
     * and the TERM. The whole request line must stay well under 8 KB, the longest request line
     * nginx — a common proxy in front of API servers — accepts by default
     * (large_client_header_buffers 4 8k; longer is 414). Measured with the longest names
     * Kubernetes allows: a 253-character node name (in the helper pod's name) and a 63-character
     * namespace.
     */
    @Test
    void theTtyExecsRequestLineStaysWellUnder8KbWithTheLongestNames() throws Exception {
        String ns = "n".repeat(63);
        NodeTarget node = new NodeTarget(String.join(".", "a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(61)), null);
        assertThat(node.name()).hasSize(253);
        mock.namespace(ns, "privileged");
        String located = locateRecording();
        mock.onExec((argv, st) -> {
            if (argv.equals(PodNodeSession.argv(PodAccessSettings.Tools.NODE, false))) {
                st.stdout(located);
                st.exit(0);
                return;
            }
            st.exit(0);
        });
        int status = agent().interactive(node, ns, ns + "/web", DOCKER, () -> LocalTerminal.of(jline));

        assertThat(status).isZero();
        assertThat(mock.execTargets).hasSize(2);
        String requestLine = "GET " + mock.execTargets.get(1) + " HTTP/1.1";
        assertThat(requestLine).contains("/namespaces/" + ns + "/pods/k8scap-helper-").contains("tty=true")
                .contains("command=xterm-256color");
        assertThat(requestLine.length()).as("request line: %s", requestLine).isLessThan(4096);
        assertThat(mock.helperPods()).isEmpty();
    }

    @Test
    void theShellsFailingExitStatusIsReturnedAndTheHelperIsDeleted() throws Exception {
        serve("7 \r\n");
        user();
        assertThat(interactive()).isEqualTo(7);
        assertThat(mock.helperPods()).isEmpty();
    }

    @Test
    void noNsenterInTheImageIsReportedFromDebugShsLineAndTheHelperIsDeleted() throws Exception {
        // debug.sh's failure line is the shell exec's first output
        String located = locateRecording();
        mock.onExec((argv, st) -> {
            if (argv.equals(PodNodeSession.argv(PodAccessSettings.Tools.NODE, false))) {
                st.stdout(located);
                st.exit(0);
                return;
            }
            st.stdout("k8scap-debug-error\tnotools\tnsenter\r\n");
            st.exit(125);
        });
        assertThatThrownBy(this::interactive).isInstanceOfSatisfying(K8sCapException.class, e -> {
            assertThat(e.exitCode()).isEqualTo(ExitCode.UNAVAILABLE);
            assertThat(e.getMessage()).contains("helper image " + PodAccessSettings.DEFAULT_IMAGE + " has no nsenter");
        });
        assertThat(screen.toString(StandardCharsets.UTF_8)).doesNotContain("k8scap-debug-error");
        assertThat(mock.helperPods()).isEmpty();
    }

    @Test
    void aDroppedConnectionIsUnavailableAndTheHelperIsDeleted() throws Exception {
        serve("drop");
        user();
        assertThatThrownBy(this::interactive).isInstanceOfSatisfying(K8sCapException.class,
                e -> assertThat(e.exitCode()).as(e.getMessage()).isEqualTo(ExitCode.UNAVAILABLE));
        assertThat(mock.helperPods()).isEmpty();
    }

    @Test
    void anInterruptionEndsTheSessionAndTheHelperIsDeleted() throws Exception {
        serve("hang");
        user();
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        Thread session = new Thread(() -> {
            try {
                interactive();
                thrown.complete(null);
            } catch (Throwable t) {
                thrown.complete(t);
            }
        });
        session.start();
        typed.get(20, TimeUnit.SECONDS); // the shell is running and has the user's keys
        assertThat(mock.helperPods()).hasSize(1);
        session.interrupt();
        assertThat(thrown.get(20, TimeUnit.SECONDS)).isInstanceOfSatisfying(K8sCapException.class,
                e -> assertThat(e.exitCode()).isEqualTo(ExitCode.INTERRUPTED));
        assertThat(mock.helperPods()).isEmpty();
    }
}
