package io.k8scap.node.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import io.k8scap.lab.Lab;
import io.k8scap.lab.PrivateSshd;
import io.k8scap.node.NodeAccessSettings;
import io.k8scap.node.NodeSession;
import io.k8scap.node.NodeTarget;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many commands at once on one node, against a real OpenSSH sshd with a real {@code MaxSessions}:
 * the test's own sshd ({@link PrivateSshd}, the lab's host key and user key), since the lab's sshd
 * allows 50 sessions per connection where a real node's allows 10.
 */
@Tag("lab")
class SshMaxSessionsLabTest {
    static Lab lab;
    static PrivateSshd defaultSshd; // OpenSSH's default MaxSessions, 10

    @TempDir
    Path tmp;
    final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-exec");
        t.setDaemon(true);
        return t;
    });

    @BeforeAll
    static void start() throws Exception {
        lab = Lab.load();
        defaultSshd = PrivateSshd.start(lab, -1);
    }

    @AfterAll
    static void stop() {
        if (defaultSshd != null) {
            defaultSshd.close();
        }
    }

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    NodeTarget node() {
        return new NodeTarget(Lab.NODE_NAME, "127.0.0.1");
    }

    SshConnector connector(PrivateSshd sshd, Path knownHosts, String jump) throws IOException {
        Path emptyConfig = Files.writeString(tmp.resolve("ssh_config"), "");
        return new SshConnector(new NodeAccessSettings("root", sshd.port(), List.of(lab.identity()), emptyConfig, knownHosts, jump,
                false, Duration.ofSeconds(5), false), m -> {});
    }

    /** What one blocked command printed when it started, and how it ended. */
    record Started(int index, String clientPort, long sshdPid, Future<Object> outcome) {}

    /**
     * Starts {@code n} commands at once; each prints its SSH client port and its sshd's PID, then
     * waits for {@code go} to exist and exits with its index. Returns once all have printed.
     */
    List<Started> startBlocked(NodeSession s, int n, Path go) throws Exception {
        List<ByteArrayOutputStream> outs = new ArrayList<>();
        List<Future<Object>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            outs.add(out);
            int index = i;
            futures.add(threads.submit(() -> {
                try {
                    return s.exec("echo \"$SSH_CONNECTION $PPID\"; while [ ! -e " + go + " ]; do sleep 0.05; done; exit " + index,
                            null, out, new ByteArrayOutputStream());
                } catch (K8sCapException e) {
                    return e;
                }
            }));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        List<Started> started = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String line;
            while ((line = firstLine(outs.get(i))) == null) {
                if (futures.get(i).isDone()) {
                    throw new AssertionError("command " + i + " ended before it started: " + futures.get(i).get());
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("command " + i + " did not start within 20 s");
                }
                Thread.sleep(20);
            }
            String[] f = line.split(" "); // client-address client-port server-address server-port ppid
            started.add(new Started(i, f[1], Long.parseLong(f[4]), futures.get(i)));
        }
        return started;
    }

    private static String firstLine(ByteArrayOutputStream out) {
        String s;
        synchronized (out) {
            s = out.toString(StandardCharsets.UTF_8);
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? null : s.substring(0, nl);
    }

    static Map<String, Long> perConnection(List<Started> started) {
        return started.stream().collect(Collectors.groupingBy(Started::clientPort, Collectors.counting()));
    }

    static void awaitNoConnections(PrivateSshd sshd) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!sshd.connectionProcesses().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(sshd.connectionProcesses()).as("sshd processes still serving a k8scap connection").isEmpty();
    }

    @Test
    void twelveCommandsAtOnceRunOnTwoConnectionsUnderTheDefaultMaxSessions() throws Exception {
        Path go = tmp.resolve("go");
        NodeSession s = connector(defaultSshd, defaultSshd.knownHosts(), null).open(node());
        try {
            List<Started> started = startBlocked(s, 12, go);
            // all 12 run at the same time, 8 on the first connection and 4 on a second one
            assertThat(perConnection(started).values()).containsExactlyInAnyOrder(8L, 4L);
            assertThat(((SshNodeSession) s).connections()).isEqualTo(2);
            Files.createFile(go);
            for (Started st : started) {
                assertThat(st.outcome().get(20, TimeUnit.SECONDS)).as("exit status of command %d", st.index()).isEqualTo(st.index());
            }
            // and once they ended, their slots are used again: another 12 need no third connection
            Files.delete(go);
            List<Started> again = startBlocked(s, 12, go);
            assertThat(((SshNodeSession) s).connections()).isEqualTo(2);
            Files.createFile(go);
            for (Started st : again) {
                assertThat(st.outcome().get(20, TimeUnit.SECONDS)).isEqualTo(st.index());
            }
        } finally {
            s.close();
        }
        awaitNoConnections(defaultSshd); // close() ended both connections
    }

    @Test
    void aLowerMaxSessionsIsLearnedFromTheRefusalAndMoreConnectionsOpened() throws Exception {
        try (PrivateSshd three = PrivateSshd.start(lab, 3)) {
            Path go = tmp.resolve("go");
            try (NodeSession s = connector(three, three.knownHosts(), null).open(node())) {
                List<Started> started = startBlocked(s, 7, go);
                assertThat(perConnection(started).values()).as("commands per connection").allMatch(n -> n <= 3);
                assertThat(perConnection(started)).hasSizeGreaterThanOrEqualTo(3);
                Files.createFile(go);
                for (Started st : started) {
                    assertThat(st.outcome().get(20, TimeUnit.SECONDS)).isEqualTo(st.index());
                }
            }
            awaitNoConnections(three);
        }
    }

    @Test
    void anSshdThatAllowsNoSessionIsOneClearLine() throws Exception {
        try (PrivateSshd none = PrivateSshd.start(lab, 0);
             NodeSession s = connector(none, none.knownHosts(), null).open(node())) {
            K8sCapException e = SshLabTest.failure(() -> SshLabTest.run(s, "true", null));
            assertThat(e.exitCode()).isEqualTo(ExitCode.UNAVAILABLE);
            assertThat(e.getMessage()).contains("node " + Lab.NODE_NAME, "127.0.0.1:" + none.port(), "MaxSessions").doesNotContain("\n");
        }
    }

    @Test
    void extraConnectionsGoThroughTheSameJumpHost() throws Exception {
        Path knownHosts = Files.writeString(tmp.resolve("known_hosts"),
                Files.readString(lab.knownHosts()) + "\n" + Files.readString(defaultSshd.knownHosts()));
        Path go = tmp.resolve("go");
        try (NodeSession s = connector(defaultSshd, knownHosts, "root@127.0.0.1:" + lab.jumpPort()).open(node())) {
            List<Started> started = startBlocked(s, 10, go);
            assertThat(perConnection(started).values()).containsExactlyInAnyOrder(8L, 2L);
            // both connections come from the bastion's sshd, not from this JVM
            for (String port : perConnection(started).keySet()) {
                Process ss = new ProcessBuilder("ss", "-Htnp", "src", "127.0.0.1:" + port, "dst", "127.0.0.1:" + defaultSshd.port()).start();
                String owner = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(ss.waitFor()).isZero();
                assertThat(owner).as("owner of the node connection from port %s", port).contains("sshd").doesNotContain("java");
            }
            Files.createFile(go);
            for (Started st : started) {
                assertThat(st.outcome().get(20, TimeUnit.SECONDS)).isEqualTo(st.index());
            }
        }
        awaitNoConnections(defaultSshd);
    }

    @Test
    void theExtraConnectionVerifiesTheHostKeyToo() throws Exception {
        // known_hosts is read for every connection: once the node's key "changes", the second
        // connection is refused as a possible man-in-the-middle, while the first one's commands run on
        Path knownHosts = Files.copy(defaultSshd.knownHosts(), tmp.resolve("known_hosts"));
        Path go = tmp.resolve("go");
        try (NodeSession s = connector(defaultSshd, knownHosts, null).open(node())) {
            List<Started> started = startBlocked(s, 8, go);
            String wrongKey = Files.readString(lab.wrongKnownHosts()).lines().findFirst().orElseThrow().split(" ", 2)[1];
            Files.writeString(knownHosts, "[127.0.0.1]:" + defaultSshd.port() + " " + wrongKey + "\n");
            K8sCapException e = SshLabTest.failure(() -> SshLabTest.run(s, "true", null));
            assertThat(e.exitCode()).isEqualTo(ExitCode.CONFIG);
            assertThat(e.getMessage()).contains(Lab.NODE_NAME, "CHANGED", "man-in-the-middle");
            Files.createFile(go);
            for (Started st : started) {
                assertThat(st.outcome().get(20, TimeUnit.SECONDS)).isEqualTo(st.index());
            }
        }
    }

    @Test
    void aLostExtraConnectionIsReportedAsLostAndTheFirstOneCarriesOn() throws Exception {
        Path go = tmp.resolve("go");
        try (NodeSession s = connector(defaultSshd, defaultSshd.knownHosts(), null).open(node())) {
            List<Started> started = startBlocked(s, 10, go);
            Map<String, Long> per = perConnection(started);
            String extraPort = per.entrySet().stream().filter(en -> en.getValue() == 2L).findFirst().orElseThrow().getKey();
            List<Started> onExtra = started.stream().filter(st -> st.clientPort().equals(extraPort)).toList();
            // kill the sshd process serving the extra connection (the parent of its commands' shells)
            assertThat(new ProcessBuilder("kill", "-KILL", String.valueOf(onExtra.get(0).sshdPid())).inheritIO().start().waitFor()).isZero();
            for (Started st : onExtra) {
                assertThat(st.outcome().get(20, TimeUnit.SECONDS)).isInstanceOfSatisfying(K8sCapException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.UNAVAILABLE);
                    assertThat(e.getMessage()).contains(Lab.NODE_NAME, "lost");
                });
            }
            Files.createFile(go); // also ends the orphaned commands of the killed connection
            for (Started st : started) {
                if (!st.clientPort().equals(extraPort)) {
                    assertThat(st.outcome().get(20, TimeUnit.SECONDS)).isEqualTo(st.index());
                }
            }
            assertThat(SshLabTest.run(s, "echo still-here", null).outText()).isEqualTo("still-here\n");
        }
    }

    @Test
    void aTerminalTakesASlotLikeACommand() throws Exception {
        Path go = tmp.resolve("go");
        try (NodeSession s = connector(defaultSshd, defaultSshd.knownHosts(), null).open(node())) {
            List<Started> started = startBlocked(s, 8, go);
            ByteArrayOutputStream screen = new ByteArrayOutputStream();
            var shell = s.shell("echo \"tty:$(tty) $SSH_CONNECTION\"; exit 7", new io.k8scap.node.Pty("xterm", 80, 24), screen);
            assertThat(shell.waitFor()).isEqualTo(7);
            String line = screen.toString(StandardCharsets.UTF_8);
            assertThat(line).contains("tty:/dev/pts/");
            String port = line.substring(line.indexOf(' ') + 1).split(" ")[1];
            assertThat(perConnection(started)).doesNotContainKey(port).hasSize(1);
            Files.createFile(go);
            for (Started st : started) {
                assertThat(st.outcome().get(20, TimeUnit.SECONDS)).isEqualTo(st.index());
            }
        }
    }
}
