package io.k8scap.node.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import io.k8scap.node.NodeAccessSettings;
import io.k8scap.node.NodeTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SshResolverTest {
    @TempDir
    Path home;

    private static final NodeTarget NODE = new NodeTarget("worker-1", "10.0.0.11");

    private Path config(String text) throws IOException {
        Path ssh = Files.createDirectories(home.resolve(".ssh"));
        Path f = ssh.resolve("config");
        Files.writeString(f, text);
        return f;
    }

    private static NodeAccessSettings flags(String user, Integer port, List<Path> keys, Path config, Path known, String jump) {
        return new NodeAccessSettings(user, port, keys, config, known, jump, false, null, false);
    }

    private SshRoute resolve(NodeAccessSettings s, NodeTarget t) {
        return new SshResolver(s, home, "alice").resolve(t);
    }

    @Test
    void hostEntryMatchingTheNodeNameApplies() throws IOException {
        Path cfg = config("""
                Host worker-*
                    HostName %h.internal.example
                    User admin
                    Port 2200
                    IdentityFile ~/.ssh/work_key
                    UserKnownHostsFile ~/.ssh/work_known_hosts
                """);
        Files.writeString(home.resolve(".ssh/work_key"), "x");
        SshRoute r = resolve(flags(null, null, null, cfg, null, null), NODE);
        assertThat(r.configHost()).isEqualTo("worker-1");
        assertThat(r.node().host()).isEqualTo("worker-1.internal.example");
        assertThat(r.node().user()).isEqualTo("admin");
        assertThat(r.node().port()).isEqualTo(2200);
        assertThat(r.node().identities()).containsExactly(new SshEndpoint.Identity(home.resolve(".ssh/work_key"), true));
        assertThat(r.node().knownHosts()).startsWith(home.resolve(".ssh/work_known_hosts"));
        assertThat(r.jumps()).isEmpty();
    }

    @Test
    void withoutAMatchingNameTheAddressIsLookedUp() throws IOException {
        Path cfg = config("""
                Host other-node
                    User nobody
                Host 10.0.0.*
                    User ubuntu
                    Port 2201
                """);
        SshRoute r = resolve(flags(null, null, null, cfg, null, null), NODE);
        assertThat(r.configHost()).isEqualTo("10.0.0.11");
        assertThat(r.node().host()).isEqualTo("10.0.0.11");
        assertThat(r.node().user()).isEqualTo("ubuntu");
        assertThat(r.node().port()).isEqualTo(2201);
    }

    @Test
    void aBareStarEntryDoesNotCountAsAMatchForTheName() throws IOException {
        Path cfg = config("""
                Host *
                    User everyone
                Host 10.0.0.11
                    Port 2202
                """);
        SshRoute r = resolve(flags(null, null, null, cfg, null, null), NODE);
        assertThat(r.configHost()).as("Host * alone must not select the node name").isEqualTo("10.0.0.11");
        assertThat(r.node().port()).isEqualTo(2202);
        assertThat(r.node().user()).as("Host * still applies").isEqualTo("everyone");
    }

    @Test
    void negatedPatternExcludesTheName() throws IOException {
        Path cfg = config("""
                Host worker-* !worker-1
                    User admin
                """);
        SshRoute r = resolve(flags(null, null, null, cfg, null, null), NODE);
        assertThat(r.configHost()).isEqualTo("10.0.0.11");
        assertThat(r.node().user()).isEqualTo("alice");
    }

    @Test
    void flagsOverrideTheConfig() throws IOException {
        Path cfg = config("""
                Host worker-1
                    User admin
                    Port 2200
                    IdentityFile /nonexistent/config_key
                    ProxyJump cfg-bastion
                """);
        Path key = Files.writeString(home.resolve("flag_key"), "x");
        Path known = home.resolve("kh");
        SshRoute r = resolve(flags("root", 2222, List.of(key), cfg, known, "ops@bastion:2022"), NODE);
        assertThat(r.node().user()).isEqualTo("root");
        assertThat(r.node().port()).isEqualTo(2222);
        assertThat(r.node().identities()).first().isEqualTo(new SshEndpoint.Identity(key, true));
        assertThat(r.node().knownHosts()).containsExactly(known);
        assertThat(r.jumps()).singleElement().satisfies(j -> {
            assertThat(j.host()).isEqualTo("bastion");
            assertThat(j.port()).isEqualTo(2022);
            assertThat(j.user()).isEqualTo("ops");
            assertThat(j.knownHosts()).containsExactly(known);
        });
    }

    @Test
    void proxyJumpFromConfigAndTheBastionsOwnHostEntry() throws IOException {
        Path cfg = config("""
                Host worker-1
                    ProxyJump bastion
                Host bastion
                    HostName 192.0.2.10
                    User jumper
                    Port 2022
                """);
        SshRoute r = resolve(flags(null, null, null, cfg, null, null), NODE);
        assertThat(r.jumps()).singleElement().satisfies(j -> {
            assertThat(j.host()).isEqualTo("192.0.2.10");
            assertThat(j.port()).isEqualTo(2022);
            assertThat(j.user()).isEqualTo("jumper");
        });
        assertThat(r.node().host()).as("no HostName: the node address").isEqualTo("10.0.0.11");
        assertThat(r.node().user()).isEqualTo("alice");
    }

    @Test
    void defaultsAreOpenSshs() throws IOException {
        Files.createDirectories(home.resolve(".ssh"));
        Files.writeString(home.resolve(".ssh/id_rsa"), "x");
        Files.writeString(home.resolve(".ssh/id_ed25519"), "x");
        SshRoute r = resolve(flags(null, null, null, null, null, null), NODE);
        assertThat(r.node().user()).isEqualTo("alice");
        assertThat(r.node().port()).isEqualTo(22);
        assertThat(r.node().identities()).extracting(SshEndpoint.Identity::path)
                .containsExactly(home.resolve(".ssh/id_ed25519"), home.resolve(".ssh/id_rsa"));
        assertThat(r.node().identities()).noneMatch(SshEndpoint.Identity::explicit);
        assertThat(r.node().knownHosts()).first().isEqualTo(home.resolve(".ssh/known_hosts"));
    }

    @Test
    void missingExplicitConfigIsAConfigError() {
        Path missing = home.resolve("nope/config");
        assertThatThrownBy(() -> resolve(flags(null, null, null, missing, null, null), NODE))
                .isInstanceOfSatisfying(K8sCapException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.CONFIG);
                    assertThat(e.getMessage()).contains(missing.toString());
                });
    }

    @Test
    void proxyCommandIsRefusedRatherThanIgnored() throws IOException {
        Path cfg = config("""
                Host worker-1
                    ProxyCommand ssh -W %h:%p bastion
                """);
        assertThatThrownBy(() -> resolve(flags(null, null, null, cfg, null, null), NODE))
                .isInstanceOfSatisfying(K8sCapException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.CONFIG);
                    assertThat(e.getMessage()).contains("ProxyJump");
                });
    }

    @Test
    void includeAndKeyEqualsValueAndCaseInsensitiveKeywords() throws IOException {
        Path ssh = Files.createDirectories(home.resolve(".ssh/config.d"));
        Files.writeString(ssh.resolve("nodes"), "HOST worker-1\n  port=2203\n  USER \"ops team\"\n");
        Path cfg = config("Include config.d/*\n");
        SshRoute r = resolve(flags(null, null, null, cfg, null, null), NODE);
        assertThat(r.node().port()).isEqualTo(2203);
        assertThat(r.node().user()).isEqualTo("ops team");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            bastion                  | -     | bastion     | -
            ops@bastion              | ops   | bastion     | -
            ops@bastion:2022         | ops   | bastion     | 2022
            bastion.example.com:22   | -     | bastion.example.com | 22
            ssh://ops@10.1.2.3:2222  | ops   | 10.1.2.3    | 2222
            [2001:db8::1]:2022       | -     | 2001:db8::1 | 2022
            root@[::1]               | root  | ::1         | -
            2001:db8::1              | -     | 2001:db8::1 | -
            """)
    void jumpSpecs(String spec, String user, String host, Integer port) {
        assertThat(JumpSpec.parse(spec, "--jump")).isEqualTo(new JumpSpec(user, host, port));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            bastion:notaport
            bastion:0
            @bastion
            ops@
            [::1
            """)
    void badJumpSpecsAreUsageErrors(String spec) {
        assertThatThrownBy(() -> JumpSpec.parse(spec, "--jump"))
                .isInstanceOfSatisfying(K8sCapException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE));
    }

    @Test
    void jumpChainsAndNone() {
        assertThat(JumpSpec.parseList("a@h1,h2:23", "--jump"))
                .containsExactly(new JumpSpec("a", "h1", null), new JumpSpec(null, "h2", 23));
        assertThat(JumpSpec.parseList("none", "ProxyJump")).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            AAAAC3NzaC1lZDI1NTE5AAAAIDJ2aDB3kw0Wb6a0HiK1+TxXy2Dm0g1pR1ZRXxRbpbsF | ssh-ed25519
            AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBPgk | ecdsa-sha2-nistp256
            """)
    void hostKeyTypeFromBlob(String base64, String type) {
        assertThat(HostKeyVerifier.keyType(java.util.Base64.getDecoder().decode(base64))).isEqualTo(type);
    }
}
