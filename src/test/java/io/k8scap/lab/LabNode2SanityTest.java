package io.k8scap.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static io.k8scap.lab.LabCommands.exec;
import static io.k8scap.lab.LabCommands.link;
import static io.k8scap.lab.LabCommands.run;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Checks that the second lab node built by {@code scripts/lab/node2.sh up} is what
 * {@code node2.properties} says it is — an sshd with its own host key in its own network namespace,
 * pods whose veth peers live in that namespace (not on the host), traffic routed host → node → pod —
 * reading the kernel, sshd and the runtimes directly, not through k8scap's code.
 */
@Tag("lab")
class LabNode2SanityTest {

    private static Lab.Node2 node2;

    @BeforeAll
    static void loadNode2() {
        node2 = Lab.node2();
    }

    @Test
    void node2HasADockershimAndAContainerdPodWithOwners() {
        assertThat(node2.name()).isEqualTo(Lab.Node2.NAME);
        assertThat(node2.address()).isEqualTo("10.244.90.2");
        assertThat(node2.podKeys()).containsExactly("node2-docker", "node2-containerd");
        for (String key : node2.podKeys()) {
            assertThat(node2.podProperty(key, "node")).as("node of %s", key).isEqualTo(Lab.Node2.NAME);
            assertThat(node2.pod(key).namespace()).isEqualTo("shop");
            assertThat(node2.pod(key).hostNetwork()).isFalse();
        }
        Lab.LabPod cart = node2.pod("node2-docker");
        assertThat(cart.name()).isEqualTo("cart-5f6d7c8b9-q7w2e");
        assertThat(cart.container()).isEqualTo("cart");
        assertThat(cart.containerId()).matches("docker://[0-9a-f]{64}");
        assertThat(cart.owner()).isEqualTo("ReplicaSet/cart-5f6d7c8b9");
        assertThat(cart.labels()).contains("app=cart");
        Lab.LabPod checkout = node2.pod("node2-containerd");
        assertThat(checkout.name()).isEqualTo("checkout-0");
        assertThat(checkout.container()).isEqualTo("checkout");
        assertThat(checkout.containerId()).matches("containerd://[0-9a-f]{64}");
        assertThat(checkout.owner()).isEqualTo("StatefulSet/checkout");
        assertThat(checkout.labels()).contains("app=checkout");
    }

    @Test
    void rootLogsInOverStrictSshAndLandsInNode2sNetns() throws IOException {
        String remote = run(ssh(node2.knownHosts(), "readlink /proc/self/ns/net; id -u")).strip();
        String here = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        assertThat(remote.lines().toList()).containsExactly("net:[" + node2.netnsInode() + "]", "0");
        assertThat(remote.lines().findFirst().orElseThrow()).as("node 2's netns vs this JVM's").isNotEqualTo(here);
        // the netns name in /var/run/netns really is that namespace
        assertThat(run("stat", "-L", "-c", "%i", "/var/run/netns/" + node2.netnsName()).strip())
                .isEqualTo(Long.toString(node2.netnsInode()));
    }

