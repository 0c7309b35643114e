package io.k8scap.node.pod;

import io.k8scap.node.NodeAccess;
import io.k8scap.node.ViaMode;
import io.k8scap.node.PodAccessSettings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.jcraft.jsch.JSch;
import com.jcraft.jsch.KeyPair;
import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import io.k8scap.node.LocalNodeSession;
import io.k8scap.node.NodeAccessSettings;
import io.k8scap.node.NodeSession;
import io.k8scap.node.NodeTarget;
import io.k8scap.node.ssh.SshConnector;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --via auto|ssh|pod}. SSH is the real SshConnector, aimed at a loopback port nothing
 * listens on (a real "connection refused"); the API server is the mock.
 */
@Timeout(60)
class NodeAccessTest {
    static final String NS = "diag";
    static final NodeTarget NODE = new NodeTarget("node-a", "127.0.0.1");

    @TempDir
    Path dir;
    HelperPodMock mock;
    List<String> notices = new CopyOnWriteArrayList<>();
    NodeAccessSettings ssh;

    @BeforeEach
    void start() throws Exception {
        mock = new HelperPodMock().namespace(NS, "privileged").kubelet(HelperPodMock::running);
        Path key = dir.resolve("id_ecdsa");
        KeyPair kp = KeyPair.genKeyPair(new JSch(), KeyPair.ECDSA, 256);
        kp.writePrivateKey(key.toString());
        kp.dispose();
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        ssh = new NodeAccessSettings("root", closedPort, List.of(key), Files.createFile(dir.resolve("ssh_config")),
                Files.createFile(dir.resolve("known_hosts")), null, false, Duration.ofSeconds(5), false);
    }

    @AfterEach
    void stop() {
        mock.close();
    }

    HelperPodConnector pods() {
        return new HelperPodConnector(mock.client, PodAccessSettings.defaults(), new HelperPods(mock.client, notices::add, Duration.ofMillis(20)), "s1");
    }

    @Test
    void autoFallsBackToAHelperPodWhenSshIsRefusedAndSaysWhy() {
        var chooser = new NodeAccess(new SshConnector(ssh, notices::add)::open, pods(), notices::add);
        try (NodeSession s = chooser.open(NODE, ViaMode.AUTO, NS)) {
            assertThat(s).isInstanceOf(PodNodeSession.class);
            assertThat(mock.helperPods()).hasSize(1);
        }
        assertThat(mock.helperPods()).isEmpty();
        assertThat(notices).singleElement().asString()
                .startsWith("using a helper pod on node node-a (no SSH: ")
                .contains("refused")
                .endsWith("); it is removed when the command ends");
    }

    @Test
    void autoUsesSshWhenItWorksAndCreatesNothing() {
        // LocalNodeSession stands in for a working SSH session (this machine's sh, no SSH hop).
        var chooser = new NodeAccess(node -> new LocalNodeSession(node, false), pods(), notices::add);
        try (NodeSession s = chooser.open(NODE, ViaMode.AUTO, NS)) {
            assertThat(s).isInstanceOf(LocalNodeSession.class);
        }
        assertThat(mock.dryRuns).isEmpty();
        assertThat(mock.helperPods()).isEmpty();
        assertThat(notices).isEmpty();
    }

    @Test
    void viaSshNeverFallsBack() {
        var chooser = new NodeAccess(new SshConnector(ssh, notices::add)::open, pods(), notices::add);
        assertThatThrownBy(() -> chooser.open(NODE, ViaMode.SSH, NS))
                .isInstanceOfSatisfying(K8sCapException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.UNAVAILABLE));
        assertThat(mock.helperPods()).isEmpty();
    }

    @Test
    void viaPodNeverTriesSsh() {
        var chooser = new NodeAccess(node -> {
            throw new AssertionError("SSH must not be tried with --via pod");
        }, pods(), notices::add);
        try (NodeSession s = chooser.open(NODE, ViaMode.POD, NS)) {
            assertThat(s.sudo()).isFalse();
            assertThat(s.target()).isEqualTo(NODE);
        }
    }

    @Test
    void whenBothFailTheHelperPodsReasonComesWithTheSshOne() {
        mock.denied.add("create pods/exec");
        var chooser = new NodeAccess(new SshConnector(ssh, notices::add)::open, pods(), notices::add);
        assertThatThrownBy(() -> chooser.open(NODE, ViaMode.AUTO, NS))
                .isInstanceOfSatisfying(K8sCapException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.DENIED);
                    assertThat(e.getMessage()).startsWith("not allowed to create pods/exec in namespace diag").contains("(and SSH did not work: ");
                });
    }

    @Test
    void autoDoesNotWorkAroundAnUnknownHostKeyOrARefusedLogin() {
        for (ExitCode code : new ExitCode[] {ExitCode.CONFIG, ExitCode.DENIED}) {
            var chooser = new NodeAccess(node -> {
                throw new K8sCapException(code, "ssh to node node-a: refused for this test");
            }, pods(), notices::add);
            assertThatThrownBy(() -> chooser.open(NODE, ViaMode.AUTO, NS))
                    .isInstanceOfSatisfying(K8sCapException.class, e -> assertThat(e.exitCode()).isEqualTo(code));
            assertThat(mock.helperPods()).isEmpty();
            assertThat(mock.dryRuns).isEmpty();
        }
    }

    @Test
    void anInterruptedSshAttemptDoesNotFallBack() {
        var chooser = new NodeAccess(node -> {
            throw new K8sCapException(ExitCode.INTERRUPTED, "interrupted");
        }, pods(), notices::add);
        assertThatThrownBy(() -> chooser.open(NODE, ViaMode.AUTO, NS))
                .isInstanceOfSatisfying(K8sCapException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.INTERRUPTED));
        assertThat(mock.helperPods()).isEmpty();
    }
}
