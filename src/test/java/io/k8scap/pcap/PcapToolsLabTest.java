package io.k8scap.pcap;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks our files with the real Wireshark tools (tshark, capinfos) and re-records fresh traffic with the
 * real tcpdump (record-traffic.sh: needs root, creates and removes netns k8scap-pcaphelper-a/-b).
 */
@Tag("lab")
class PcapToolsLabTest {
    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    static Run run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        return new Run(p.waitFor(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8)
                .replaceAll("(?m)^Running as user \"root\".*\\R?", ""));
    }

    @Test
    void mergedPcapngOfThreeLiveSourcesReadsBackInTshark() throws Exception {
        Map<String, String> files = Map.of("eth.pcap", "lab/eth", "sll2-nanos.pcap", "lab/sll2", "rawip.pcap", "lab/raw");
        Path target = dir.resolve("merged.pcapng");
        CaptureFile cf = CaptureFile.create(target);
        // A window far longer than the feed: order is then exact however the threads are scheduled
        // (a busy machine once stalled one feeder past a 200 ms window and the test saw a late record).
        PcapMerger m = new PcapMerger(new PcapngWriter(cf.out()), Duration.ofSeconds(30), 8);
        List<Thread> threads = new ArrayList<>();
        long expected = 0;
        List<Long> expectedTs = new ArrayList<>();
        // Every source exists before any feeds (as CaptureRun does): a source that does not exist yet
        // cannot hold the others back, and its first records would be written after later ones.
        Map<String, PcapMerger.Source> sources = new java.util.LinkedHashMap<>();
        for (var e : files.entrySet()) {
            sources.put(e.getKey(), m.source(e.getValue(), "node-" + e.getKey() + " veth0"));
        }
        for (var e : files.entrySet()) {
            byte[] f = PcapFiles.resource(e.getKey());
            PcapFiles.walk(f).forEach(r -> expectedTs.add(r.tsNanos()));
            expected += PcapFiles.walk(f).size();
            PcapMerger.Source s = sources.get(e.getKey());
            Thread t = new Thread(() -> {
                try {
                    PcapFiles.feed(new PcapStreamParser(s, e.getValue()), f, 1000); // close() ends the source
                } catch (IOException x) {
                    throw new RuntimeException(x);
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        m.close();
        cf.commit();

        Run r = run("tshark", "-r", target.toString(), "-T", "fields", "-E", "separator=|", "-e", "frame.interface_name",
                "-e", "frame.interface_description", "-e", "frame.time_epoch", "-e", "ip.src", "-e", "tcp.srcport");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).isBlank();
        List<String[]> rows = r.out().lines().map(l -> l.split("\\|", -1)).toList();
        assertThat(rows).hasSize((int) expected);
        assertThat(rows).extracting(x -> x[0] + " / " + x[1]).containsOnly(
                "lab/eth / node-eth.pcap veth0", "lab/sll2 / node-sll2-nanos.pcap veth0", "lab/raw / node-rawip.pcap veth0");
        List<Long> ts = rows.stream().map(x -> new BigDecimal(x[2]).movePointRight(9).longValueExact()).toList();
        assertThat(ts).containsExactlyInAnyOrderElementsOf(expectedTs); // exact, ns included
        List<Long> sorted = new ArrayList<>(ts);
        sorted.sort(null);
        assertThat(ts).isEqualTo(sorted); // merged in time order
        assertThat(rows).anyMatch(x -> x[3].equals("10.99.77.1") && x[4].equals(""));
        assertThat(rows).anyMatch(x -> x[3].equals("10.99.77.2") && x[4].equals("8080"));

        Run ci = run("capinfos", target.toString());
        assertThat(ci.exit()).as(ci.err()).isZero();
        assertThat(ci.err()).isBlank();
        assertThat(ci.out()).contains("pcapng").contains("Number of interfaces in file: 3");
    }

    @Test
    void truncatedStreamsCommittedAsPcapAndPcapngReadWithoutError() throws Exception {
        byte[] f = PcapFiles.resource("eth.pcap");
        List<PcapFiles.Rec> recs = PcapFiles.walk(f);
        int cut = recs.get(20).offset() + 16 + 7; // inside record 21's data
        byte[] cutBytes = Arrays.copyOf(f, cut);

        Path pcap = dir.resolve("cut.pcap");
        CaptureFile a = CaptureFile.create(pcap);
        PcapStreamParser p = new PcapStreamParser(new PcapWriter(a.out()));
        PcapFiles.feed(p, cutBytes, 333);
        assertThat(p.truncated()).isTrue();
        a.commit();

        Path pcapng = dir.resolve("cut.pcapng");
        CaptureFile b = CaptureFile.create(pcapng);
        PcapMerger m = new PcapMerger(new PcapngWriter(b.out()), Duration.ofMillis(100), 4);
        PcapMerger.Source s = m.source("lab/cut", "node veth");
        PcapStreamParser p2 = new PcapStreamParser(s);
        PcapFiles.feed(p2, cutBytes, 333);
        m.close();
        b.commit();
        assertThat(s.truncated()).isTrue();

        for (Path x : List.of(pcap, pcapng)) {
            Run r = run("tshark", "-r", x.toString(), "-T", "fields", "-e", "frame.number");
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.err()).as(x.toString()).isBlank(); // no "cut short in the middle of a packet"
            assertThat(r.out().lines()).hasSize(20);
        }
    }

    @Test
    void freshTcpdumpCaptureIsCopiedBitForBitAndItsProblemsAreFound() throws Exception {
        Path out = Files.createDirectories(dir.resolve("rec"));
        Path script = Path.of(PcapToolsLabTest.class.getResource("record-traffic.sh").toURI());
        Run rec = run("sh", script.toString(), out.toString());
        assertThat(rec.exit()).as(rec.err()).isZero();
        assertThat(run("ip", "netns", "list").out()).doesNotContain("k8scap-pcaphelper");

        byte[] f = Files.readAllBytes(out.resolve("eth.pcap"));
        Path copy = dir.resolve("copy.pcap");
        CaptureFile cf = CaptureFile.create(copy);
        io.k8scap.analysis.Analyzer summary = new io.k8scap.analysis.Analyzer();
        PcapWriter w = new PcapWriter(cf.out());
        PcapStreamParser p = new PcapStreamParser(new PcapStreamParserTest.Tee(w, new PcapStreamParser.Listener() {
            int lt;

            @Override
            public void header(PcapHeader h) {
                lt = h.linkType();
            }

            @Override
            public void record(long ts, int capLen, int origLen, byte[] buf, int off, int len) {
                summary.accept("fresh", lt, ts, origLen, buf, off + 16, capLen);
            }
        }));
        PcapFiles.feed(p, f, 4096);
        cf.commit();
        assertThat(PcapFiles.sha256(Files.readAllBytes(copy))).isEqualTo(PcapFiles.sha256(f));

        io.k8scap.analysis.Analysis r = summary.report();
        java.util.function.Function<io.k8scap.analysis.Analysis.Kind, java.util.List<io.k8scap.analysis.Analysis.Finding>> of =
                k -> r.findings().stream().filter(x -> x.kind() == k).toList();
        assertThat(of.apply(io.k8scap.analysis.Analysis.Kind.unanswered_syn)).extracting(x -> x.server().port()).containsExactly(8081);
        assertThat(of.apply(io.k8scap.analysis.Analysis.Kind.refused)).extracting(x -> x.server().port()).containsExactly(9);
        assertThat(of.apply(io.k8scap.analysis.Analysis.Kind.dns_error)).extracting(x -> x.dns().rcode())
                .containsExactlyInAnyOrder("NXDOMAIN", "SERVFAIL", "REFUSED");
        assertThat(of.apply(io.k8scap.analysis.Analysis.Kind.dns_unanswered)).extracting(x -> x.dns().name()).containsExactly("silent.k8scap.test");
        assertThat(of.apply(io.k8scap.analysis.Analysis.Kind.icmp_unreachable)).extracting(x -> x.server().port()).contains(7777);
        assertThat(r.totals().retransmissions()).isPositive();
    }

    @Test
    void nameResolutionBlockNamesPodsAndServicesInTshark() throws Exception {
        Path f = dir.resolve("names.pcapng");
        CaptureFile cf = CaptureFile.create(f);
        PcapngWriter w = new PcapngWriter(cf.out());
        int iface = w.addInterface(101, 262144, "flyte/flyteadmin-0", "lab-node-1 veth", false);
        w.addNames(new java.util.LinkedHashMap<>(Map.of("10.244.77.2", "lab/web-7c9d8f6b5-x2x4q", "10.96.0.10", "kube-system/kube-dns",
                "fd00:9977::2", "shop/checkout-0", "not-an-address", "skipped")));
        byte[] udp = {0x45, 0, 0, 29, 0, 1, 0, 0, 64, 17, 0, 0, 10, (byte) 244, 77, 3, 10, (byte) 244, 77, 2,
            (byte) 0x9c, 0x40, 0x27, 0x0f, 0, 9, 0, 0, 'x'};
        w.writePacket(iface, 1_700_000_000_000_000_000L, udp.length, udp.length, udp, 0);
        w.flush();
        cf.commit();

        Run hosts = run("tshark", "-r", f.toString(), "-N", "n", "-q", "-z", "hosts");
        assertThat(hosts.exit()).as(hosts.err()).isZero();
        assertThat(hosts.out()).containsPattern("10\\.244\\.77\\.2\\s+lab/web-7c9d8f6b5-x2x4q")
                .containsPattern("10\\.96\\.0\\.10\\s+kube-system/kube-dns")
                .containsPattern("fd00:9977::2\\s+shop/checkout-0")
                .doesNotContain("skipped");
        Run names = run("tshark", "-r", f.toString(), "-N", "n", "-T", "fields", "-e", "ip.dst_host");
        assertThat(names.out().strip()).isEqualTo("lab/web-7c9d8f6b5-x2x4q");
    }
}