    @Test
    void node2HasItsOwnHostKeyAndTheStrictCheckBites() throws IOException {
        Path sshProps = Lab.dir().resolve("ssh.properties");
        if (Files.isRegularFile(sshProps)) {
            assertThat(node2.hostKeyFingerprint()).isNotEqualTo(Lab.load().hostKeyFingerprint());
        }
        assertThat(run("ssh-keygen", "-F", node2.address(), "-f", node2.knownHosts().toString())).contains("ssh-ed25519");
        // node 1's known_hosts does not know node 2: a strict client refuses it
        Path empty = Files.createTempFile("k8scap-node2-empty-known-hosts", "");
        try {
            LabCommands.Result r = exec(ssh(empty, "true"));
            assertThat(r.code()).as("ssh with an empty known_hosts: %s", r.err()).isEqualTo(255);
            assertThat(r.err()).containsIgnoringCase("host key verification failed");
        } finally {
            Files.deleteIfExists(empty);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"node2-docker", "node2-containerd"})
    void recordedPidIsTheContainersProcessInTheRecordedNetns(String key) throws IOException {
        Lab.LabPod pod = node2.pod(key);
        Lab.PodTruth t = node2.truth(key);
        LabCommands.assertIsTheContainersProcess(key, pod, t);
        assertThat(t.netns()).as("pod netns is not node 2's").isNotEqualTo(node2.netnsInode());
        if (pod.containerId().startsWith("containerd://")) {
            assertThat(run("stat", "-L", "-c", "%i", "/var/run/netns/" + node2.podProperty(key, "netnsName")).strip())
                    .isEqualTo(Long.toString(t.netns()));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"node2-docker", "node2-containerd"})
    void podPeerLivesOnNode2sBridgeNotOnTheHost(String key) {
        Lab.LabPod pod = node2.pod(key);
        Lab.PodTruth t = node2.truth(key);
        String pid = Long.toString(t.pid());

        Matcher in = link(run("nsenter", "-t", pid, "-n", "ip", "-o", "link", "show", "dev", "eth0"));
        assertThat(Integer.parseInt(in.group(1))).isEqualTo(t.podIfIndex());
        assertThat(in.group(3)).as("eth0@ifN of %s", key).isEqualTo(Integer.toString(t.peerIndex()));
        assertThat(run("nsenter", "-t", pid, "-n", "ip", "-o", "-d", "link", "show", "dev", "eth0")).contains(" veth ");
        assertThat(run("nsenter", "-t", pid, "-n", "ip", "-o", "-4", "addr", "show", "dev", "eth0"))
                .contains(" inet " + pod.podIP() + "/24 ");
        assertThat(t.hostIf()).matches(key.equals("node2-docker") ? "veth[0-9a-f]{8}" : "cali[0-9a-f]{11}");
        assertThat(t.peerIndex()).isEqualTo(t.linkIndex()).isEqualTo(t.hostIfIndex());

        // Seen from node 2, the peer is ifindex N, points back at the pod's eth0, and is on cni0 …
        String onNode2 = run("ip", "netns", "exec", node2.netnsName(), "ip", "-o", "link", "show", "dev", t.hostIf());
        Matcher n = link(onNode2);
        assertThat(Integer.parseInt(n.group(1))).isEqualTo(t.hostIfIndex());
        assertThat(n.group(3)).isEqualTo(Integer.toString(t.podIfIndex()));
        assertThat(onNode2).contains(" master " + node2.bridge() + " ");
        assertThat(run("ip", "netns", "exec", node2.netnsName(), "ip", "-o", "link")).contains(": " + t.hostIf() + "@if");
        // … and the host has no interface of that name: looking on the host would find the wrong one.
        LabCommands.Result onHost = exec("ip", "-o", "link", "show", "dev", t.hostIf());
        assertThat(onHost.code()).as("%s on the host: %s", t.hostIf(), onHost.out()).isNotZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"node2-docker", "node2-containerd"})
    void hostReachesNode2PodsOverHttpThroughTheNode(String key) throws Exception {
        Lab.PodTruth t = node2.truth(key);
        assertThat(run("ip", "route", "show", node2.podCidr())).contains("via " + node2.address() + " dev " + node2.hostIf());
        HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(t.url())).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(t.content() + "\n");
        assertThat(t.content()).contains(node2.pod(key).namespace() + "/" + node2.pod(key).name());
    }

    // ---- helpers ----------------------------------------------------------------------------

    private static String[] ssh(Path knownHosts, String command) {
        return new String[] {"timeout", "20", "ssh", "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
            "-o", "UserKnownHostsFile=" + knownHosts, "-o", "GlobalKnownHostsFile=/dev/null", "-o", "IdentitiesOnly=yes",
            "-i", node2.identity().toString(), "-p", Integer.toString(node2.sshPort()),
            node2.sshUser() + "@" + node2.address(), command};
    }
}
