package io.k8scap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.k8scap.lab.Lab;
import io.k8scap.lab.LabTraffic;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code capture --metadata} on the lab: each pod's network context, read by its real node from the
 * pod's real network namespace and the node's conntrack table, written beside the capture and, for a
 * merged pcapng, as section comments that capinfos reads back.
 */
@Tag("lab")
class CaptureMetadataLabTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TwoNodeLab two;
    private static Lab lab;
    private static Lab.Node2 node2;

    @TempDir
    static Path dir;

    private final LabTraffic traffic = new LabTraffic();

    @BeforeAll
    static void startCluster() throws IOException {
        two = TwoNodeLab.start(dir);
        lab = two.lab();
        node2 = two.node2();
    }

    @AfterAll
    static void stopCluster() {
        if (two != null) {
            two.close();
        }
    }

    @AfterEach
    void stopTraffic() throws InterruptedException {
        traffic.close();
    }

    private static CliRunner.Result capture(String... extra) {
        return two.capture(extra);
    }

    private static List<Path> contextFiles(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".context.txt")).sorted().toList();
        }
    }

    @Test
    void thePodsContextIsWrittenBesideTheCaptureFromItsOwnNetns() throws Exception {
        Lab.LabPod pod = lab.pod("docker");
        Lab.PodTruth t = lab.truth("docker");
        // a connection just made: the node's conntrack table holds it when the capture starts
        new ProcessBuilder("sh", "-c", "timeout 5 busybox wget -q -O - http://" + pod.podIP() + ":8080/").start().waitFor();
        Path d = Files.createDirectories(dir.resolve("one"));
        Path out = d.resolve("web.pcap");
        var r = capture("-n", pod.namespace(), pod.name(), "-w", out.toString(), "--metadata", "--duration", "1s", "-o", "json").assertExit(0);

        List<Path> files = contextFiles(d);
        assertThat(files).hasSize(1);
        Path f = files.get(0);
        assertThat(f.getFileName().toString()).matches(pod.namespace() + "_" + pod.name() + "_\\d{8}T\\d{6}Z\\.context\\.txt");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
        assertThat(r.err()).contains("network context of " + pod.namespace() + "/" + pod.name() + " → " + f);
        JsonNode report = JSON.readTree(r.out());
        assertThat(report.path("contextFiles").get(0).asText()).isEqualTo(f.toString());

        String text = Files.readString(f);
        assertThat(text).startsWith("# k8scap network context of " + pod.namespace() + "/" + pod.name() + " on node " + Lab.NODE_NAME);
        // the pod's own netns: its eth0 with its ifindex and the peer's, and its address
        assertThat(section(text, "ip addr")).anyMatch(l -> l.startsWith(t.podIfIndex() + ": eth0@if" + t.peerIndex() + ":"))
                .anyMatch(l -> l.contains("inet " + pod.podIP() + "/"));
        assertThat(section(text, "ip route")).anyMatch(l -> l.contains("dev eth0"));
        assertThat(section(text, "ss -tanup")).anyMatch(l -> l.contains("LISTEN") && l.contains(":8080") && l.contains("httpd"));
        assertThat(section(text, "/etc/resolv.conf")).isEqualTo(Files.readAllLines(Path.of("/proc/" + t.pid() + "/root/etc/resolv.conf")));
        assertThat(section(text, "sysctls")).anyMatch(l -> l.matches("net\\.ipv4\\.ip_forward = [01]"))
                .anyMatch(l -> l.matches("net\\.core\\.somaxconn = \\d+"))
                .anyMatch(l -> l.matches("net\\.ipv4\\.conf\\.all\\.rp_filter = [012]"));
        assertThat(section(text, "conntrack")).isNotEmpty()
                .allMatch(l -> l.contains("src=" + pod.podIP() + " ") || l.contains("dst=" + pod.podIP() + " "))
                .anyMatch(l -> l.contains("dport=8080"));
    }

    @Test
    void aMergedPcapngCarriesEveryPodsContextAsACommentCapinfosReads() throws Exception {
        Lab.LabPod web = lab.pod("docker");
        Lab.LabPod cart = node2.pod("node2-docker");
        traffic.keepSending("timeout 5 busybox wget -q -O - http://" + web.podIP() + ":8080/");
        traffic.keepSending("timeout 5 busybox wget -q -O - http://" + cart.podIP() + ":8080/");
        Path d = Files.createDirectories(dir.resolve("merged"));
        Path out = d.resolve("both.pcapng");
        capture("-A", "-l", "app in (web,cart)", "-w", out.toString(), "--metadata", "--duration", "2s", "tcp port 8080").assertExit(0);

        assertThat(contextFiles(d)).hasSize(2);
        Process p = new ProcessBuilder("capinfos", out.toString()).redirectErrorStream(true).start();
        String info = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(info).isZero();
        assertThat(info).contains("Capture comment:")
                .contains("k8scap network context of " + web.namespace() + "/" + web.name() + " on node " + Lab.NODE_NAME)
                .contains("k8scap network context of " + cart.namespace() + "/" + cart.name() + " on node " + node2.name())
                .contains("inet " + cart.podIP() + "/24");
        assertThat(LabTraffic.tshark(out, "frame.interface_name")).isNotEmpty(); // and the packets are all still there to read
    }

    /** The lines of the section whose heading starts with {@code heading}. */
    private static List<String> section(String text, String heading) {
        List<String> lines = new ArrayList<>();
        boolean in = false;
        for (String l : text.split("\n")) {
            if (l.startsWith("## ")) {
                in = l.startsWith("## " + heading);
                continue;
            }
            if (in && !l.isEmpty()) {
                lines.add(l);
            }
        }
        return lines;
    }
}
