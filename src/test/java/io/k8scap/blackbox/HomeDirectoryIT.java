package io.k8scap.blackbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.k8scap.lab.MockCluster;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar with a {@code HOME} that is not the passwd entry's home (root's is /root): every
 * default path — ~/.kube/config, ~/.ssh/config, the default keys — comes from {@code $HOME}, as
 * kubectl reads it; the JVM's {@code user.home} only when HOME is unset.
 */
class HomeDirectoryIT {
    private static final Path JAR = Path.of(System.getProperty("k8scap.jar", "target/k8scap.jar"));
    private static MockCluster cluster;

    @TempDir
    Path home;

    @BeforeAll
    static void cluster() {
        cluster = MockCluster.start();
        cluster.client().nodes().resource(new NodeBuilder().withNewMetadata().withName("home-node").endMetadata()
                .withNewStatus().addNewAddress().withType("InternalIP").withAddress("127.0.0.1").endAddress().endStatus()
                .build()).create();
        cluster.client().pods().inNamespace("default").resource(new PodBuilder()
                .withNewMetadata().withName("web-0").withNamespace("default").endMetadata()
                .withNewSpec().withNodeName("home-node")
                .withContainers(new ContainerBuilder().withName("web").withImage("busybox").build()).endSpec()
                .withNewStatus().withPhase("Running").withHostIP("127.0.0.1").withPodIP("10.1.2.3")
                .withContainerStatuses(new ContainerStatusBuilder().withName("web").withContainerID("containerd://" + "ab".repeat(32))
                        .withReady(true).withNewState().withNewRunning().endRunning().endState().build())
                .endStatus().build()).create();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    record Run(int exit, String out, String err) {}

    /** The jar with HOME set to {@code homeValue} (null: unset), and no KUBECONFIG or ssh-agent. */
    static Run k8scap(String homeValue, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Map<String, String> env = pb.environment();
        env.remove("KUBECONFIG");
        env.remove("SSH_AUTH_SOCK");
        if (homeValue == null) {
            env.remove("HOME");
        } else {
            env.put("HOME", homeValue);
        }
        Process p = pb.start();
        var out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("k8scap finished").isTrue();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), err);
    }

    private void writeKubeconfig() throws IOException {
        Files.createDirectories(home.resolve(".kube"));
        Files.move(cluster.writeKubeconfig(Files.createTempDirectory(home, "kc"), "default"), home.resolve(".kube/config"));
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void theMissingDefaultKubeconfigIsNamedUnderHome() throws Exception {
        Run r = k8scap(home.toString(), "locate", "web-0");
        assertThat(r.exit()).as(r.err()).isEqualTo(3);
        assertThat(r.err().strip()).isEqualTo("error: no kubeconfig: " + home.resolve(".kube/config")
                + " does not exist and KUBECONFIG is not set; pass --kubeconfig PATH");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void withoutHomeThePasswdEntrysHomeIsUsed() throws Exception {
        Run r = k8scap(null, "locate", "web-0");
        String passwdHome = System.getProperty("user.home");
        if (Files.exists(Path.of(passwdHome, ".kube/config"))) {
            assertThat(r.err()).doesNotContain("no kubeconfig");
        } else {
            assertThat(r.exit()).as(r.err()).isEqualTo(3);
            assertThat(r.err()).contains("no kubeconfig: " + Path.of(passwdHome, ".kube/config") + " does not exist");
        }
    }

    @Test
    void kubeconfigSshConfigAndKeysComeFromHome() throws Exception {
        writeKubeconfig();
        Path ssh = Files.createDirectories(home.resolve(".ssh"));
        Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", ssh.resolve("id_ed25519").toString())
                .redirectErrorStream(true).start();
        keygen.getInputStream().readAllBytes();
        assertThat(keygen.waitFor()).isZero();
        int port = closedPort();
        Files.writeString(ssh.resolve("config"), "Host home-node\n  Port " + port + "\n");

        // The ssh config under HOME sent k8scap to that port, with the default key under HOME loaded.
        Run r = k8scap(home.toString(), "locate", "web-0", "--via", "ssh");
        assertThat(r.exit()).as(r.err()).isEqualTo(6);
        assertThat(r.err()).contains("connection refused by 127.0.0.1:" + port);

        // The default key k8scap loads is HOME's: a broken one is named by its path under HOME.
        Files.writeString(ssh.resolve("id_ed25519"), "not a key\n");
        Run broken = k8scap(home.toString(), "locate", "web-0", "--via", "ssh");
        assertThat(broken.exit()).as(broken.err()).isEqualTo(3);
        assertThat(broken.err()).contains("cannot use SSH key " + ssh.resolve("id_ed25519"));
    }
}
