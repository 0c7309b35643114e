package io.k8scap.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.k8scap.analysis.Analysis.Finding;
import io.k8scap.analysis.Analysis.Kind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The analysis agrees with tshark, run now on the same file, on every real capture (and the lab's own
 * recordings): the very frames tshark flags as retransmission, fast retransmission, duplicate ACK, zero window
 * and out-of-order, the same counts per flow, the same ICMP unreachable / fragmentation-needed reports and DNS
 * responses by rcode. A lab test: the lab installs tshark (scripts/lab/install.sh); without it this fails.
 */
@Tag("lab")
class TsharkAgreementLabTest {
    /** tshark's field per flag, and ours. */
    private static final Map<String, Integer> FLAGS = new java.util.LinkedHashMap<>();

    static {
        FLAGS.put("tcp.analysis.retransmission", TcpSequence.RETRANSMISSION);
        FLAGS.put("tcp.analysis.fast_retransmission", TcpSequence.FAST_RETRANSMISSION);
        FLAGS.put("tcp.analysis.spurious_retransmission", TcpSequence.SPURIOUS_RETRANSMISSION);
        FLAGS.put("tcp.analysis.duplicate_ack", TcpSequence.DUPLICATE_ACK);
        FLAGS.put("tcp.analysis.zero_window", TcpSequence.ZERO_WINDOW);
        FLAGS.put("tcp.analysis.out_of_order", TcpSequence.OUT_OF_ORDER);
    }

