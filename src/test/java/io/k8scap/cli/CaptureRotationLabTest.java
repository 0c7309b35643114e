package io.k8scap.cli;

import static io.k8scap.lab.LabTraffic.tshark;
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
 * Long captures on the lab: a real tcpdump's stream rotated into tcpdump -C named files, the oldest
 * deleted beyond --keep, every file read on its own by capinfos and tshark.
 */
@Tag("lab")
class CaptureRotationLabTest {
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

    private static List<Path> filesIn(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.sorted().toList();
        }
    }

    /** capinfos' "Number of …" lines for one file; fails when capinfos cannot read it. */
    private static String capinfos(Path f) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("capinfos", f.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("capinfos reads %s: %s", f, out).isZero();
        return out;
    }

    private static int number(Path base, Path f) {
        String rest = f.getFileName().toString().substring(base.getFileName().toString().length());
        return rest.isEmpty() ? 0 : Integer.parseInt(rest);
    }

    @Test
    void aRealCaptureRotatesIntoCompleteFilesAndKeepsTheNewestThree() throws Exception {
        Lab.LabPod pod = lab.pod("containerd");
        traffic.keepSending("busybox ping -c 5 -i 0.2 -s 1200 " + pod.podIP());
        Path out = Files.createDirectories(dir.resolve("single")).resolve("rot.pcap");
        var r = capture("-n", pod.namespace(), pod.name(), "-w", out.toString(), "--rotate-size", "8k", "--keep", "3",
                "--duration", "5s", "icmp", "-o", "json").assertExit(0);

        List<Path> files = filesIn(out.getParent());
        JsonNode report = JSON.readTree(r.out());
        List<String> reported = new ArrayList<>();
        report.path("files").forEach(f -> reported.add(f.asText()));
        assertThat(reported).containsExactlyElementsOf(files.stream().map(Path::toString).toList());
        assertThat(files).hasSize(3).allMatch(f -> f.getFileName().toString().matches("rot\\.pcap\\d+"));
        int first = number(out, files.get(0));
        files = files.stream().sorted((a, b) -> number(out, a) - number(out, b)).toList();
        assertThat(files).extracting(f -> number(out, f)).containsExactly(first, first + 1, first + 2);
        assertThat(r.err()).contains("rot.pcap, " + out + "1, … (a new file every 8k, the last 3 kept)")
                .contains(first + " older file(s) deleted (--keep 3)");

        double previousLast = Double.NEGATIVE_INFINITY;
        long packets = 0;
        for (Path f : files) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
            assertThat(capinfos(f)).contains("File type:           Wireshark/tcpdump/... - pcap");
            List<String> times = tshark(f, "frame.time_epoch", "icmp.type");
            assertThat(times).isNotEmpty().allMatch(l -> l.endsWith("|8") || l.endsWith("|0"));
            assertThat(Double.parseDouble(times.get(0).split("\\|")[0])).as("%s starts after the previous file", f).isGreaterThanOrEqualTo(previousLast);
            previousLast = Double.parseDouble(times.get(times.size() - 1).split("\\|")[0]);
            if (times.size() > 1) {
                assertThat(Files.size(f)).isLessThanOrEqualTo(8192);
            }
            packets += times.size();
        }
        assertThat(packets).isLessThan(report.path("packets").asLong()); // the deleted files held the rest
    }

    @Test
    void aMergedCaptureOnTwoNodesRotatesIntoPcapngFilesThatEachNameBothPods() throws Exception {
        Lab.LabPod web = lab.pod("docker");
        Lab.LabPod cart = node2.pod("node2-docker");
        traffic.keepSending("busybox ping -c 5 -i 0.2 -s 1200 " + web.podIP());
        traffic.keepSending("busybox ping -c 5 -i 0.2 -s 1200 " + cart.podIP());
        Path out = Files.createDirectories(dir.resolve("merged")).resolve("both.pcapng");
        capture("-A", "-l", "app in (web,cart)", "-w", out.toString(), "--rotate-size", "16k", "--duration", "4s", "icmp").assertExit(0);

        List<Path> files = filesIn(out.getParent());
        assertThat(files.size()).isGreaterThan(2);
        assertThat(files).contains(out, Path.of(out + "1"), Path.of(out + "2")).noneMatch(f -> f.toString().endsWith(".partial"));
        for (Path f : files) {
            assertThat(capinfos(f)).contains("pcapng").containsPattern("Number of interfaces in file: 2");
            List<String> rows = tshark(f, "frame.interface_name");
            assertThat(rows).isNotEmpty().allMatch(n -> n.equals(web.namespace() + "/" + web.name()) || n.equals(cart.namespace() + "/" + cart.name()));
        }
    }
}
