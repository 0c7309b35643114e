package io.k8scap.node.pod;

import io.k8scap.node.PodAccessSettings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import io.k8scap.node.NodeTarget;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Node commands through a helper pod's pods/exec, against the mock API server (the only stand-in:
 * it plays the API server AND the kubelet's exec stream). The pcap served is a real capture made
 * on this machine with tcpdump (src/test/resources/io/k8scap/node/pod/lo-udp.pcap: 6 UDP packets
 * on lo).
 */
@Timeout(60)
class PodNodeSessionTest {
    static final String NS = "diag";
    static final NodeTarget NODE = new NodeTarget("node-a", "10.0.0.5");

    HelperPodMock mock;
    HelperPodConnector connector;
    List<String> notices = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        mock = new HelperPodMock().namespace(NS, "privileged").kubelet(HelperPodMock::running);
        connector = new HelperPodConnector(mock.client, PodAccessSettings.defaults(),
                new HelperPods(mock.client, notices::add, Duration.ofMillis(20)), "sess1");
    }

    @AfterEach
    void stop() {
        mock.close();
    }

    static byte[] pcap() throws IOException {
        try (InputStream in = PodNodeSessionTest.class.getResourceAsStream("lo-udp.pcap")) {
            return in.readAllBytes();
        }
    }

    @Test
    void pcapArrivesByteExactOnStdoutWithStderrSeparate() throws Exception {
        byte[] pcap = pcap();
        assertThat(pcap).hasSizeGreaterThan(100);
        assertThat(Arrays.copyOf(pcap, 4)).containsExactly(0xd4, 0xc3, 0xb2, 0xa1); // tcpdump's µs magic, little endian
        int half = pcap.length / 2;
        // Binary websocket frames with the v4.channel.k8s.io channel byte: stdout (1) split mid-record,
        // then stderr (2) and the status (3), as the API server relays them from the kubelet.
        mock.exec = (argv, st) -> {
            st.stdout(Arrays.copyOfRange(pcap, 0, half));
            st.stdout(Arrays.copyOfRange(pcap, half, pcap.length));
            st.stderr("6 packets captured\n");
            st.exit(0);
        };
        try (PodNodeSession s = connector.open(NODE, NS)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = s.exec("cat capture.pcap", null, out, err);

            assertThat(status).isZero();
            assertThat(out.toByteArray()).isEqualTo(pcap);
            assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("6 packets captured\n");
        }
        assertThat(mock.commandLines).containsExactly("cat capture.pcap");
        assertThat(mock.helperPods()).isEmpty();
    }

    @Test
    void runsTheCommandLineUnchangedUnderNsenterIntoTheNodesNamespaces() throws Exception {
        mock.exec = (argv, st) -> st.exit(0);
        String commandLine = "sh -c 'echo \"$1\"' k8scap-x 'a b; $(rm -rf /)'";
        try (PodNodeSession s = connector.open(NODE, NS)) {
            assertThat(s.exec(commandLine, null, null, null)).isZero();
        }
        // The URL carries only the fixed bootstrap; the command line follows on stdin, unchanged.
        assertThat(mock.execArgv).containsExactly(List.of("nsenter", "-t", "1", "-m", "-u", "-i", "-n", "-p", "--",
                "sh", "-c", PodNodeSession.BOOTSTRAP, "k8scap-exec", "null"));
        assertThat(mock.commandLines).containsExactly(commandLine);
    }

    @Test
    void helperImageToolsRunPlainSh() throws Exception {
        mock.exec = (argv, st) -> st.exit(0);
        var settings = new PodAccessSettings(null, null, null, null, PodAccessSettings.Tools.HELPER_IMAGE);
        var c = new HelperPodConnector(mock.client, settings, new HelperPods(mock.client, notices::add, Duration.ofMillis(20)), "s2");
        try (PodNodeSession s = c.open(NODE, NS)) {
            s.exec("true", null, null, null);
        }
        assertThat(mock.execArgv).containsExactly(List.of("sh", "-c", PodNodeSession.BOOTSTRAP, "k8scap-exec", "null"));
        assertThat(mock.commandLines).containsExactly("true");
    }

    @Test
    void nonZeroExitStatusPassesThroughAndStderrStaysSeparate() throws Exception {
        mock.exec = (argv, st) -> {
            st.stdout("partial\n".getBytes(StandardCharsets.UTF_8));
            st.stderr("k8scap-locate: missing crictl\n");
            st.exit(3);
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (PodNodeSession s = connector.open(NODE, NS)) {
            assertThat(s.exec("exit 3", null, out, err)).isEqualTo(3);
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("partial\n");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("k8scap-locate: missing crictl\n");
    }

    @Test
    void stdinIsStreamedAsItIsWrittenNotAfterEof() throws Exception {
        // The capture dead man's switch: heartbeat lines while running, "stop" to end. The server
        // answers "ack" to the first heartbeat; the test writes "stop" only after seeing it, so a
        // session that buffered stdin until EOF would hang here (and time out).
        byte[] pcap = pcap();
        AtomicReference<String> received = new AtomicReference<>();
        mock.exec = (argv, st) -> {
            String first = st.readLines(1, 10_000);
            st.stdout("ack\n".getBytes(StandardCharsets.UTF_8));
            String rest = st.readLines(1, 10_000);
            received.set(first + rest);
            st.stdout(pcap);
            st.exit(0);
        };
        Feed stdin = new Feed();
        ByteArrayOutputStream pcapOut = new ByteArrayOutputStream();
        OutputStream out = new OutputStream() {
            boolean acked;

            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                String s = new String(b, off, len, StandardCharsets.ISO_8859_1);
                if (!acked && s.startsWith("ack\n")) {
                    acked = true;
                    stdin.send("stop\n");
                    pcapOut.write(b, off + 4, len - 4);
                } else {
                    pcapOut.write(b, off, len);
                }
            }
        };
        try (PodNodeSession s = connector.open(NODE, NS)) {
            stdin.send("heartbeat\n");
            assertThat(s.exec("capture", stdin, out, null)).isZero();
        }
        assertThat(received.get()).isEqualTo("heartbeat\nstop\n");
        assertThat(pcapOut.toByteArray()).isEqualTo(pcap);
    }

    /**
     * stdin sent as fast as it comes (a node-script-sized command line, then 20 000 small chunks, one
     * WebSocket send each): the JDK's WebSocket refuses a send while the previous one is still going
     * out ("Send pending"), which fabric8 reports as "could not send" and fails the exec with;
     * OrderedSendsHttpClientFactory chains the sends. Every byte must arrive, in order, and the exec
     * end with the command's status. (On loopback the JDK nearly always completes a send at once, so
     * this rarely meets the refusal; OrderedSendsHttpClientFactoryTest plays it deterministically.)
     */
    @Test
    void stdinWrittenFasterThanTheSocketSendsArrivesWholeAndInOrder() throws Exception {
        int chunks = 20_000;
        byte[] chunk = new byte[64];
        Feed stdin = new Feed();
        java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < chunks; i++) {
            java.util.Arrays.fill(chunk, (byte) ('a' + i % 26));
            stdin.send(new String(chunk, StandardCharsets.ISO_8859_1));
            expected.writeBytes(chunk);
        }
        AtomicReference<byte[]> received = new AtomicReference<>();
        mock.exec = (argv, st) -> {
            received.set(st.readBytes(expected.size(), 30_000));
            st.exit(0);
        };
        String bigCommandLine = "x".repeat(30 * 1024); // a node script is ≈ 25 KB
        try (PodNodeSession s = connector.open(NODE, NS)) {
            assertThat(s.exec(bigCommandLine, stdin, new ByteArrayOutputStream(), null)).isZero();
        }
        assertThat(received.get()).isEqualTo(expected.toByteArray());
    }

    /** A stdin the test writes lines into while the command runs (never at EOF). */
    static final class Feed extends InputStream {
        private final java.util.concurrent.LinkedBlockingQueue<byte[]> chunks = new java.util.concurrent.LinkedBlockingQueue<>();

        void send(String s) {
            chunks.add(s.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public int read() throws IOException {
            byte[] b = new byte[1];
            return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                byte[] c = chunks.take();
                int n = Math.min(len, c.length);
                System.arraycopy(c, 0, b, off, n);
                if (n < c.length) {
                    throw new IOException("test feed chunk larger than the read buffer");
                }
                return n;
            } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException();
            }
        }
    }

    @Test
    void aDroppedExecIsUnavailableNamingPodAndNode() throws Exception {
        mock.exec = (argv, st) -> {
            st.stdout("some bytes".getBytes(StandardCharsets.UTF_8));
            Thread.sleep(50);
            st.drop();
        };
        try (PodNodeSession s = connector.open(NODE, NS)) {
            String pod = s.helperPod().name();
            assertThatThrownBy(() -> s.exec("tcpdump", null, new ByteArrayOutputStream(), null))
                    .isInstanceOfSatisfying(K8sCapException.class, e -> {
                        assertThat(e.exitCode()).isEqualTo(ExitCode.UNAVAILABLE);
                        assertThat(e.getMessage()).contains("helper pod " + NS + "/" + pod, "node node-a", "dropped").doesNotContain("\n");
                    });
        }
        assertThat(mock.helperPods()).isEmpty();
    }

    @Test
    void severalExecsRunAtOnceOnOneHelperPod() throws Exception {
        CountDownLatch both = new CountDownLatch(2);
        mock.exec = (argv, st) -> {
            both.countDown();
            if (!both.await(10, TimeUnit.SECONDS)) {
                st.drop();
                return;
            }
            st.stdout(st.commandLine.getBytes(StandardCharsets.UTF_8));
            st.exit(0);
        };
        try (PodNodeSession s = connector.open(NODE, NS)) {
            ByteArrayOutputStream a = new ByteArrayOutputStream();
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            CompletableFuture<Integer> fa = CompletableFuture.supplyAsync(() -> s.exec("echo one", null, a, null));
            CompletableFuture<Integer> fb = CompletableFuture.supplyAsync(() -> s.exec("echo two", null, b, null));
            assertThat(fa.get(20, TimeUnit.SECONDS)).isZero();
            assertThat(fb.get(20, TimeUnit.SECONDS)).isZero();
            assertThat(a.toString(StandardCharsets.UTF_8)).isEqualTo("echo one");
            assertThat(b.toString(StandardCharsets.UTF_8)).isEqualTo("echo two");
        }
        assertThat(mock.helperPods()).isEmpty();
    }

    @Test
    void anInterruptedExecEndsAndTheHelperPodIsStillDeleted() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        mock.exec = (argv, st) -> {
            started.countDown();
            while (!st.clientClosed) {
                Thread.sleep(20); // tcpdump that never ends by itself
            }
        };
        PodNodeSession s = connector.open(NODE, NS);
        assertThat(mock.helperPods()).hasSize(1);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                s.exec("tcpdump", null, new ByteArrayOutputStream(), null);
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        t.start();
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        t.interrupt();
        t.join(10_000);
        assertThat(t.isAlive()).isFalse();
        assertThat(thrown.get()).isInstanceOfSatisfying(K8sCapException.class,
                e -> assertThat(e.exitCode()).isEqualTo(ExitCode.INTERRUPTED));
        s.close();
        assertThat(mock.helperPods()).isEmpty();
        assertThat(Reaper.live()).doesNotContain(s.helperPod());
    }

    @Test
    void aFailureStatusWithoutExitCodeSaysTheImageLacksNsenter() throws Exception {
        // What containerd answers when the exec'd binary is missing: a Failure status, no ExitCode cause.
        mock.exec = (argv, st) -> st.status("{\"metadata\":{},\"status\":\"Failure\",\"message\":\"OCI runtime exec failed: exec failed:"
                + " unable to start container process: exec: \\\"nsenter\\\": executable file not found in $PATH: unknown\"}");
        try (PodNodeSession s = connector.open(NODE, NS)) {
            assertThatThrownBy(() -> s.exec("true", null, null, null))
                    .isInstanceOfSatisfying(K8sCapException.class, e -> {
                        assertThat(e.exitCode()).isEqualTo(ExitCode.UNAVAILABLE);
                        assertThat(e.getMessage()).contains("has no nsenter", PodAccessSettings.DEFAULT_IMAGE, "--helper-image");
                    });
        }
    }
}
