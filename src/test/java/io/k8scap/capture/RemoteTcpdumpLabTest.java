package io.k8scap.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import io.k8scap.lab.Lab;
import io.k8scap.node.NodeAccessSettings;
import io.k8scap.node.NodeSession;
import io.k8scap.node.NodeTarget;
import io.k8scap.node.ShellQuote;
import io.k8scap.node.ssh.SshConnector;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RemoteTcpdump over real SSH to the lab node (this machine's sshd on 127.0.0.1:2222), real
 * tcpdump, real pods. Every test ends by counting the tcpdump processes it started (matched by a
 * unique marker in tcpdump's command line) and wants zero within a few seconds.
 */
@Tag("lab")
class RemoteTcpdumpLabTest {
    static final byte[] PCAP_MAGIC_LE = {(byte) 0xd4, (byte) 0xc3, (byte) 0xb2, (byte) 0xa1};
    static Lab lab;
    @TempDir
    Path tmp;
    final List<String> tcpdumpLines = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void loadLab() {
        lab = Lab.load();
    }

    // ---- helpers -----------------------------------------------------------------------------

    static NodeSession connect(Lab lab, String user, boolean sudo) {
        try {
            // an explicit, empty ssh config (the machine's ~/.ssh/config must not matter); under
            // target/ so that a SIGKILLed child leaves nothing in /tmp
            Path emptyConfig = Path.of("target", "k8scap-tcpdump-empty-ssh-config").toAbsolutePath();
            if (!Files.exists(emptyConfig)) {
                Files.createDirectories(emptyConfig.getParent());
                Files.writeString(emptyConfig, "");
            }
            NodeAccessSettings s = new NodeAccessSettings(user, lab.sshPort(), List.of(lab.identity()), emptyConfig,
                    lab.knownHosts(), null, sudo, Duration.ofSeconds(10), false);
            return new SshConnector(s, n -> { }).open(new NodeTarget(Lab.NODE_NAME, lab.sshAddress()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static NodeSession root() {
        return connect(lab, lab.sshUser(), false);
    }

    /** A filter no packet matches, unique to this call: also the marker to find its tcpdump. */
    static String neverMatching() {
        return "host 192.0.2.123 and port " + ThreadLocalRandom.current().nextInt(20000, 60000) + " and not port " + ThreadLocalRandom.current().nextInt(1, 20000);
    }

    static String unique(String filter) {
        return filter + " and not port " + ThreadLocalRandom.current().nextInt(20000, 60000);
    }

    /** tcpdump processes on the node (this machine) whose command line contains {@code marker}. */
    static long tcpdumps(String marker) {
        return pids("tcpdump", marker).size();
    }

    /** PIDs of the processes named {@code comm} whose command line contains {@code marker}. */
    static List<String> pids(String comm, String marker) {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().matches("\\d+")).filter(p -> {
                try {
                    if (!Files.readString(p.resolve("comm")).trim().equals(comm)) {
                        return false;
                    }
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
                    return cmd.contains(marker);
                } catch (IOException e) {
                    return false; // gone meanwhile
                }
            }).map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The parent of process {@code pid}. */
    static String ppid(String pid) throws IOException {
        return Files.readString(Path.of("/proc", pid, "stat")).replaceFirst("(?s)^.*\\) \\S+ (\\d+) .*$", "$1").trim();
    }

    /** The children of {@code parent} named {@code comm} that still run (not zombies). */
    static List<String> liveChildren(String parent, String comm) {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().matches("\\d+")).filter(p -> {
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    return f[1].equals(parent) && !f[0].equals("Z") && Files.readString(p.resolve("comm")).trim().equals(comm);
                } catch (IOException e) {
                    return false; // gone meanwhile
                }
            }).map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void assertNoTcpdumpWithin(String marker, Duration d) throws InterruptedException {
        long end = System.nanoTime() + d.toNanos();
        while (tcpdumps(marker) > 0 && System.nanoTime() < end) {
            Thread.sleep(100);
        }
        assertThat(tcpdumps(marker)).as("tcpdump processes left on the node for '%s' after %s", marker, d).isZero();
    }

    static String sh(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    static String wget(String url, long netnsPid) throws Exception {
        return netnsPid > 0
                ? sh("nsenter", "-t", Long.toString(netnsPid), "-n", "timeout", "5", "busybox", "wget", "-q", "-O", "-", url)
                : sh("timeout", "5", "busybox", "wget", "-q", "-O", "-", url);
    }

    /** tshark's view: one "src dst sport dport" line per TCP packet. */
    List<String> tcpPackets(byte[] pcap) throws Exception {
        Path f = tmp.resolve("c" + System.nanoTime() + ".pcap");
        Files.write(f, pcap);
        String out = sh("tshark", "-r", f.toString(), "-T", "fields", "-E", "separator=/s", "-e", "ip.src", "-e", "ip.dst", "-e", "tcp.srcport", "-e", "tcp.dstport");
        List<String> lines = new ArrayList<>();
        for (String l : out.split("\n")) {
            if (!l.isBlank() && !l.startsWith("Running as")) {
                lines.add(l.trim());
            }
        }
        return lines;
    }

    static TcpdumpSpec spec(String iface, long pid, String filter) {
        return new TcpdumpSpec(iface, pid, 0, BpfFilter.of(filter), Duration.ofMinutes(2), Duration.ofSeconds(10));
    }

    RemoteTcpdump start(NodeSession s, TcpdumpSpec spec, OutputStream out) {
        RemoteTcpdump t = RemoteTcpdump.start(s, spec, out, tcpdumpLines::add);
        assertThat(t.awaitListening(Duration.ofSeconds(15))).as("tcpdump listening; its stderr: %s", tcpdumpLines).isTrue();
        return t;
    }

    // ---- 1. clean stop -----------------------------------------------------------------------

    @Test
    void cleanStopWithTrafficOnThePodsHostVeth() throws Exception {
        Lab.PodTruth pod = lab.truth("docker");
        String filter = unique("tcp port 8080 and host " + lab.pod("docker").podIP());
        ByteArrayOutputStream pcap = new ByteArrayOutputStream();
        try (NodeSession s = root()) {
            RemoteTcpdump t = start(s, spec(pod.hostIf(), 0, filter), pcap);
            assertThat(tcpdumps(filter)).isEqualTo(1);
            assertThat(wget(pod.url(), 0)).contains(pod.content());
            t.stop();
            assertThat(t.awaitEnd(Duration.ofSeconds(10))).isZero();
            assertThat(t.end()).isEqualTo(RemoteTcpdump.End.STOPPED);
            List<String> packets = tcpPackets(pcap.toByteArray());
            String podIp = lab.pod("docker").podIP();
            assertThat(packets).anyMatch(l -> l.matches("\\S+ " + Pattern.quote(podIp) + " \\d+ 8080"))
                    .anyMatch(l -> l.matches(Pattern.quote(podIp) + " \\S+ 8080 \\d+"));
            assertThat(new String(pcap.toByteArray(), StandardCharsets.ISO_8859_1)).contains(pod.content());
            TcpdumpStats st = t.stats();
            assertThat(st).isNotNull();
            assertThat(st.captured()).isEqualTo(packets.size());
            assertThat(st.receivedByFilter()).isGreaterThanOrEqualTo(st.captured());
            assertThat(t.pcapBytes()).isEqualTo(pcap.size());
            assertThat(tcpdumpLines).anyMatch(l -> l.startsWith("tcpdump: listening on " + pod.hostIf()))
                    .noneMatch(l -> l.startsWith("k8scap-capture:"));
        }
        assertNoTcpdumpWithin(filter, Duration.ofSeconds(3));
    }

    @Test
    void cleanStopWithNothingMatching() throws Exception {
        String filter = neverMatching();
        ByteArrayOutputStream pcap = new ByteArrayOutputStream();
        try (NodeSession s = root()) {
            RemoteTcpdump t = start(s, new TcpdumpSpec(lab.truth("docker").hostIf(), 0, 128, BpfFilter.of(filter), Duration.ofMinutes(2), Duration.ofSeconds(5), false), pcap);
            Thread.sleep(300);
            t.stop();
            assertThat(t.awaitEnd(Duration.ofSeconds(10))).isZero();
            assertThat(t.stats()).isEqualTo(new TcpdumpStats(0, 0, 0));
            byte[] b = pcap.toByteArray();
            assertThat(b).hasSize(24).startsWith(PCAP_MAGIC_LE);
            assertThat(b[16] & 0xff | (b[17] & 0xff) << 8).as("snaplen in the pcap header").isEqualTo(128);
        }
        assertNoTcpdumpWithin(filter, Duration.ofSeconds(3));
    }

    /**
     * A stop that arrives while tcpdump is still starting (Ctrl+C at once, --count reached by the
     * other pods first) must still end it: a SIGINT that reaches coreutils' timeout before it can pass
     * it on ends timeout alone, and the orphaned tcpdump would keep the channel (and the capture) open.
     */
    @Test
    void aStopAsTcpdumpStartsStillEndsItAndTheChannel() throws Exception {
        try (NodeSession s = root()) {
            for (int round = 0; round < 3; round++) {
                // several at once, each stopped before its channel is even open: "stop" is the first
                // line capture.sh reads, racing tcpdump's start-up
                List<RemoteTcpdump> all = new ArrayList<>();
                List<String> filters = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    String filter = neverMatching();
                    filters.add(filter);
                    all.add(start(s, new TcpdumpSpec(lab.truth("docker").hostIf(), 0, 128, BpfFilter.of(filter), Duration.ofMinutes(2),
                            Duration.ofSeconds(30), false), new ByteArrayOutputStream()));
                }
                all.forEach(RemoteTcpdump::stop);
                for (RemoteTcpdump t : all) {
                    assertThat(t.awaitEnd(Duration.ofSeconds(10))).as("round %d", round).isZero();
                    assertThat(t.end()).isEqualTo(RemoteTcpdump.End.STOPPED);
                }
                for (String f : filters) {
                    assertNoTcpdumpWithin(f, Duration.ofSeconds(1));
                }
            }
        }
    }

    /**
     * Locate and capture on ONE exec channel: the answer is the locate script's, the tcpdump chosen
     * from it captures real traffic, and its bytes held until attach are all delivered.
     */
    @Test
    void locateThenStartCapturesOnTheSameChannel() throws Exception {
        Lab.PodTruth truth = lab.truth("docker");
        String filter = unique("tcp port 8080");
        ByteArrayOutputStream pcap = new ByteArrayOutputStream();
        List<String> said = Collections.synchronizedList(new ArrayList<>());
        try (NodeSession s = root()) {
            RemoteTcpdump.Located located = RemoteTcpdump.locateThenStart(s,
                    List.of(io.k8scap.node.ContainerRef.parse(lab.pod("docker").containerId()),
                            io.k8scap.node.ContainerRef.parse("docker://" + "0".repeat(64))),
                    Duration.ofSeconds(5), facts -> {
                        assertThat(facts.containers().get(0).pid()).isEqualTo(truth.pid());
                        assertThat(facts.containers().get(0).hostPeer().name()).isEqualTo(truth.hostIf());
                        assertThat(facts.containers().get(1).ok()).isFalse();
                        return new TcpdumpSpec(facts.containers().get(0).hostPeer().name(), 0, 262144, BpfFilter.of(filter),
                                Duration.ofMinutes(2), Duration.ofSeconds(5), true);
                    });
            RemoteTcpdump t = located.tcpdump();
            assertThat(t.awaitListening(Duration.ofSeconds(10))).isTrue();
            wget("http://" + lab.pod("docker").podIP() + ":8080/", 0);
            Thread.sleep(300);
            t.attach(pcap, said::add); // late on purpose: what came before is held, then delivered
            t.stop();
            assertThat(t.awaitEnd(Duration.ofSeconds(10))).isZero();
            assertThat(t.stats().captured()).isPositive();
            byte[] b = pcap.toByteArray();
            assertThat(b).startsWith(PCAP_MAGIC_LE);
            assertThat(new String(b, StandardCharsets.ISO_8859_1)).contains("HTTP/1.");
            assertThat(said).noneMatch(l -> l.startsWith("k8scap-capture:"));
        }
        assertNoTcpdumpWithin(filter, Duration.ofSeconds(3));
    }

    @Test
    void locateThenStartWithNothingToCaptureEndsTheChannel() throws Exception {
        try (NodeSession s = root()) {
            RemoteTcpdump.Located located = RemoteTcpdump.locateThenStart(s,
                    List.of(io.k8scap.node.ContainerRef.parse("docker://" + "0".repeat(64))), Duration.ofSeconds(5), facts -> null);
            assertThat(located.tcpdump()).isNull();
            assertThat(located.facts().containers().get(0).ok()).isFalse();
            assertThat(located.facts().tools()).containsKey("tcpdump");
        }
    }

    // ---- 2. inside the pod's netns ------------------------------------------------------------

    @Test
    void insideTheNetnsOnEth0AndLo() throws Exception {
        Lab.PodTruth pod = lab.truth("containerd");
        String podIp = lab.pod("containerd").podIP();
        String eth0Filter = unique("tcp port 8080");
        String loFilter = unique("tcp port 8080");
        ByteArrayOutputStream eth0 = new ByteArrayOutputStream();
        ByteArrayOutputStream lo = new ByteArrayOutputStream();
        try (NodeSession s = root()) {
            // two captures at once on one session: two exec channels
            RemoteTcpdump onEth0 = start(s, spec("eth0", pod.pid(), eth0Filter), eth0);
            RemoteTcpdump onLo = start(s, spec("lo", pod.pid(), loFilter), lo);
            assertThat(wget(pod.url(), 0)).contains(pod.content());
            assertThat(wget("http://127.0.0.1:8080/", pod.pid())).contains(pod.content());
            onEth0.stop();
            onLo.stop();
            assertThat(onEth0.awaitEnd(Duration.ofSeconds(10))).isZero();
            assertThat(onLo.awaitEnd(Duration.ofSeconds(10))).isZero();
            List<String> e = tcpPackets(eth0.toByteArray());
            assertThat(e).anyMatch(l -> l.matches("\\S+ " + Pattern.quote(podIp) + " \\d+ 8080"))
                    .noneMatch(l -> l.startsWith("127.0.0.1 "));
            List<String> l = tcpPackets(lo.toByteArray());
            assertThat(l).anyMatch(x -> x.matches("127\\.0\\.0\\.1 127\\.0\\.0\\.1 \\d+ 8080"))
                    .noneMatch(x -> x.contains(podIp));
            assertThat(onLo.stats().captured()).isEqualTo(l.size());
        }
        assertNoTcpdumpWithin(eth0Filter, Duration.ofSeconds(3));
        assertNoTcpdumpWithin(loFilter, Duration.ofSeconds(3));
    }

    // ---- 3. client SIGKILLed ------------------------------------------------------------------

    @Test
    void clientKilledWithSigkillLeavesNothing() throws Exception {
        String filter = neverMatching();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), RemoteTcpdumpChild.class.getName(),
                lab.truth("docker").hostIf(), filter)
                .redirectError(tmp.resolve("child.err").toFile()).start();
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line = r.readLine();
            assertThat(line).as("child said (stderr: %s)", Files.readString(tmp.resolve("child.err"))).isEqualTo("listening");
            assertThat(tcpdumps(filter)).isEqualTo(1);
            child.destroyForcibly();
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertNoTcpdumpWithin(filter, Duration.ofSeconds(5));
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void sessionClosedUnderARunningCaptureLeavesNothing() throws Exception {
        String filter = neverMatching();
        NodeSession s = root();
        RemoteTcpdump t = start(s, spec(lab.truth("docker").hostIf(), 0, filter), OutputStream.nullOutputStream());
        s.close(); // the SSH connection goes away without a stop
        assertNoTcpdumpWithin(filter, Duration.ofSeconds(5));
        assertThatThrownBy(() -> t.awaitEnd(Duration.ofSeconds(5))).isInstanceOf(K8sCapException.class);
    }

    // ---- 4. connection cut ----------------------------------------------------------------------

    static int clientPort(NodeSession s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(s.exec("echo $SSH_CLIENT", null, out, null)).isZero();
        String[] w = out.toString(StandardCharsets.UTF_8).trim().split(" ");
        return Integer.parseInt(w[1]);
    }

    @Test
    void connectionCutSilentlyHeartbeatTimeoutKillsTcpdump() throws Exception {
        String filter = neverMatching();
        NodeSession s = root();
        int port = clientPort(s);
        List<String> rules = List.of(
                "INPUT -i lo -p tcp --sport " + port + " --dport " + lab.sshPort() + " -m comment --comment k8scap-tcpdump-test -j DROP",
                "INPUT -i lo -p tcp --sport " + lab.sshPort() + " --dport " + port + " -m comment --comment k8scap-tcpdump-test -j DROP");
        try {
            RemoteTcpdump t = start(s, new TcpdumpSpec(lab.truth("docker").hostIf(), 0, 0, BpfFilter.of(filter), Duration.ofMinutes(5), Duration.ofSeconds(3)),
                    OutputStream.nullOutputStream());
            for (String rule : rules) {
                assertThat(sh(("iptables -I " + rule).split(" "))).isEmpty();
            }
            long cut = System.nanoTime();
            Thread.sleep(1500);
            assertThat(tcpdumps(filter)).as("still running just after the cut").isEqualTo(1);
            assertNoTcpdumpWithin(filter, Duration.ofSeconds(8));
            assertThat(Duration.ofNanos(System.nanoTime() - cut)).isGreaterThan(Duration.ofMillis(2500));
            assertThat(t.ended()).as("the client cannot know yet: the connection is cut").isFalse();
        } finally {
            for (String rule : rules) {
                sh(("iptables -D " + rule).split(" "));
            }
            s.close();
        }
    }

    @Test
    void connectionCutHardSshdKilledEofKillsTcpdump() throws Exception {
        String filter = neverMatching();
        try (NodeSession s = root()) {
            int port = clientPort(s);
            RemoteTcpdump t = start(s, spec(lab.truth("docker").hostIf(), 0, filter), OutputStream.nullOutputStream());
            String ss = sh("ss", "-Htnp", "state", "established", "( sport = :" + lab.sshPort() + " and dport = :" + port + " )");
            Matcher m = Pattern.compile("pid=(\\d+)").matcher(ss);
            List<String> pids = new ArrayList<>();
            while (m.find()) {
                pids.add(m.group(1));
            }
            assertThat(pids).as("sshd serving port %d: %s", port, ss).isNotEmpty();
            for (String pid : pids) {
                sh("kill", "-KILL", pid);
            }
            assertNoTcpdumpWithin(filter, Duration.ofSeconds(5));
            assertThatThrownBy(() -> t.awaitEnd(Duration.ofSeconds(10)))
                    .isInstanceOfSatisfying(K8sCapException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.UNAVAILABLE));
        }
    }

    // ---- 5. hard deadline ------------------------------------------------------------------------

    @Test
    void hardDeadlineEndsTcpdumpWithStats() throws Exception {
        String filter = neverMatching();
        ByteArrayOutputStream pcap = new ByteArrayOutputStream();
        try (NodeSession s = root()) {
            long t0 = System.nanoTime();
            RemoteTcpdump t = start(s, new TcpdumpSpec(lab.truth("docker").hostIf(), 0, 0, BpfFilter.of(filter), Duration.ofSeconds(3), Duration.ofSeconds(2)), pcap);
            assertThat(t.awaitEnd(Duration.ofSeconds(15))).isZero();
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(took).isBetween(Duration.ofMillis(2500), Duration.ofSeconds(9));
            assertThat(t.end()).isEqualTo(RemoteTcpdump.End.DEADLINE);
            assertThat(t.stats()).isEqualTo(new TcpdumpStats(0, 0, 0));
            assertThat(pcap.toByteArray()).startsWith(PCAP_MAGIC_LE);
        }
        assertNoTcpdumpWithin(filter, Duration.ofSeconds(2));
    }

    // ---- 6. tcpdump missing ------------------------------------------------------------------------

    /**
     * The lab node seen through a private mount namespace in which /usr/bin holds everything but
     * tcpdump (symlinks to the real /usr/bin, bind-mounted aside): the same command line, over
     * the same SSH, on a node where tcpdump really is not installed.
     */
    record NodeWithoutTcpdump(NodeSession real) implements NodeSession {
        static final String HIDE = "mount -t tmpfs k8scap-tcpdump-test /tmp && mkdir /tmp/realbin && mount --bind /usr/bin /tmp/realbin"
                + " && mount -t tmpfs k8scap-tcpdump-test /usr/bin && /tmp/realbin/cp -as /tmp/realbin/. /usr/bin/"
                + " && /tmp/realbin/rm /usr/bin/tcpdump && exec sh -c \"$1\"";

        @Override
        public NodeTarget target() {
            return real.target();
        }

        @Override
        public boolean sudo() {
            return real.sudo();
        }

        @Override
        public int exec(String commandLine, InputStream stdin, OutputStream stdout, OutputStream stderr) {
            return real.exec("unshare -m sh -c " + ShellQuote.quote(HIDE) + " k8scap-hide " + ShellQuote.quote(commandLine), stdin, stdout, stderr);
        }

        @Override
        public void close() {
            real.close();
        }
    }

    @Test
    void tcpdumpMissingIsUnavailableNamingTheNode() {
        try (NodeSession s = new NodeWithoutTcpdump(root())) {
            ByteArrayOutputStream check = new ByteArrayOutputStream();
            s.exec("command -v tcpdump; command -v nsenter", null, check, null);
            assertThat(check.toString(StandardCharsets.UTF_8).trim()).as("the test's node has nsenter but no tcpdump").isEqualTo("/usr/bin/nsenter");
            RemoteTcpdump t = RemoteTcpdump.start(s, spec(lab.truth("docker").hostIf(), 0, null), OutputStream.nullOutputStream(), tcpdumpLines::add);
            assertThatThrownBy(() -> t.awaitEnd(Duration.ofSeconds(10)))
                    .isInstanceOfSatisfying(K8sCapException.class, e -> {
                        assertThat(e.exitCode()).isEqualTo(ExitCode.UNAVAILABLE);
                        assertThat(e.getMessage()).isEqualTo("tcpdump is not installed on node " + Lab.NODE_NAME
                                + ": install tcpdump (apt-get install tcpdump / dnf install tcpdump) on the node");
                    });
            assertThat(t.awaitListening(Duration.ofMillis(10))).isFalse();
        }
    }

    // ---- 7./8./9. errors and quoting ------------------------------------------------------------------

    /**
     * The filter reaches the real tcpdump as ONE exact argument, newlines and all, the same way for a
     * node's first pod (after locate, on its channel) and for a later pod (a channel of its own):
     * tcpdump's argv holds it byte for byte, and it captures what it says.
     */
    @Test
    void aFilterWithNewlinesReachesTcpdumpExactlyBothWays() throws Exception {
        Lab.PodTruth truth = lab.truth("docker");
        String first = unique("tcp port 8080\n  and host " + lab.pod("docker").podIP()) + "\n";
        String later = unique("tcp\nport 8080");
        ByteArrayOutputStream pcap1 = new ByteArrayOutputStream();
        ByteArrayOutputStream pcap2 = new ByteArrayOutputStream();
        try (NodeSession s = root()) {
            RemoteTcpdump t1 = RemoteTcpdump.locateThenStart(s, List.of(io.k8scap.node.ContainerRef.parse(lab.pod("docker").containerId())),
                    Duration.ofSeconds(5), facts -> spec(facts.containers().get(0).hostPeer().name(), 0, first)).tcpdump();
            t1.attach(pcap1, tcpdumpLines::add);
            RemoteTcpdump t2 = start(s, spec(truth.hostIf(), 0, later), pcap2);
            assertThat(t1.awaitListening(Duration.ofSeconds(10))).isTrue();
            assertThat(tcpdumpArgv(first)).endsWith("--", first);
            assertThat(tcpdumpArgv(later)).endsWith("--", later);
            assertThat(wget(truth.url(), 0)).contains(truth.content());
            Thread.sleep(300);
            t1.stop();
            t2.stop();
            assertThat(t1.awaitEnd(Duration.ofSeconds(10))).isZero();
            assertThat(t2.awaitEnd(Duration.ofSeconds(10))).isZero();
            assertThat(new String(pcap1.toByteArray(), StandardCharsets.ISO_8859_1)).contains("HTTP/1.");
            assertThat(new String(pcap2.toByteArray(), StandardCharsets.ISO_8859_1)).contains("HTTP/1.");
        }
        assertNoTcpdumpWithin(first, Duration.ofSeconds(3));
        assertNoTcpdumpWithin(later, Duration.ofSeconds(3));
    }

    /** Quotes, $ and backticks are data: tcpdump itself rejects them, with its own message. */
    @Test
    void shellCharactersInTheFilterAreTcpdumpsToJudge() {
        String filter = "port 80 and host '$(touch /tmp/k8scap-x)' `id` \"$HOME\"";
        try (NodeSession s = root()) {
            RemoteTcpdump t = RemoteTcpdump.start(s, spec(lab.truth("docker").hostIf(), 0, filter), OutputStream.nullOutputStream(), tcpdumpLines::add);
            assertThatThrownBy(() -> t.awaitEnd(Duration.ofSeconds(10)))
                    .isInstanceOfSatisfying(K8sCapException.class, e -> {
                        assertThat(e.exitCode()).as(e.getMessage()).isEqualTo(ExitCode.USAGE);
                        assertThat(e.getMessage()).contains(filter);
                    });
        }
        assertThat(Path.of("/tmp/k8scap-x")).doesNotExist();
    }

    /** tcpdump's argv (the process whose command line holds {@code filter}), one element per argument. */
    static List<String> tcpdumpArgv(String filter) throws IOException {
        for (Path p : pids("tcpdump", filter).stream().map(pid -> Path.of("/proc", pid)).toList()) {
            return List.of(new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).split("\0"));
        }
        return List.of();
    }

    @Test
    void bpfSyntaxErrorIsUsageWithTcpdumpsMessage() {
        String hostIf = lab.truth("docker").hostIf();
        try (NodeSession s = root()) {
            RemoteTcpdump t = RemoteTcpdump.start(s, spec(hostIf, 0, "tcp port nope"), OutputStream.nullOutputStream(), tcpdumpLines::add);
            assertThatThrownBy(() -> t.awaitEnd(Duration.ofSeconds(10)))
                    .isInstanceOfSatisfying(K8sCapException.class, e -> {
                        assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
                        assertThat(e.getMessage()).contains("tcpdump: unknown port 'nope'");
                    });
            RemoteTcpdump t2 = RemoteTcpdump.start(s, spec(hostIf, 0, "tcp and ("), OutputStream.nullOutputStream(), tcpdumpLines::add);
            assertThatThrownBy(() -> t2.awaitEnd(Duration.ofSeconds(10)))
                    .isInstanceOfSatisfying(K8sCapException.class, e -> {
                        assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
                        assertThat(e.getMessage()).contains("tcpdump: can't parse filter expression: syntax error");
                    });
            assertThat(tcpdumpLines).contains("tcpdump: unknown port 'nope'");
        }
        assertThat(tcpdumps("tcp port nope")).isZero();
    }

    @Test
    void noSuchInterfaceIsNotFound() {
        try (NodeSession s = root()) {
            RemoteTcpdump t = RemoteTcpdump.start(s, spec("k8scapnosuch0", 0, null), OutputStream.nullOutputStream(), tcpdumpLines::add);
            assertThatThrownBy(() -> t.awaitEnd(Duration.ofSeconds(10)))
                    .isInstanceOfSatisfying(K8sCapException.class, e -> {
                        assertThat(e.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
                        assertThat(e.getMessage()).startsWith("no interface k8scapnosuch0 on node " + Lab.NODE_NAME);
                    });
            long pid = lab.truth("containerd").pid();
            RemoteTcpdump inNetns = RemoteTcpdump.start(s, spec("eth9", pid, null), OutputStream.nullOutputStream(), tcpdumpLines::add);
            assertThatThrownBy(() -> inNetns.awaitEnd(Duration.ofSeconds(10)))
                    .isInstanceOfSatisfying(K8sCapException.class, e -> {
                        assertThat(e.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
                        assertThat(e.getMessage()).startsWith("no interface eth9 in the netns of PID " + pid + " on node " + Lab.NODE_NAME);
                    });
        }
    }

    @Test
    void shellMetacharactersInTheFilterAreOneTcpdumpArgument() throws Exception {
        Path pwned = Path.of("/tmp/k8scap-tcpdump-pwned-" + ThreadLocalRandom.current().nextInt(1_000_000));
        try (NodeSession s = root()) {
            for (String filter : List.of(
                    "port 80 and host 10.0.0.1'; touch " + pwned + " #",
                    "port 80 $(touch " + pwned + ")",
                    "port 80 `touch " + pwned + "`",
                    "port 80\"; touch " + pwned + "; echo \"")) {
                tcpdumpLines.clear();
                RemoteTcpdump t = RemoteTcpdump.start(s, spec(lab.truth("docker").hostIf(), 0, filter), OutputStream.nullOutputStream(), tcpdumpLines::add);
                assertThatThrownBy(() -> t.awaitEnd(Duration.ofSeconds(10)))
                        .as(filter)
                        .isInstanceOfSatisfying(K8sCapException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE));
                assertThat(pwned).as("nothing of %s was executed", filter).doesNotExist();
            }
            // a valid filter with several words reaches tcpdump as one argument, and works
            String filter = neverMatching();
            RemoteTcpdump ok = start(s, spec(lab.truth("docker").hostIf(), 0, filter), OutputStream.nullOutputStream());
            assertThat(tcpdumps(" -- " + filter)).isEqualTo(1);
            ok.stop();
            assertThat(ok.awaitEnd(Duration.ofSeconds(10))).isZero();
        } finally {
            Files.deleteIfExists(pwned);
        }
    }

    // ---- not root ------------------------------------------------------------------------------------

    @Test
    void underSudoTheStreamIsIntactAndNothingIsLeft() throws Exception {
        Lab.PodTruth pod = lab.truth("docker");
        String filter = unique("tcp port 8080 and host " + lab.pod("docker").podIP());
        ByteArrayOutputStream pcap = new ByteArrayOutputStream();
        try (NodeSession s = connect(lab, lab.sudoUser(), true)) {
            RemoteTcpdump t = start(s, spec(pod.hostIf(), 0, filter), pcap);
            assertThat(wget(pod.url(), 0)).contains(pod.content());
            t.stop();
            assertThat(t.awaitEnd(Duration.ofSeconds(10))).isZero();
            List<String> packets = tcpPackets(pcap.toByteArray());
            assertThat(packets).anyMatch(l -> l.endsWith(" 8080"));
            assertThat(t.stats().captured()).isEqualTo(packets.size());
        }
        assertNoTcpdumpWithin(filter, Duration.ofSeconds(3));

        String quiet = neverMatching();
        NodeSession s = connect(lab, lab.sudoUser(), true);
        start(s, spec(pod.hostIf(), 0, quiet), OutputStream.nullOutputStream());
        s.close();
        assertNoTcpdumpWithin(quiet, Duration.ofSeconds(5));
    }

    @Test
    void notRootWithoutSudoIsDenied() {
        try (NodeSession s = connect(lab, lab.noSudoUser(), false)) {
            RemoteTcpdump t = RemoteTcpdump.start(s, spec(lab.truth("docker").hostIf(), 0, null), OutputStream.nullOutputStream(), tcpdumpLines::add);
            assertThatThrownBy(() -> t.awaitEnd(Duration.ofSeconds(10)))
                    .isInstanceOfSatisfying(K8sCapException.class, e -> {
                        assertThat(e.exitCode()).as(e.getMessage()).isEqualTo(ExitCode.DENIED);
                        assertThat(e.getMessage()).contains("--sudo").contains(Lab.NODE_NAME);
                    });
        }
    }

    // ---- the script itself killed: the deadline is the backstop --------------------------------------

    @Test
    void scriptKilledTheDeadlineStillEndsTcpdump() throws Exception {
        String filter = neverMatching();
        try (NodeSession s = root()) {
            RemoteTcpdump t = start(s, new TcpdumpSpec(lab.truth("docker").hostIf(), 0, 0, BpfFilter.of(filter), Duration.ofSeconds(5), Duration.ofMinutes(5)),
                    OutputStream.nullOutputStream());
            long t0 = System.nanoTime();
            // capture.sh and its reader and watchdog subshells, found from its tcpdump (the filter is on
            // tcpdump's command line, not the script's: the script reads it on stdin): tcpdump's parent
            // is timeout, timeout's is capture.sh, whose live sh children are the reader and the watchdog
            List<String> tcpdump = pids("tcpdump", filter);
            assertThat(tcpdump).hasSize(1);
            String main = ppid(ppid(tcpdump.get(0)));
            assertThat(Files.readString(Path.of("/proc", main, "comm")).trim()).isEqualTo("sh");
            // reader and watchdog first: killed after capture.sh, the reader would see sshd close stdin
            // and kill tcpdump itself (which is the point of it, but not what this test is about)
            List<String> subshells = liveChildren(main, "sh");
            assertThat(subshells).as("capture.sh, its reader and its watchdog").hasSize(2);
            List<String> kill = new ArrayList<>(List.of("kill", "-KILL"));
            kill.addAll(subshells);
            assertThat(sh(kill.toArray(String[]::new))).isEmpty();
            assertThat(sh("kill", "-KILL", main)).isEmpty();
            Thread.sleep(1000);
            assertThat(tcpdumps(filter)).as("tcpdump outlives its script until the deadline").isEqualTo(1);
            assertNoTcpdumpWithin(filter, Duration.ofSeconds(8));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThan(Duration.ofSeconds(3));
            assertThatThrownBy(() -> t.awaitEnd(Duration.ofSeconds(5))).isInstanceOf(K8sCapException.class);
        }
    }

    // ---- busybox sh as the node's shell -----------------------------------------------------------------

    /** The lab node whose {@code sh} is busybox ash (as on minimal node images). */
    record BusyboxShellNode(NodeSession real) implements NodeSession {
        @Override
        public NodeTarget target() {
            return real.target();
        }

        @Override
        public boolean sudo() {
            return false;
        }

        @Override
        public int exec(String commandLine, InputStream stdin, OutputStream stdout, OutputStream stderr) {
            assertThat(commandLine).startsWith("sh -c ");
            return real.exec("busybox " + commandLine, stdin, stdout, stderr);
        }

        @Override
        public void close() {
            real.close();
        }
    }

    @Test
    void underBusyboxShStopAndEofWorkToo() throws Exception {
        Lab.PodTruth pod = lab.truth("docker");
        String filter = unique("tcp port 8080 and host " + lab.pod("docker").podIP());
        ByteArrayOutputStream pcap = new ByteArrayOutputStream();
        try (NodeSession s = new BusyboxShellNode(root())) {
            RemoteTcpdump t = start(s, spec(pod.hostIf(), 0, filter), pcap);
            assertThat(wget(pod.url(), 0)).contains(pod.content());
            t.stop();
            assertThat(t.awaitEnd(Duration.ofSeconds(10))).isZero();
            assertThat(t.end()).isEqualTo(RemoteTcpdump.End.STOPPED);
            assertThat(t.stats().captured()).isEqualTo(tcpPackets(pcap.toByteArray()).size()).isPositive();
        }
        String quiet = neverMatching();
        NodeSession s = new BusyboxShellNode(root());
        start(s, spec(pod.hostIf(), 0, quiet), OutputStream.nullOutputStream());
        s.close();
        assertNoTcpdumpWithin(quiet, Duration.ofSeconds(5));
    }
}
