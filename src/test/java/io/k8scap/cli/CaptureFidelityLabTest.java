package io.k8scap.cli;

import static io.k8scap.lab.LabTraffic.tshark;
import static org.assertj.core.api.Assertions.assertThat;

import io.k8scap.lab.Lab;
import io.k8scap.lab.MockCluster;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #14, point 1: k8scap keeps every packet plain tcpdump keeps. Real captures (shared/realdata)
 * are replayed at top speed, several times in a row, onto the lab pods' host veths while plain
 * {@code tcpdump -i VETH -w f} and {@code k8scap capture} (its own JVM, over SSH) capture the same
 * interface at the same moment, with the same filter (the replayed addresses, so that other lab
 * traffic does not count). The counts are compared with each other, never with fixed numbers.
 */
@Tag("lab")
class CaptureFidelityLabTest {
    /** The replayed captures' own networks: AFS/Rx, the nmap scan, SMTP with ICMP, ERSPAN's outer addresses. */
    static final String FILTER = "net 131.151.0.0/16 or net 192.168.1.0/24 or net 10.10.1.0/24 or net 74.53.0.0/16 or net 10.200.0.0/24";
    private static final Path REALDATA = Path.of("../shared/realdata/pcap");

    private static Lab lab;
    private static MockCluster cluster;
    private static Path kubeconfig;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startCluster() throws IOException {
        lab = Lab.load();
        cluster = MockCluster.start().loadLab(lab);
        kubeconfig = cluster.writeKubeconfig(dir, "default");
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"afs.pcap", "zeek-nmap-vsn.pcap", "zeek-smtp.pcap", "zeek-erspan.pcap"})
    void aReplayedBurstKeepsAtLeastWhatPlainTcpdumpKeeps(String capture) throws Exception {
        Lab.LabPod pod = lab.pod("docker");
        String veth = lab.truth("docker").hostIf();
        Path cwd = Files.createTempDirectory(dir, "burst");
        Child k = Child.start(cwd, 1, "-n", pod.namespace(), pod.name(), "-w", "k.pcap", FILTER);
        Process plain = plainTcpdump(veth, cwd.resolve("plain.pcap"));
        replay(veth, capture, 5);
        Thread.sleep(1500); // plain tcpdump's ring hands its last block over within 1 s
        stop(plain);
        List<String> err = k.stop();

        long plainKept = packets(cwd.resolve("plain.pcap"));
        long kept = packets(cwd.resolve("k.pcap"));
        assertThat(plainKept).as("plain tcpdump saw the replay").isPositive();
        assertThat(kept).as("k8scap kept (plain tcpdump beside it: %d); %s", plainKept, err).isGreaterThanOrEqualTo(plainKept);
        assertThat(err).anyMatch(l -> l.startsWith("stopped (interrupted (Ctrl+C)): ") && l.contains("node reported 0 dropped by kernel"));
    }

    /** Ctrl+C right after a burst: what the kernel still held is handed over first, not lost (plain tcpdump stopped 1.5 s later). */
    @Test
    void ctrlCRightAfterABurstKeepsTheBurst() throws Exception {
        Lab.LabPod pod = lab.pod("docker");
        String veth = lab.truth("docker").hostIf();
        Path cwd = Files.createTempDirectory(dir, "tail");
        Child k = Child.start(cwd, 1, "-n", pod.namespace(), pod.name(), "-w", "k.pcap", FILTER);
        Process plain = plainTcpdump(veth, cwd.resolve("plain.pcap"));
        replay(veth, "afs.pcap", 1);
        Thread.sleep(100);
        List<String> err = k.stop();
        Thread.sleep(1500);
        stop(plain);

        long plainKept = packets(cwd.resolve("plain.pcap"));
        assertThat(plainKept).isPositive();
        assertThat(packets(cwd.resolve("k.pcap"))).as("%s", err).isGreaterThanOrEqualTo(plainKept);
    }

    /** Two pods merged into one pcapng, both replayed at once: per pod, at least what a plain tcpdump on its veth keeps. */
    @Test
    void mergedTwoPodsKeepPerPodAtLeastWhatPlainTcpdumpKeeps() throws Exception {
        Lab.LabPod web = lab.pod("docker");
        Lab.LabPod admin = lab.pod("containerd");
        Map<Lab.LabPod, String> veths = new LinkedHashMap<>();
        veths.put(web, lab.truth("docker").hostIf());
        veths.put(admin, lab.truth("containerd").hostIf());
        Path cwd = Files.createTempDirectory(dir, "merged");
        Child k = Child.start(cwd, 2, "-A", "-l", "app in (web,flyteadmin)", "-w", "k.pcapng", FILTER);
        Map<Lab.LabPod, Process> plains = new LinkedHashMap<>();
        for (var e : veths.entrySet()) {
            plains.put(e.getKey(), plainTcpdump(e.getValue(), cwd.resolve(e.getKey().name() + ".pcap")));
        }
        List<Process> replays = new ArrayList<>();
        for (String veth : veths.values()) {
            replays.add(new ProcessBuilder("tcpreplay", "-q", "--topspeed", "--loop", "5", "-i", veth, REALDATA.resolve("afs.pcap").toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        }
        for (Process r : replays) {
            assertThat(r.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        Thread.sleep(1500);
        for (Process p : plains.values()) {
            stop(p);
        }
        List<String> err = k.stop();

        List<String> rows = tshark(cwd.resolve("k.pcapng"), "frame.interface_name");
        for (var e : plains.entrySet()) {
            String source = e.getKey().namespace() + "/" + e.getKey().name();
            long plainKept = packets(cwd.resolve(e.getKey().name() + ".pcap"));
            assertThat(plainKept).isPositive();
            assertThat(rows.stream().filter(source::equals).count()).as("%s (plain tcpdump: %d); %s", source, plainKept, err)
                    .isGreaterThanOrEqualTo(plainKept);
        }
    }

    static void replay(String veth, String capture, int loops) throws Exception {
        Process r = new ProcessBuilder("tcpreplay", "-q", "--topspeed", "--loop", String.valueOf(loops), "-i", veth, REALDATA.resolve(capture).toString())
                .redirectErrorStream(true).start();
        String out = new String(r.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(r.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(r.exitValue()).as(out).isZero();
    }

    /** Plain tcpdump as a user types it on the node (buffered, libpcap's defaults), with the same filter; once it listens. */
    static Process plainTcpdump(String iface, Path out) throws Exception {
        Process p = new ProcessBuilder("tcpdump", "-i", iface, "-w", out.toString(), FILTER).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
        String line = err.readLine();
        assertThat(line).as("plain tcpdump started").contains("listening on");
        Thread drain = new Thread(() -> {
            try {
                err.transferTo(java.io.Writer.nullWriter());
            } catch (IOException ignored) {
                // tcpdump ended
            }
        });
        drain.setDaemon(true);
        drain.start();
        return p;
    }

    static void stop(Process p) throws Exception {
        assertThat(new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor()).isZero();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    }

    static long packets(Path pcap) throws Exception {
        return tshark(pcap, "frame.number").size();
    }

    /** k8scap capture as its own JVM (a user's), started in {@code cwd}, returned once {@code pods} pods are being captured. */
    private record Child(Process process, BufferedReader stderr, List<String> lines) {
        static Child start(Path cwd, int pods, String... extra) throws Exception {
            List<String> args = new ArrayList<>(List.of("capture", "--kubeconfig", kubeconfig.toString(), "--ssh-config", "/dev/null",
                    "--ssh-port", String.valueOf(lab.sshPort()), "--ssh-user", "root", "-i", lab.identity().toString(),
                    "--known-hosts", lab.knownHosts().toString()));
            args.addAll(List.of(extra));
            Process p = new ProcessBuilder(K8sCapProcess.command(args)).directory(cwd.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
            List<String> lines = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            int capturing = 0;
            String line;
            while (System.nanoTime() < deadline && (line = err.readLine()) != null) {
                lines.add(line);
                if (line.startsWith("capturing ") && ++capturing == pods) {
                    return new Child(p, err, lines);
                }
            }
            p.destroyForcibly();
            throw new AssertionError("k8scap did not start capturing: " + lines);
        }

        /** Ctrl+C; its stderr, once it has exited 0. */
        List<String> stop() throws Exception {
            assertThat(new ProcessBuilder("kill", "-INT", String.valueOf(process.pid())).start().waitFor()).isZero();
            String line;
            while ((line = stderr.readLine()) != null) {
                lines.add(line);
            }
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as(String.join("\n", lines)).isZero();
            return lines;
        }
    }
}
