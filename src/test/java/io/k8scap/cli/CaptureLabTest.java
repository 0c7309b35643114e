package io.k8scap.cli;

import static io.k8scap.lab.LabTraffic.assertNoTcpdumpLeft;
import static io.k8scap.lab.LabTraffic.tcpdumpsWith;
import static io.k8scap.lab.LabTraffic.tshark;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.k8scap.lab.Lab;
import io.k8scap.lab.LabTraffic;
import io.k8scap.lab.MockCluster;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code k8scap capture} end to end on the lab: real containers, real tcpdump on a real node over
 * strict-host-key SSH, real traffic; the pcaps are checked with tshark and the node is checked for
 * leftover tcpdump processes after every kind of stop. The API server is the only stand-in.
 */
@Tag("lab")
class CaptureLabTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Lab lab;
    private static Lab.Node2 node2;
    private static MockCluster cluster;
    private static Path kubeconfig;
    private static Path sshConfig;

    @TempDir
    static Path dir;

    private final LabTraffic traffic = new LabTraffic();

    @BeforeAll
    static void startCluster() throws IOException {
        lab = Lab.load();
        node2 = Lab.node2();
        cluster = MockCluster.start().loadLab(lab).loadNode2(node2);
        kubeconfig = cluster.writeKubeconfig(dir, "default");
        // Both lab nodes by name, as a fleet's ~/.ssh/config would have them (different ports and host keys).
        sshConfig = LabCli.twoNodeSshConfig(dir, lab, node2);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @AfterEach
    void stopTrafficThreads() throws InterruptedException {
        traffic.close();
    }

    private static List<String> args(String... extra) {
        List<String> all = new ArrayList<>(List.of("capture", "--kubeconfig", kubeconfig.toString(), "--ssh-config", sshConfig.toString(),
                "--node-address", "name"));
        all.addAll(List.of(extra));
        return all;
    }

    private static CliRunner.Result capture(String... extra) {
        return CliRunner.run(args(extra).toArray(String[]::new));
    }

    private static String uniquePort() {
        return String.valueOf(40000 + ThreadLocalRandom.current().nextInt(20000));
    }

    @Test
    void httpIcmpAndUdpToTheContainerdPodAreInThePcap() throws Exception {
        Lab.LabPod pod = lab.pod("containerd");
        traffic.keepSending("timeout 5 busybox wget -q -O - http://" + pod.podIP() + ":8080/");
        traffic.keepSending("busybox ping -c 1 -W 1 " + pod.podIP());
        traffic.keepSending("bash -c 'echo k8scap-udp-probe > /dev/udp/" + pod.podIP() + "/9999'");
        Path out = dir.resolve("containerd.pcap");
        String marker = uniquePort();
        var r = capture("-n", pod.namespace(), "flyteadmin", "-w", out.toString(), "--duration", "4s",
                "not port " + marker).assertExit(0);
        assertNoTcpdumpLeft(marker);

        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("capturing " + pod.namespace() + "/" + pod.name() + " on " + Lab.NODE_NAME)
                .contains(lab.truth("containerd").hostIf()).contains("stopped (--duration 4s reached)");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out))).isEqualTo("rw-------");
        assertThat(Files.exists(Path.of(out + ".partial"))).isFalse();
        List<String> http = tshark(out, "ip.src", "tcp.srcport", "http.file_data");
        assertThat(http).anyMatch(l -> l.startsWith(pod.podIP() + "|8080|") && l.contains("k8scap-lab containerd"));
        assertThat(tshark(out, "icmp.type", "ip.dst")).contains("8|" + pod.podIP(), "0|10.244.77.1");
        assertThat(tshark(out, "udp.dstport", "udp.payload")).anyMatch(l -> l.startsWith("9999|")
                && l.contains("6b38736361702d7564702d70726f6265")); // "k8scap-udp-probe" in hex
    }

    @Test
    void dockershimPodInsideItsNetnsOnLoopbackSeesPodLocalTraffic() throws Exception {
        Lab.LabPod pod = lab.pod("docker");
        long pid = lab.truth("docker").pid();
        traffic.keepSending("nsenter -t " + pid + " -n timeout 5 busybox wget -q -O - http://127.0.0.1:8080/");
        Path out = dir.resolve("docker-lo.pcap");
        String marker = uniquePort();
        var r = capture("-n", pod.namespace(), pod.name(), "--interface", "lo", "-w", out.toString(), "--count", "10",
                "tcp port 8080 or port " + marker).assertExit(0);
        assertNoTcpdumpLeft(marker);
        assertThat(r.err()).contains("lo inside the pod's network namespace").contains("stopped (--count 10 reached): 10 packets");
        List<String> packets = tshark(out, "ip.src", "ip.dst", "tcp.port");
        assertThat(packets).hasSize(10).allMatch(l -> l.startsWith("127.0.0.1|127.0.0.1|"));
    }

    @Test
    void hostNetworkPodIsCapturedOnTheNodeAndSaysSo() throws Exception {
        Lab.LabPod pod = lab.pod("host");
        String url = lab.podProperty("host", "expect.url");
        traffic.keepSending("timeout 5 busybox wget -q -O - " + url);
        Path out = dir.resolve("host.pcap");
        String port = url.replaceAll(".*:(\\d+)/.*", "$1");
        var r = capture("-n", pod.namespace(), pod.name(), "--interface", "lo", "-w", out.toString(), "--count", "6", "tcp port " + port)
                .assertExit(0);
        assertThat(r.err()).contains("uses hostNetwork").contains("node " + Lab.NODE_NAME + "'s own traffic on lo");
        assertThat(tshark(out, "tcp.port")).hasSize(6).allMatch(l -> l.contains(port));
    }

    @Test
    void podsOnTwoNodesBecomeOneTimeOrderedPcapngWithAnInterfacePerPod() throws Exception {
        Lab.LabPod web = lab.pod("docker");
        Lab.LabPod cart = node2.pod("node2-docker");
        traffic.keepSending("timeout 5 busybox wget -q -O - http://" + web.podIP() + ":8080/");
        traffic.keepSending("timeout 5 busybox wget -q -O - http://" + cart.podIP() + ":8080/");
        Path out = dir.resolve("two-nodes.pcapng");
        var r = capture("-A", "-l", "app in (web,cart)", "-w", out.toString(), "--duration", "4s", "tcp port 8080", "-o", "json").assertExit(0);

        JsonNode report = JSON.readTree(r.out());
        assertThat(report.path("files").get(0).asText()).isEqualTo(out.toString());
        assertThat(report.path("pods")).hasSize(2);
        List<String> rows = tshark(out, "frame.interface_name", "frame.interface_description", "frame.time_epoch", "ip.dst");
        assertThat(rows).anyMatch(l -> l.startsWith(web.namespace() + "/" + web.name() + "|" + Lab.NODE_NAME + " "))
                .anyMatch(l -> l.startsWith(cart.namespace() + "/" + cart.name() + "|" + node2.name() + " "));
        assertMergeAddsNoDisorder(rows);
        assertThat(report.path("packets").asLong()).isEqualTo(rows.size());
    }

    /**
     * Merged by time: a packet may come before an older one only when its own pod's tcpdump already
     * went back in time (kernel timestamps on several CPUs are not strictly monotonic); the merge
     * itself adds no disorder.
     */
    private static void assertMergeAddsNoDisorder(List<String> rows) {
        double newestOverall = Double.NEGATIVE_INFINITY;
        java.util.Map<String, Double> newestPerSource = new java.util.HashMap<>();
        for (String row : rows) {
            String[] f = row.split("\\|");
            String source = f[0];
            double t = Double.parseDouble(f[2]);
            double ownNewest = newestPerSource.getOrDefault(source, Double.NEGATIVE_INFINITY);
            if (t < newestOverall) {
                assertThat(ownNewest).as("packet of %s at %f written after a newer packet of another pod", source, t).isGreaterThan(t);
            }
            newestOverall = Math.max(newestOverall, t);
            newestPerSource.put(source, Math.max(ownNewest, t));
        }
    }

    @Test
    void dashWStreamsAValidPcapToStdoutAndNothingElse() throws Exception {
        Lab.LabPod pod = lab.pod("docker");
        traffic.keepSending("timeout 5 busybox wget -q -O - http://" + pod.podIP() + ":8080/");
        var r = CliRunner.runBinary(args("-n", pod.namespace(), pod.name(), "-w", "-", "--count", "8", "tcp port 8080").toArray(String[]::new))
                .assertExit(0);
        Path out = dir.resolve("stdout.pcap");
        Files.write(out, r.out());
        assertThat(tshark(out, "tcp.port")).hasSize(8).allMatch(l -> l.contains("8080"));
        assertThat(r.err()).contains("→ stdout").contains("written to stdout");
    }

    @Test
    void maxSizeStopsAtARecordBoundary() throws Exception {
        Lab.LabPod pod = lab.pod("docker");
        traffic.keepSending("timeout 5 busybox wget -q -O - http://" + pod.podIP() + ":8080/");
        Path out = dir.resolve("max-size.pcap");
        String marker = uniquePort();
        var r = capture("-n", pod.namespace(), pod.name(), "-w", out.toString(), "--max-size", "3k", "--duration", "20s",
                "tcp port 8080 or port " + marker).assertExit(0);
        assertNoTcpdumpLeft(marker);
        assertThat(r.err()).contains("stopped (--max-size reached)");
        assertThat(Files.size(out)).isLessThanOrEqualTo(24 + 3 * 1024);
        assertThat(tshark(out, "frame.number")).isNotEmpty();
    }

    @Test
    void aBadFilterIsTcpdumpsOwnUsageErrorAndLeavesNoFile() throws Exception {
        Lab.LabPod pod = lab.pod("docker");
        Path out = dir.resolve("bad-filter.pcap");
        var r = capture("-n", pod.namespace(), pod.name(), "-w", out.toString(), "tcp port nope").assertExit(2);
        assertThat(r.err()).contains("nope");
        // the last line names no file that is not there
        assertThat(r.err().lines().filter(l -> l.startsWith("stopped")).toList()).singleElement().asString()
                .contains("0 packets (0 B) and no file: nothing was captured before the failure").doesNotContain(out.toString());
        assertThat(out).doesNotExist();
        assertThat(Path.of(out + ".partial")).doesNotExist();
    }

    // ---- the progress line, under a real pseudo-terminal (script(1)) -------------------------------------------

    @Test
    void onATerminalTheProgressLineIsRedrawnAndErasedBeforeACleanSummary() throws Exception {
        Lab.LabPod pod = lab.pod("docker");
        traffic.keepSending("timeout 5 busybox wget -q -O - http://" + pod.podIP() + ":8080/");
        Path cwd = Files.createTempDirectory(dir, "pty");
        String shown = K8sCapProcess.onATerminal(cwd, args("-n", pod.namespace(), pod.name(), "-w", "p.pcap", "--duration", "3s", "tcp port 8080"));

        String frame = "  [\\d,]+ packets  [\\d.]+ [kMG]?B  [\\d.]+ [kMG]?B/s  00:00:0[0-3]";
        assertThat(shown).containsPattern("\r\033\\[K" + frame);
        assertThat(shown.split("\r\033\\[K", -1)).as("redraws").hasSizeGreaterThanOrEqualTo(4);
        // What a person reads on each line (the pty turns \n into \r\n) is what follows the line's last erase.
        List<String> lines = Arrays.stream(shown.split("\n")).map(l -> l.replace("\r", "")).toList();
        List<String> visible = lines.stream().map(l -> l.substring(l.lastIndexOf("\033[K") < 0 ? 0 : l.lastIndexOf("\033[K") + 3)).toList();
        assertThat(visible).as(shown).noneMatch(l -> l.matches(".*" + frame + ".*"));
        assertThat(visible).filteredOn(l -> l.contains("capturing ")).singleElement().asString().startsWith("capturing " + pod.namespace());
        assertThat(visible).filteredOn(l -> l.contains("stopped (")).singleElement().asString()
                .startsWith("stopped (--duration 3s reached): ").contains("p.pcap; ").endsWith("; tcpdump on " + Lab.NODE_NAME + " ended");
        assertThat(tshark(cwd.resolve("p.pcap"), "frame.number")).isNotEmpty();
    }

    @Test
    void onATerminalDashQDrawsNoProgress() throws Exception {
        Lab.LabPod pod = lab.pod("docker");
        traffic.keepSending("timeout 5 busybox wget -q -O - http://" + pod.podIP() + ":8080/");
        Path cwd = Files.createTempDirectory(dir, "pty-q");
        String shown = K8sCapProcess.onATerminal(cwd, args("-q", "-n", pod.namespace(), pod.name(), "-w", "q.pcap", "--duration", "2s", "tcp port 8080"));
        assertThat(shown).doesNotContain("\033[K").doesNotContain("packets");
        assertThat(tshark(cwd.resolve("q.pcap"), "frame.number")).isNotEmpty();
    }

    // ---- stop paths through a separate k8scap process: Ctrl+C, SIGTERM, SIGKILL --------------------------

    private record Child(Process process, BufferedReader stderr, List<String> lines) {}

    /** Starts k8scap as its own JVM (as a user would), in {@code cwd}, and waits until its tcpdump listens. */
    private static Child startChild(Path cwd, String... extra) throws Exception {
        Process p = new ProcessBuilder(K8sCapProcess.command(args(extra))).directory(cwd.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
        List<String> lines = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String line;
        while (System.nanoTime() < deadline && (line = err.readLine()) != null) {
            lines.add(line);
            if (line.startsWith("capturing ")) {
                return new Child(p, err, lines);
            }
        }
        p.destroyForcibly();
        throw new AssertionError("k8scap did not start capturing: " + lines);
    }

    private static List<String> rest(Child c) throws IOException {
        List<String> lines = new ArrayList<>(c.lines());
        String line;
        while ((line = c.stderr().readLine()) != null) {
            lines.add(line);
        }
        return lines;
    }

    private static void signal(Process p, String sig) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + sig, String.valueOf(p.pid())).start().waitFor()).isZero();
    }

    // ---- --wireshark: the contract with the viewer, through a stand-in `wireshark` first on PATH ---------------
    // Wireshark needs a display, so a shell script of that name records its argv and copies its stdin.
    // k8scap runs as its own JVM (runChild): PATH is the process's, so in-process CliRunner cannot change it,
    // and a system property naming the executable would add a test-only knob to the product.

    /** A directory holding an executable {@code wireshark} that writes argv (one per line) and its stdin into that directory. */
    private static Path fakeWiresharkDir(String name) throws IOException {
        Path bin = Files.createDirectories(dir.resolve(name));
        Path script = Files.writeString(bin.resolve("wireshark"), """
                #!/bin/sh
                printf '%%s\\n' "$@" > '%1$s/argv'
                cat > '%1$s/stdin.pcap'
                echo "$?" > '%1$s/done'
                """.formatted(bin));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return bin;
    }

    /** The stand-in's stdin copy once it has read to the end (k8scap closes the pipe and exits; cat may still be copying). */
    private static Path wiresharkStdin(Path bin) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!Files.exists(bin.resolve("done")) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(bin.resolve("done")).as("the stand-in wireshark saw the end of its stdin").exists();
        assertThat(Files.readString(bin.resolve("done")).strip()).isEqualTo("0");
        return bin.resolve("stdin.pcap");
    }

    /** capture as its own JVM in {@code cwd}, with {@code path} as its PATH. */
    private static K8sCapProcess.Finished withPath(Path cwd, String path, String... extra) throws Exception {
        return K8sCapProcess.run(cwd, Map.of("PATH", path), args(extra));
    }

    private record WiresharkRun(K8sCapProcess.Finished result, Path bin, Path cwd) {}

    /** capture of {@code podKey}'s HTTP traffic with {@code extra} and the stand-in wireshark first on PATH; it exits 0 and wireshark got {@code -k -i -}. */
    private WiresharkRun withStandInWireshark(String podKey, String name, String... extra) throws Exception {
        Lab.LabPod pod = lab.pod(podKey);
        traffic.keepSending("timeout 5 busybox wget -q -O - http://" + pod.podIP() + ":8080/");
        Path bin = fakeWiresharkDir(name);
        Path cwd = Files.createTempDirectory(dir, name + "-cwd");
        List<String> all = new ArrayList<>(List.of("-n", pod.namespace(), pod.name()));
        all.addAll(List.of(extra));
        var r = withPath(cwd, bin + ":" + System.getenv("PATH"), all.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(Files.readAllLines(bin.resolve("argv"))).containsExactly("-k", "-i", "-");
        return new WiresharkRun(r, bin, cwd);
    }

    @Test
    void wiresharkGetsDashKDashIDashAndAValidPcapOnItsStdin() throws Exception {
        var w = withStandInWireshark("docker", "ws-only", "--wireshark", "--count", "8", "tcp port 8080");
        assertThat(tshark(wiresharkStdin(w.bin()), "tcp.port")).hasSize(8).allMatch(l -> l.contains("8080"));
        assertThat(w.result().err()).contains("→ Wireshark").contains("stopped (--count 8 reached): 8 packets").contains("written to Wireshark");
        try (var files = Files.list(w.cwd())) {
            assertThat(files.toList()).as("--wireshark alone writes no file").isEmpty();
        }
    }

    @Test
    void wiresharkAndDashWFileBothGetThePackets() throws Exception {
        var w = withStandInWireshark("containerd", "ws-and-file", "-w", "both.pcap", "--wireshark", "--count", "8", "tcp port 8080");
        Path file = w.cwd().resolve("both.pcap");
        List<String> inFile = tshark(file, "frame.time_epoch", "tcp.srcport", "tcp.dstport", "tcp.seq_raw");
        assertThat(inFile).hasSize(8).allMatch(l -> l.contains("8080"));
        assertThat(tshark(wiresharkStdin(w.bin()), "frame.time_epoch", "tcp.srcport", "tcp.dstport", "tcp.seq_raw"))
                .as("Wireshark got the very packets of the file").isEqualTo(inFile);
        assertThat(w.result().err()).contains("written to " + file);
    }

    @Test
    void missingWiresharkIsOneLineExit6AndNoFile() throws Exception {
        Lab.LabPod pod = lab.pod("docker");
        Path emptyBin = Files.createDirectories(dir.resolve("no-wireshark-bin"));
        Path cwd = Files.createTempDirectory(dir, "no-ws-cwd");
        String port = uniquePort();
        var r = withPath(cwd, emptyBin.toString(), "-n", pod.namespace(), pod.name(), "--wireshark", "--count", "1", "tcp port " + port);
        assertThat(r.exitCode()).as(r.err()).isEqualTo(6);
        assertThat(r.err().lines().filter(l -> l.startsWith("error: ")).toList()).singleElement().asString()
                .startsWith("error: cannot start wireshark on this machine (")
                .endsWith("install it, or pipe instead: k8scap capture … -w - | wireshark -k -i -");
        assertThat(r.err()).doesNotContain("\tat ").doesNotContain("Exception");
        assertNoTcpdumpLeft(port);
        try (var files = Files.list(cwd)) {
            assertThat(files.toList()).isEmpty();
        }
    }

    @Test
    void missingWiresharkWithDashWFileLeavesNoFileEither() throws Exception {
        Lab.LabPod pod = lab.pod("docker");
        Path emptyBin = Files.createDirectories(dir.resolve("no-wireshark-bin-w"));
        Path cwd = Files.createTempDirectory(dir, "no-ws-w-cwd");
        String port = uniquePort();
        var r = withPath(cwd, emptyBin.toString(), "-n", pod.namespace(), pod.name(), "-w", "x.pcap", "--wireshark", "--count", "1",
                "tcp port " + port);
        assertThat(r.exitCode()).as(r.err()).isEqualTo(6);
        assertThat(r.err()).contains("error: cannot start wireshark on this machine (");
        assertNoTcpdumpLeft(port);
        try (var files = Files.list(cwd)) {
            assertThat(files.toList()).as("neither x.pcap nor x.pcap.partial").isEmpty();
        }
    }

    @Test
    void ctrlCStopsCleanlyWithACompleteFileAndNothingLeft() throws Exception {
        String port = uniquePort();
        Path cwd = Files.createTempDirectory(dir, "ctrlc");
        Lab.LabPod pod = lab.pod("containerd");
        Child c = startChild(cwd, "-n", pod.namespace(), pod.name(), "tcp port " + port);
        assertThat(tcpdumpsWith(port)).isEqualTo(1);
        signal(c.process(), "INT");
        assertThat(c.process().waitFor(20, TimeUnit.SECONDS)).isTrue();
        List<String> err = rest(c);
        assertThat(c.process().exitValue()).as(String.join("\n", err)).isZero();
        assertThat(err).anyMatch(l -> l.startsWith("stopped (interrupted (Ctrl+C)): 0 packets"));
        assertNoTcpdumpLeft(port);
        try (var files = Files.list(cwd)) {
            List<Path> written = files.toList();
            // The default name, complete (not .partial), private, and a valid pcap even with no packet.
            assertThat(written).singleElement().asString().matches(".*/flyte_" + pod.name() + "_\\d{8}T\\d{6}Z\\.pcap");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(written.get(0)))).isEqualTo("rw-------");
            assertThat(tshark(written.get(0), "frame.number")).isEmpty();
        }
    }

    @Test
    void sigtermStopsCleanly() throws Exception {
        String port = uniquePort();
        Path cwd = Files.createTempDirectory(dir, "term");
        Lab.LabPod pod = lab.pod("docker");
        Child c = startChild(cwd, "-n", pod.namespace(), pod.name(), "-w", "t.pcap", "tcp port " + port);
        signal(c.process(), "TERM");
        assertThat(c.process().waitFor(20, TimeUnit.SECONDS)).isTrue();
        List<String> err = rest(c);
        assertThat(c.process().exitValue()).as(String.join("\n", err)).isZero();
        assertThat(err).anyMatch(l -> l.startsWith("stopped (terminated (SIGTERM))"));
        assertNoTcpdumpLeft(port);
        assertThat(cwd.resolve("t.pcap")).exists();
    }

    /** The terminal, or the SSH session to a jump box, closes: the same clean stop as SIGTERM, not a .partial file. */
    @Test
    void sighupStopsLikeSigtermWithACompleteFileAndNothingLeft() throws Exception {
        String port = uniquePort();
        Path cwd = Files.createTempDirectory(dir, "hup");
        Lab.LabPod pod = lab.pod("containerd");
        Child c = startChild(cwd, "-n", pod.namespace(), pod.name(), "-w", "h.pcap", "tcp port " + port);
        assertThat(tcpdumpsWith(port)).isEqualTo(1);
        signal(c.process(), "HUP");
        assertThat(c.process().waitFor(20, TimeUnit.SECONDS)).isTrue();
        List<String> err = rest(c);
        assertThat(c.process().exitValue()).as(String.join("\n", err)).isZero();
        assertThat(err).filteredOn(l -> l.startsWith("stopped")).singleElement().asString()
                .startsWith("stopped (hung up (SIGHUP)): 0 packets").contains("/h.pcap; node reported 0 dropped by kernel");
        assertNoTcpdumpLeft(port);
        assertThat(cwd.resolve("h.pcap.partial")).doesNotExist();
        assertThat(tshark(cwd.resolve("h.pcap"), "frame.number")).isEmpty();
    }

    @Test
    void sigkilledK8scapLeavesNoTcpdumpAndNoFileClaimedComplete() throws Exception {
        String port = uniquePort();
        Path cwd = Files.createTempDirectory(dir, "kill");
        Lab.LabPod pod = lab.pod("docker");
        Child c = startChild(cwd, "-n", pod.namespace(), pod.name(), "-w", "k.pcap", "tcp port " + port);
        assertThat(tcpdumpsWith(port)).isEqualTo(1);
        c.process().destroyForcibly();
        c.process().waitFor(10, TimeUnit.SECONDS);
        assertNoTcpdumpLeft(port);
        assertThat(cwd.resolve("k.pcap")).doesNotExist();
        assertThat(cwd.resolve("k.pcap.partial")).exists();
    }
}
