package io.k8scap.cli;

import static io.k8scap.lab.LabTraffic.assertNoTcpdumpLeft;
import static io.k8scap.lab.LabTraffic.tshark;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.k8scap.lab.Lab;
import io.k8scap.lab.LabTraffic;
import io.k8scap.lab.MockCluster;
import io.k8scap.lab.PrivateSshd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * More pods on one node than one SSH connection carries: 12 pods on lab-node-1, reached through an
 * sshd with OpenSSH's default {@code MaxSessions} (10) — the test's own ({@link PrivateSshd}, the
 * lab node's host key), since the lab's sshd allows 50. Each pod's tcpdump is one command on the
 * node, so k8scap needs a second SSH connection. The pods are clones in the API that point at the
 * lab's two real containers (same containerID: 6 tcpdumps on each real veth), as in
 * {@code BenchApiServer}.
 */
@Tag("lab")
class CaptureManyPodsLabTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PODS = 12;
    private static final String NAMESPACE = "many";

    private static Lab lab;
    private static PrivateSshd sshd;
    private static MockCluster cluster;
    private static Path kubeconfig;
    private static Path emptySshConfig;
    private static final List<String> podNames = new ArrayList<>();

    @TempDir
    static Path dir;

    private final LabTraffic traffic = new LabTraffic();

    @BeforeAll
    static void start() throws Exception {
        lab = Lab.load();
        sshd = PrivateSshd.start(lab, -1);
        cluster = MockCluster.start().loadLab(lab);
        Lab.LabPod[] sources = {lab.pod("docker"), lab.pod("containerd")};
        for (int i = 0; i < PODS; i++) {
            Lab.LabPod src = sources[i % 2];
            String name = "many-" + i;
            podNames.add(NAMESPACE + "/" + name);
            cluster.addPod(new Lab.LabPod("many" + i, NAMESPACE, name, "0c0c0c0c-0000-4000-8000-0000000000" + String.format("%02x", i),
                    src.container(), src.containerId(), src.podIP(), false, "app=many", ""), lab.sshAddress());
        }
        kubeconfig = cluster.writeKubeconfig(dir, NAMESPACE);
        emptySshConfig = Files.writeString(dir.resolve("ssh_config"), "");
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
        if (sshd != null) {
            sshd.close();
        }
    }

    @AfterEach
    void stopTraffic() throws InterruptedException {
        traffic.close();
    }

    private static CliRunner.Result run(String command, String... extra) {
        List<String> all = new ArrayList<>(List.of(command, "--kubeconfig", kubeconfig.toString(), "--ssh-config", emptySshConfig.toString(),
                "--ssh-port", String.valueOf(sshd.port()), "--ssh-user", "root", "-i", lab.identity().toString(),
                "--known-hosts", sshd.knownHosts().toString(), "--via", "ssh"));
        all.addAll(List.of(extra));
        return CliRunner.run(all.toArray(String[]::new));
    }

    private void sendHttpToBothContainers() {
        traffic.keepSending("timeout 5 busybox wget -q -O - http://" + lab.pod("docker").podIP() + ":8080/");
        traffic.keepSending("timeout 5 busybox wget -q -O - http://" + lab.pod("containerd").podIP() + ":8080/");
    }

    @Test
    void twelvePodsOnOneNodeAreAllInTheMergedPcapng() throws Exception {
        sendHttpToBothContainers();
        Path out = dir.resolve("twelve.pcapng");
        String marker = String.valueOf(40000 + ThreadLocalRandom.current().nextInt(20000));
        var r = run("capture", "-l", "app=many", "--max-pods", String.valueOf(PODS), "-w", out.toString(), "--duration", "5s",
                "-o", "json", "tcp port 8080 or port " + marker).assertExit(0);
        assertNoTcpdumpLeft(marker);

        JsonNode report = JSON.readTree(r.out());
        assertThat(report.path("pods")).hasSize(PODS);
        assertThat(r.err()).contains("stopped (--duration 5s reached)");
        for (String pod : podNames) {
            assertThat(r.err()).contains("capturing " + pod + " on " + Lab.NODE_NAME);
        }
        List<String> rows = tshark(out, "frame.interface_name", "frame.interface_description", "tcp.port");
        Set<String> podsWithPackets = new HashSet<>();
        for (String row : rows) {
            String[] f = row.split("\\|");
            assertThat(f[1]).as("interface description of %s", f[0]).startsWith(Lab.NODE_NAME + " ");
            assertThat(f[2]).contains("8080");
            podsWithPackets.add(f[0]);
        }
        assertThat(podsWithPackets).as("pods with packets in the merged pcapng").containsExactlyInAnyOrderElementsOf(podNames);
        assertThat(report.path("packets").asLong()).isEqualTo(rows.size());
    }

    @Test
    void twelvePodsStopAtCountAndLeaveNoTcpdump() throws Exception {
        sendHttpToBothContainers();
        Path out = dir.resolve("count.pcapng");
        String marker = String.valueOf(40000 + ThreadLocalRandom.current().nextInt(20000));
        var r = run("capture", "-l", "app=many", "--max-pods", String.valueOf(PODS), "-w", out.toString(), "--count", "200",
                "tcp port 8080 or port " + marker).assertExit(0);
        assertNoTcpdumpLeft(marker);
        assertThat(r.err()).contains("stopped (--count 200 reached): 200 packets");
        assertThat(tshark(out, "frame.interface_name")).hasSize(200);
    }

    @Test
    void locateFindsAllTwelvePods() throws Exception {
        var r = run("locate", "-l", "app=many", "-o", "json").assertExit(0);
        JsonNode items = JSON.readTree(r.out()).path("items");
        assertThat(items).hasSize(PODS);
        for (JsonNode item : items) {
            String name = item.path("name").asText(item.path("pod").asText());
            int index = Integer.parseInt(name.substring(name.lastIndexOf('-') + 1));
            String source = index % 2 == 0 ? "docker" : "containerd";
            assertThat(item.path("pid").asLong()).as("pid of %s", name).isEqualTo(lab.truth(source).pid());
        }
    }
}
