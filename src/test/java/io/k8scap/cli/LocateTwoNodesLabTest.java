package io.k8scap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.k8scap.lab.Lab;
import io.k8scap.lab.MockCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code k8scap locate} across two nodes: lab-node-1 (sshd on 127.0.0.1:2222, pods on k8scap0) and
 * lab-node-2 (sshd on 10.244.90.2:22 in netns k8scap-node2, pods on its cni0). The nodes differ in
 * address and port, so each gets its own {@code Host} entry in an ssh config and k8scap dials the
 * node name ({@code --node-address name}). Node 2's pods' host-side peers exist only in node 2's
 * netns, with ifindexes that on this machine's own netns belong to other interfaces: an answer read
 * from the wrong namespace would not match.
 */
@Tag("lab")
class LocateTwoNodesLabTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Lab lab;
    private static Lab.Node2 node2;
    private static MockCluster cluster;
    private static Path kubeconfig;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startCluster() throws IOException {
        lab = Lab.load();
        node2 = Lab.node2(lab.labDir());
        cluster = MockCluster.start().loadLab(lab).loadNode2(lab);
        kubeconfig = cluster.writeKubeconfig(dir, "default");
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** known_hosts holding both nodes' keys, as a user's file would. */
    private static Path bothKnownHosts() throws IOException {
        Path f = dir.resolve("known_hosts_both");
        Files.writeString(f, Files.readString(lab.knownHosts()) + Files.readString(node2.knownHosts()));
        return f;
    }

    private static Path sshConfig(String name, boolean withKnownHosts) throws IOException {
        String entry = """
                Host %s
                  HostName %s
                  Port %d
                  User %s
                  IdentityFile %s
                """;
        String n1 = entry.formatted(Lab.NODE_NAME, lab.sshAddress(), lab.sshPort(), lab.sshUser(), lab.identity());
        String n2 = entry.formatted(node2.name(), node2.address(), node2.sshPort(), node2.sshUser(), node2.identity());
        if (withKnownHosts) {
            n1 += "  UserKnownHostsFile " + lab.knownHosts() + "\n";
            n2 += "  UserKnownHostsFile " + node2.knownHosts() + "\n";
        }
        return Files.writeString(dir.resolve(name), n1 + n2);
    }

    private static CliRunner.Result locate(String... args) {
        List<String> all = new ArrayList<>(List.of("locate", "--kubeconfig", kubeconfig.toString(), "--node-address", "name"));
        all.addAll(List.of(args));
        return CliRunner.run(all.toArray(String[]::new));
    }

    private static Map<String, JsonNode> byPod(String json) throws IOException {
        Map<String, JsonNode> m = new HashMap<>();
        for (JsonNode item : JSON.readTree(json).path("items")) {
            m.put(item.path("namespace").asText() + "/" + item.path("pod").asText(), item);
        }
        return m;
    }

    private static void assertNode2Pod(JsonNode item, String key) {
        Lab.LabPod pod = node2.pod(key);
        Lab.PodTruth t = node2.truth(key);
        assertThat(item).as("locate answer for %s/%s", pod.namespace(), pod.name()).isNotNull();
        assertThat(item.has("error")).as("error for %s: %s", key, item.path("error")).isFalse();
        assertThat(item.path("node").asText()).isEqualTo(node2.name());
        assertThat(item.path("containerID").asText()).isEqualTo(pod.containerId());
        assertThat(item.path("pid").asLong()).isEqualTo(t.pid());
        assertThat(item.path("netns").asLong()).isEqualTo(t.netns());
        assertThat(item.path("hostNetwork").asBoolean()).isFalse();
        assertThat(item.path("podInterface").asText()).isEqualTo("eth0@if" + t.peerIndex());
        assertThat(item.path("podInterfaceKind").asText()).isEqualTo("veth");
        // the peer as node 2 sees it, not whatever has that ifindex in this machine's own netns
        assertThat(item.path("hostInterface").asText()).isEqualTo(t.hostIf());
        assertThat(item.path("hostInterfaceIndex").asInt()).isEqualTo(t.hostIfIndex());
        assertThat(item.path("podAddresses").toString()).contains(pod.podIP() + "/24");
        assertThat(item.path("method").asText()).isEqualTo(pod.containerId().startsWith("docker://") ? "docker" : "ctr");
    }

    @Test
    void locatesNode2PodsWithPerNodeSshConfigAndBothKeysInOneKnownHosts() throws IOException {
        // one user, one identity and one known_hosts for all nodes as flags; the Host entries
        // supply only what differs between the nodes (address, port)
        Path config = sshConfig("ssh_config_nodes", false);
        var r = locate("--ssh-config", config.toString(), "--ssh-user", "root", "-i", lab.identity().toString(),
                "--known-hosts", bothKnownHosts().toString(), "-n", "shop", "-l", "app", "-o", "json").assertExit(0);
        Map<String, JsonNode> items = byPod(r.out());
        assertThat(items).hasSize(node2.podKeys().size());
        for (String key : node2.podKeys()) {
            Lab.LabPod pod = node2.pod(key);
            assertNode2Pod(items.get(pod.namespace() + "/" + pod.name()), key);
        }
    }

    @Test
    void locatesPodsOnBothNodesInOneRun() throws IOException {
        var r = locate("--ssh-config", sshConfig("ssh_config_both", true).toString(), "-A", "-l", "app", "-o", "json").assertExit(0);
        Map<String, JsonNode> items = byPod(r.out());
        assertThat(items).hasSize(lab.podKeys().size() + node2.podKeys().size());
        for (String key : node2.podKeys()) {
            Lab.LabPod pod = node2.pod(key);
            assertNode2Pod(items.get(pod.namespace() + "/" + pod.name()), key);
        }
        for (String key : lab.podKeys()) {
            Lab.LabPod pod = lab.pod(key);
            JsonNode item = items.get(pod.namespace() + "/" + pod.name());
            assertThat(item.path("node").asText()).isEqualTo(Lab.NODE_NAME);
            assertThat(item.path("pid").asLong()).as("pid of %s", key).isEqualTo(lab.truth(key).pid());
            if (lab.truth(key).hasPeer()) {
                assertThat(item.path("hostInterface").asText()).isEqualTo(lab.truth(key).hostIf());
            }
        }
    }

    @Test
    void tableNamesEachPodsNodeAndItsPeer() throws IOException {
        var r = locate("--ssh-config", sshConfig("ssh_config_table", true).toString(), "-n", "shop", "-l", "app").assertExit(0);
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(1 + node2.podKeys().size());
        for (String key : node2.podKeys()) {
            Lab.LabPod pod = node2.pod(key);
            Lab.PodTruth t = node2.truth(key);
            assertThat(lines).anySatisfy(l -> assertThat(l.split("\\s+")).containsExactly(pod.namespace(), pod.name(), node2.name(),
                    node2.name(), pod.containerId().startsWith("docker://") ? "docker" : "containerd", pod.container(),
                    String.valueOf(t.pid()), String.valueOf(t.netns()), "eth0@if" + t.peerIndex(), t.hostIf(), pod.podIP()));
        }
    }

    @Test
    void node1sKnownHostsAloneRefusesNode2() throws IOException {
        var r = locate("--ssh-config", sshConfig("ssh_config_strict", false).toString(), "--known-hosts", lab.knownHosts().toString(),
                "-n", "shop", "-l", "app").assertExit(3);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains(node2.name()).contains(node2.hostKeyFingerprint());
    }
}
