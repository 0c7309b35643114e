package io.k8scap.node.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import io.k8scap.lab.Lab;
import io.k8scap.node.NodeAccessSettings;
import io.k8scap.node.NodeScript;
import io.k8scap.node.NodeSession;
import io.k8scap.node.NodeTarget;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against the lab's real OpenSSH sshd (scripts/lab/sshd.sh up): 2222 the node, 2223 a bastion. */
@Tag("lab")
class SshLabTest {
    static Lab lab;
    @TempDir
    Path tmp;
    final List<String> notices = new ArrayList<>();

    @BeforeAll
    static void loadLab() {
        lab = Lab.load();
    }

    NodeTarget node() {
        return new NodeTarget(Lab.NODE_NAME, lab.sshAddress());
    }

    NodeAccessSettings settings(String user, Path key, Path knownHosts, String jump, boolean sudo, boolean insecure) {
        return new NodeAccessSettings(user, lab.sshPort(), key == null ? List.of() : List.of(key), tmp.resolve("no-ssh-config-here"),
                knownHosts, jump, sudo, Duration.ofSeconds(5), insecure);
    }

    NodeAccessSettings root() {
        return settings(lab.sshUser(), lab.identity(), lab.knownHosts(), null, false, false);
    }

    SshConnector connector(NodeAccessSettings s) {
        // an explicit --ssh-config that exists but is empty: the machine's ~/.ssh/config must not matter
        try {
            if (s.sshConfig() != null && !Files.exists(s.sshConfig())) {
                Files.writeString(s.sshConfig(), "");
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return new SshConnector(s, notices::add);
    }

    record Result(int status, byte[] out, String err) {
        String outText() {
            return new String(out, StandardCharsets.UTF_8);
        }
    }

    static Result run(NodeSession s, String cmd, byte[] stdin) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = s.exec(cmd, stdin == null ? null : new ByteArrayInputStream(stdin), out, err);
        return new Result(status, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
    }

    static K8sCapException failure(Runnable r) {
        try {
            r.run();
        } catch (K8sCapException e) {
            return e;
        }
        throw new AssertionError("expected a K8sCapException");
    }

    @Test
    void execPassesOutputAndExitStatusThrough() {
        try (NodeSession s = connector(root()).open(node())) {
            assertThat(s.target()).isEqualTo(node());
            Result hi = run(s, "echo hi", null);
            assertThat(hi.status()).isZero();
            assertThat(hi.outText()).isEqualTo("hi\n");
            assertThat(run(s, "exit 3", null).status()).isEqualTo(3);
            assertThat(run(s, "kill -TERM $$", null).status()).as("killed by SIGTERM").isEqualTo(128 + 15);
        }
        assertThat(notices).isEmpty();
    }

    @Test
    void stdoutIsBinarySafeAndStderrSeparate() throws Exception {
        try (NodeSession s = connector(root()).open(node())) {
            Path remote = tmp.resolve("random.bin"); // same machine: the node's file is readable here
            Result r = run(s, "head -c 1000000 /dev/urandom | tee " + remote + " | sha256sum >&2; echo to-stdout-end", null);
            assertThat(r.status()).isZero();
            byte[] file = Files.readAllBytes(remote);
            assertThat(file).hasSize(1_000_000);
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file));
            assertThat(r.err()).startsWith(sha);
            assertThat(r.outText()).isEqualTo("to-stdout-end\n");

            Result bin = run(s, "cat " + remote, null);
            assertThat(bin.out()).isEqualTo(file);
            assertThat(bin.err()).isEmpty();

            Result both = run(s, "echo out; echo err >&2; exit 1", null);
            assertThat(both.outText()).isEqualTo("out\n");
            assertThat(both.err()).isEqualTo("err\n");
            assertThat(both.status()).isEqualTo(1);
        }
    }

