package io.k8scap.node.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import com.jcraft.jsch.JSch;
import com.jcraft.jsch.KeyPair;
import io.k8scap.lab.Lab;
import io.k8scap.node.NodeAccessSettings;
import io.k8scap.node.NodeSession;
import io.k8scap.node.NodeTarget;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys from a real ssh-agent (started here, on a socket in a temp dir, killed after). */
@Tag("lab")
class SshAgentLabTest {
    @TempDir
    Path tmp;
    Lab lab;
    Path sock;
    Process agent;
    final List<String> notices = new ArrayList<>();

    @BeforeEach
    void startAgent() throws Exception {
        lab = Lab.load();
        sock = tmp.resolve("agent.sock");
        agent = new ProcessBuilder("ssh-agent", "-D", "-a", sock.toString()).redirectErrorStream(true).start();
        for (int i = 0; i < 50 && !Files.exists(sock); i++) {
            Thread.sleep(50);
        }
        ProcessBuilder add = new ProcessBuilder("ssh-add", lab.identity().toString()).redirectErrorStream(true);
        add.environment().put("SSH_AUTH_SOCK", sock.toString());
        Process p = add.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
    }

    @AfterEach
    void stopAgent() throws Exception {
        agent.destroy();
        agent.waitFor(5, TimeUnit.SECONDS);
    }

    private SshConnector connector(List<Path> keys) {
        Path home = tmp.resolve("home"); // no ~/.ssh keys: only the agent can log in
        NodeAccessSettings s = new NodeAccessSettings("root", lab.sshPort(), keys, tmp.resolve("none"), lab.knownHosts(), null, false, Duration.ofSeconds(5), false);
        try {
            Files.createDirectories(home);
            Files.writeString(s.sshConfig(), "");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return new SshConnector(s, notices::add, false, new SshResolver(s, home, "root"), Map.of("SSH_AUTH_SOCK", sock.toString()));
    }

    private static String whoami(NodeSession s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        s.exec("id -un", null, out, new ByteArrayOutputStream());
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void agentKeyLogsIn() {
        try (NodeSession s = connector(List.of()).open(new NodeTarget(Lab.NODE_NAME, lab.sshAddress()))) {
            assertThat(whoami(s)).isEqualTo("root\n");
        }
        assertThat(notices).isEmpty();
    }

    @Test
    void passphraseKeyIsLeftToTheAgent() throws Exception {
        Path locked = tmp.resolve("locked_key");
        KeyPair.genKeyPair(new JSch(), KeyPair.ED25519).writeOpenSSHv1PrivateKey(locked.toString(), "pw".getBytes(StandardCharsets.UTF_8));
        try (NodeSession s = connector(List.of(locked)).open(new NodeTarget(Lab.NODE_NAME, lab.sshAddress()))) {
            assertThat(whoami(s)).isEqualTo("root\n");
        }
    }
}