    static Stream<Path> captures() throws IOException {
        List<Path> all = new ArrayList<>(RealCaptures.all());
        for (String r : List.of("eth.pcap", "sll.pcap", "sll2-nanos.pcap", "rawip.pcap")) {
            all.add(RealCaptures.resource(r));
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void tcpAnalysisFlagsAreTsharksFrameByFrame(Path file) throws IOException {
        List<String> args = new ArrayList<>(List.of("-Y", "tcp.analysis.flags && !icmp && !icmpv6", "-T", "fields", "-e", "frame.number"));
        for (String f : FLAGS.keySet()) {
            args.add("-e");
            args.add(f);
        }
        Map<String, TreeSet<Long>> theirs = new TreeMap<>();
        FLAGS.keySet().forEach(f -> theirs.put(f, new TreeSet<>()));
        for (String line : tshark(file, args)) {
            String[] c = line.split("\t", -1);
            int i = 1;
            for (String f : FLAGS.keySet()) {
                if (i < c.length && !c[i].isEmpty()) {
                    theirs.get(f).add(Long.parseLong(c[0]));
                }
                i++;
            }
        }
        Map<String, TreeSet<Long>> ours = new TreeMap<>();
        FLAGS.keySet().forEach(f -> ours.put(f, new TreeSet<>()));
        Analyzer a = new Analyzer();
        a.tcpListener((source, frame, flags) -> FLAGS.forEach((f, bit) -> {
            if ((flags & bit) != 0) {
                ours.get(f).add(frame);
            }
        }));
        Analysis r = RealCaptures.analyze(file, a);
        assertThat(ours).as("frames flagged, by tshark field").isEqualTo(theirs);
        // and the report's totals say the same
        assertThat(r.totals().retransmissions()).isEqualTo(theirs.get("tcp.analysis.retransmission").size()
                + theirs.get("tcp.analysis.spurious_retransmission").size());
        assertThat(r.totals().fastRetransmissions()).isEqualTo(theirs.get("tcp.analysis.fast_retransmission").size());
        assertThat(r.totals().duplicateAcks()).isEqualTo(theirs.get("tcp.analysis.duplicate_ack").size());
        assertThat(r.totals().zeroWindows()).isEqualTo(theirs.get("tcp.analysis.zero_window").size());
        assertThat(r.totals().outOfOrder()).isEqualTo(theirs.get("tcp.analysis.out_of_order").size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void findingsPerFlowAreTsharksCountsPerFlow(Path file) throws IOException {
        List<String> lines = tshark(file, List.of("-Y", "tcp.analysis.flags && !icmp && !icmpv6", "-T", "fields",
                "-E", "occurrence=l", "-e", "ip.src", "-e", "ipv6.src", "-e", "tcp.srcport", "-e", "ip.dst", "-e", "ipv6.dst",
                "-e", "tcp.dstport", "-e", "tcp.analysis.retransmission", "-e", "tcp.analysis.duplicate_ack",
                "-e", "tcp.analysis.zero_window"));
        Map<String, Long> theirs = new TreeMap<>();
        for (String line : lines) {
            String[] c = line.split("\t", -1);
            String flow = flow(c[0] + c[1], c[2], c[3] + c[4], c[5]);
            count(theirs, flow, "retransmission", c[6]);
            count(theirs, flow, "duplicate_ack", c[7]);
            count(theirs, flow, "zero_window", c[8]);
        }
        Map<String, Long> ours = new TreeMap<>();
        for (Finding f : RealCaptures.analyze(file).findings()) {
            if (f.kind() == Kind.retransmission || f.kind() == Kind.duplicate_ack || f.kind() == Kind.zero_window) {
                ours.put(flow(f.client().address(), String.valueOf(f.client().port()), f.server().address(),
                        String.valueOf(f.server().port())) + " " + f.kind(), f.count());
            }
        }
        assertThat(ours).isEqualTo(theirs);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void icmpErrorsAndDnsRcodesAreTsharks(Path file) throws IOException {
        List<String> lines = tshark(file, List.of("-Y", "(icmp.type==3 || icmpv6.type==1 || icmpv6.type==2) || "
                        + "(dns && udp.port==53 && !icmp && !icmpv6)", "-T", "fields", "-E", "occurrence=f",
                "-e", "icmp.type", "-e", "icmp.code", "-e", "icmpv6.type", "-e", "dns.flags.response", "-e", "dns.flags.rcode"));
        Map<String, Long> theirs = new TreeMap<>();
        for (String line : lines) {
            String[] c = line.split("\t", -1);
            if (c[0].equals("3")) {
                theirs.merge(c[1].equals("4") ? "fragmentation_needed" : "icmp_unreachable", 1L, Long::sum);
            } else if (!c[2].isEmpty()) {
                theirs.merge(c[2].equals("2") ? "fragmentation_needed" : "icmp_unreachable", 1L, Long::sum);
            } else if (c[3].equals("1") || c[3].equals("True")) {
                theirs.merge("dns " + DnsName.rcode(Integer.parseInt(c[4])), 1L, Long::sum);
            } else {
                theirs.merge("dns queries", 1L, Long::sum);
            }
        }
        Analysis r = RealCaptures.analyze(file);
        Map<String, Long> ours = new TreeMap<>();
        if (r.totals().icmpUnreachable() > 0) {
            ours.put("icmp_unreachable", r.totals().icmpUnreachable());
        }
        if (r.totals().fragmentationNeeded() > 0) {
            ours.put("fragmentation_needed", r.totals().fragmentationNeeded());
        }
        r.totals().dnsRcodes().forEach((rc, n) -> ours.put("dns " + rc, n));
        if (r.totals().dnsQueries() > 0) {
            ours.put("dns queries", r.totals().dnsQueries());
        }
        assertThat(ours).isEqualTo(theirs);
        long errors = r.findings().stream().filter(f -> f.kind() == Kind.dns_error).mapToLong(Finding::count).sum();
        assertThat(errors).isEqualTo(theirs.entrySet().stream()
                .filter(e -> e.getKey().startsWith("dns ") && !e.getKey().equals("dns queries") && !e.getKey().equals("dns NOERROR"))
                .mapToLong(Map.Entry::getValue).sum());
    }

    private static void count(Map<String, Long> m, String flow, String kind, String value) {
        if (!value.isEmpty()) {
            m.merge(flow + " " + kind, 1L, Long::sum);
        }
    }

    /** A flow, direction-free. */
    private static String flow(String a, String ap, String b, String bp) {
        String x = a + ":" + ap;
        String y = b + ":" + bp;
        return x.compareTo(y) <= 0 ? x + " " + y : y + " " + x;
    }

    static List<String> tshark(Path file, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-r", file.toString()));
        cmd.addAll(args);
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            return fail("tshark is needed for this test (the lab installs it: scripts/lab/install.sh): " + e.getMessage());
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                fail("tshark failed on " + file + ": " + String.join(" ", cmd));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        }
        return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }
}
