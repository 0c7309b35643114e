package io.k8scap.node.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.jcraft.jsch.JSch;
import com.jcraft.jsch.KeyPair;
import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import io.k8scap.node.NodeAccessSettings;
import io.k8scap.node.NodeTarget;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key problems are found before any connection is attempted (no network needed). */
class SshConnectorKeysTest {
    @TempDir
    Path home;

    private static final NodeTarget NODE = new NodeTarget("worker-1", "127.0.0.1");

    private SshConnector connector(List<Path> keys) throws Exception {
        Files.createDirectories(home.resolve(".ssh"));
        NodeAccessSettings s = new NodeAccessSettings("root", 1, keys, null, null, null, false, Duration.ofSeconds(1), false);
        return new SshConnector(s, m -> {}, false, new SshResolver(s, home, "alice"), Map.of());
    }

    @Test
    void missingKeyFileIsAConfigError() throws Exception {
        Path missing = home.resolve("absent_key");
        assertThatThrownBy(() -> connector(List.of(missing)).open(NODE))
                .isInstanceOfSatisfying(K8sCapException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.CONFIG);
                    assertThat(e.getMessage()).contains("worker-1", "127.0.0.1:1", missing.toString(), "does not exist");
                });
    }

    @Test
    void passphraseKeyWithoutAgentIsAConfigErrorThatNeverShowsTheKey() throws Exception {
        Path key = home.resolve("locked_key");
        KeyPair kp = KeyPair.genKeyPair(new JSch(), KeyPair.ED25519);
        kp.writeOpenSSHv1PrivateKey(key.toString(), "s3cret".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> connector(List.of(key)).open(NODE))
                .isInstanceOfSatisfying(K8sCapException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.CONFIG);
                    assertThat(e.getMessage()).contains(key.toString(), "passphrase", "ssh-agent")
                            .doesNotContain("s3cret").doesNotContain("PRIVATE KEY");
                });
    }

    @Test
    void garbageKeyFileIsAConfigError() throws Exception {
        Path key = Files.writeString(home.resolve("not_a_key"), "hello\n");
        assertThatThrownBy(() -> connector(List.of(key)).open(NODE))
                .isInstanceOfSatisfying(K8sCapException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.CONFIG);
                    assertThat(e.getMessage()).contains(key.toString()).doesNotContain("hello");
                });
    }

    @Test
    void noKeyAtAllIsAConfigError() throws Exception {
        assertThatThrownBy(() -> connector(List.of()).open(NODE))
                .isInstanceOfSatisfying(K8sCapException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.CONFIG);
                    assertThat(e.getMessage()).contains("no SSH key", "-i");
                });
    }
}