    @Test
    void stdinReachesTheCommandAndNoStdinMeansEof() {
        try (NodeSession s = connector(root()).open(node())) {
            byte[] data = new byte[300_000];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) i;
            }
            assertThat(run(s, "cat", data).out()).isEqualTo(data);
            assertThat(run(s, "cat; echo done", null).outText()).as("null stdin is closed, cat ends").isEqualTo("done\n");
        }
    }

    @Test
    void unknownHostKeyIsRefusedWithItsFingerprint() throws IOException {
        Path empty = Files.writeString(tmp.resolve("known_hosts"), "");
        K8sCapException e = failure(() -> connector(settings("root", lab.identity(), empty, null, false, false)).open(node()));
        assertThat(e.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(e.getMessage())
                .contains(Lab.NODE_NAME, "127.0.0.1:" + lab.sshPort(), "ssh-ed25519", lab.hostKeyFingerprint(),
                        "ssh-keyscan -p " + lab.sshPort() + " 127.0.0.1", "--known-hosts", "--insecure-skip-host-key-check")
                .doesNotContain("\n");
    }

    @Test
    void changedHostKeyIsRefusedAsPossibleManInTheMiddle() {
        K8sCapException e = failure(() -> connector(settings("root", lab.identity(), lab.wrongKnownHosts(), null, false, false)).open(node()));
        assertThat(e.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(e.getMessage()).contains(Lab.NODE_NAME, lab.hostKeyFingerprint(), "man-in-the-middle").doesNotContain("\n");
    }

    @Test
    void insecureSkipAcceptsAnyKeyAndSaysSo() {
        try (NodeSession s = connector(settings("root", lab.identity(), lab.wrongKnownHosts(), null, false, true)).open(node())) {
            assertThat(run(s, "echo ok", null).outText()).isEqualTo("ok\n");
        }
        assertThat(notices).singleElement().asString().contains("NOT verified");
    }

    @Test
    void wrongKeyIsDeniedNamingUserAndKey() throws Exception {
        Path wrong = tmp.resolve("wrong_key");
        Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", wrong.toString()).inheritIO().start();
        assertThat(p.waitFor()).isZero();
        K8sCapException e = failure(() -> connector(settings("root", wrong, lab.knownHosts(), null, false, false)).open(node()));
        assertThat(e.exitCode()).isEqualTo(ExitCode.DENIED);
        assertThat(e.getMessage()).contains(Lab.NODE_NAME, "root", wrong.toString()).doesNotContain("\n").doesNotContain("PRIVATE KEY");
    }

    @Test
    void closedPortIsUnavailable() throws IOException {
        int port;
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = ss.getLocalPort();
        }
        NodeAccessSettings s = new NodeAccessSettings("root", port, List.of(lab.identity()), null, lab.knownHosts(), null, false, Duration.ofSeconds(5), false);
        K8sCapException e = failure(() -> connector(s).open(node()));
        assertThat(e.exitCode()).isEqualTo(ExitCode.UNAVAILABLE);
        assertThat(e.getMessage()).contains(Lab.NODE_NAME, "127.0.0.1:" + port, "refused");
    }

    @Test
    void silentServerTimesOut() throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return ss.accept(); // accepts, then never says a word
                } catch (IOException e) {
                    return null;
                }
            });
            NodeAccessSettings s = new NodeAccessSettings("root", ss.getLocalPort(), List.of(lab.identity()), null, lab.knownHosts(), null, false, Duration.ofSeconds(1), false);
            long t0 = System.nanoTime();
            K8sCapException e = failure(() -> connector(s).open(node()));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(4));
            assertThat(e.exitCode()).isEqualTo(ExitCode.UNAVAILABLE);
            assertThat(e.getMessage()).contains(Lab.NODE_NAME, "no answer within 1.0s");
            Socket sock = accepted.get(1, TimeUnit.SECONDS);
            if (sock != null) {
                sock.close();
            }
        }
    }

    @Test
    void jumpHostCarriesTheConnection() throws Exception {
        String jump = "root@127.0.0.1:" + lab.jumpPort();
        try (NodeSession s = connector(settings("root", lab.identity(), lab.knownHosts(), jump, false, false)).open(node())) {
            String[] conn = run(s, "echo $SSH_CONNECTION", null).outText().trim().split(" ");
            assertThat(conn[3]).isEqualTo(String.valueOf(lab.sshPort()));
            // the node's client socket belongs to the bastion's sshd, not to this JVM
            Process ss = new ProcessBuilder("ss", "-Htnp", "src", "127.0.0.1:" + conn[1], "dst", "127.0.0.1:" + lab.sshPort()).start();
            String owner = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(ss.waitFor()).isZero();
            assertThat(owner).contains("sshd").doesNotContain("java");
        }
    }

    @Test
    void jumpHostKeyIsVerifiedToo() {
        // the wrong known_hosts holds a wrong key for the bastion's port as well
        K8sCapException e = failure(() -> connector(settings("root", lab.identity(), lab.wrongKnownHosts(), "root@127.0.0.1:" + lab.jumpPort(), false, false)).open(node()));
        assertThat(e.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(e.getMessage()).contains("jump host", "127.0.0.1:" + lab.jumpPort(), "man-in-the-middle");
    }

    @Test
    void sudoUserRunsNodeScriptsAsRoot() {
        NodeScript script = NodeScript.load("ssh/whoami-test");
        try (NodeSession s = connector(settings(lab.sudoUser(), lab.identity(), lab.knownHosts(), null, true, false)).open(node())) {
            assertThat(s.sudo()).isTrue();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int status = s.run(script, List.of("it's $(not) run"), null, out, new ByteArrayOutputStream());
            assertThat(status).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("0\nit's $(not) run\n");
            assertThat(run(s, "id -un", null).outText()).as("without sudo: the login user").isEqualTo(lab.sudoUser() + "\n");
        }
    }

    @Test
    void sudoThatWantsAPasswordIsDenied() {
        NodeScript script = NodeScript.load("ssh/whoami-test");
        try (NodeSession s = connector(settings(lab.noSudoUser(), lab.identity(), lab.knownHosts(), null, true, false)).open(node())) {
            K8sCapException e = failure(() -> s.run(script, List.of("x"), null, new ByteArrayOutputStream(), new ByteArrayOutputStream()));
            assertThat(e.exitCode()).isEqualTo(ExitCode.DENIED);
            assertThat(e.getMessage()).isEqualTo("sudo on node " + Lab.NODE_NAME + " needs a password for " + lab.noSudoUser()
                    + ": allow NOPASSWD for k8scap's commands or connect as root");
        }
    }

    @Test
    void sshConfigHostAliasSuppliesHostNamePortUserAndKey() throws IOException {
        Path cfg = Files.writeString(tmp.resolve("ssh_config"), """
                Host lab-node-*
                    HostName 127.0.0.1
                    Port %d
                    User %s
                    IdentityFile %s
                    UserKnownHostsFile %s
                Host *
                    User nobody-at-all
                """.formatted(lab.sshPort(), lab.sudoUser(), lab.identity(), lab.knownHosts()));
        NodeAccessSettings s = new NodeAccessSettings(null, null, List.of(), cfg, null, null, false, Duration.ofSeconds(5), false);
        // the address would lead nowhere (nothing listens on loopback port 22 here): only the alias can work
        try (NodeSession session = connector(s).open(new NodeTarget(Lab.NODE_NAME, "127.0.0.1"))) {
            assertThat(run(session, "id -un", null).outText()).isEqualTo(lab.sudoUser() + "\n");
        }
    }

    @Test
    void lostConnectionDuringExecIsUnavailable() throws Exception {
        try (NodeSession s = connector(root()).open(node())) {
            // the sshd process serving this connection ("sshd: root@notty", parent of our shell);
            // its parent is the lab's listener, which must live on
            String pids = run(s, "echo $PPID", null).outText().trim();
            CompletableFuture<Object> running = CompletableFuture.supplyAsync(() -> {
                try {
                    return run(s, "sleep 30", null);
                } catch (K8sCapException e) {
                    return e;
                }
            });
            Thread.sleep(500);
            List<String> kill = new ArrayList<>(List.of("kill", "-KILL"));
            kill.addAll(List.of(pids.split("\\s+")));
            assertThat(new ProcessBuilder(kill).inheritIO().start().waitFor()).isZero();
            Object r = running.get(10, TimeUnit.SECONDS);
            assertThat(r).isInstanceOfSatisfying(K8sCapException.class, e -> {
                assertThat(e.exitCode()).isEqualTo(ExitCode.UNAVAILABLE);
                assertThat(e.getMessage()).contains(Lab.NODE_NAME, "lost");
            });
        }
    }

    @Test
    void closeIsIdempotentAndEndsTheSession() {
        NodeSession s = connector(root()).open(node());
        s.close();
        s.close();
        assertThatThrownBy(() -> run(s, "true", null)).isInstanceOf(K8sCapException.class).hasMessageContaining("closed");
    }
}
