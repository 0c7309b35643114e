package io.k8scap.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** capture.sh's and tcpdump's stderr as recorded on real runs (tcpdump 4.99.3 / libpcap 1.10.3 unless noted). */
class RemoteTcpdumpOutputTest {
    static final TcpdumpSpec HOST = new TcpdumpSpec("vethecda12ef", 0, 0, BpfFilter.of("tcp port nope"), Duration.ofMinutes(5), Duration.ofSeconds(10));
    static final TcpdumpSpec NETNS = new TcpdumpSpec("eth0", 4242, 0, null, Duration.ofMinutes(5), Duration.ofSeconds(10));

    static TcpdumpOutput feed(String stderr) {
        TcpdumpOutput o = new TcpdumpOutput();
        for (String l : stderr.split("\n", -1)) {
            if (!l.isEmpty()) {
                o.accept(l);
            }
        }
        return o;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        # what                   | stderr (\\n = newline)                                                                                                                         | captured | byFilter | kernel | iface
        clean stop, plural       | k8scap-capture: started\\ntcpdump: listening on lo, link-type EN10MB (Ethernet), snapshot length 262144 bytes\\nk8scap-capture: stop\\n12 packets captured\\n14 packets received by filter\\n2 packets dropped by kernel\\nk8scap-capture: end 0 | 12 | 14 | 2 | 0
        singular                 | 1 packet captured\\n1 packet received by filter\\n0 packets dropped by kernel                                                                    | 1        | 1        | 0      | 0
        dropped by interface     | 5 packets captured\\n9 packets received by filter\\n1 packet dropped by kernel\\n3 packets dropped by interface                                    | 5        | 9        | 1      | 3
        with warnings around     | tcpdump: WARNING: any: That device doesn't support promiscuous mode\\n(Promiscuous mode not supported on the \"any\" device)\\ntcpdump: data link type LINUX_SLL2\\n0 packets captured\\n0 packets received by filter\\n0 packets dropped by kernel | 0 | 0 | 0 | 0
        big numbers              | 4294967295 packets captured\\n4294967296 packets received by filter\\n0 packets dropped by kernel                                                 | 4294967295 | 4294967296 | 0 | 0
        """)
    void countersAreParsed(String what, String stderr, long captured, long byFilter, long kernel, long iface) {
        TcpdumpOutput o = feed(stderr.replace("\\n", "\n"));
        assertThat(o.stats()).isEqualTo(new TcpdumpStats(captured, byFilter, kernel, iface));
    }

    @Test
    void noCountersNoStats() {
        TcpdumpOutput o = feed("k8scap-capture: started\ntcpdump: listening on lo, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n"
                + "k8scap-capture: killed eof\nk8scap-capture: end 137\n");
        assertThat(o.stats()).isNull();
        assertThat(o.listening()).isTrue();
        assertThat(o.ending(137)).isEqualTo(RemoteTcpdump.End.STDIN_CLOSED);
        assertThat(o.failure(137, "n1", HOST)).as("killed by the dead man's switch is not a failure").isNull();
    }

    @Test
    void counterLookalikesFromOtherToolsAreNotCounters() {
        assertThat(feed("tcpdump: 3 packets captured\nabc 3 packets captured\n").stats()).isNull();
    }

    @Test
    void capturesOwnLinesAreNotTcpdumps() {
        TcpdumpOutput o = new TcpdumpOutput();
        assertThat(o.accept("k8scap-capture: started")).isFalse();
        assertThat(o.accept("tcpdump: listening on eth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes")).isTrue();
        assertThat(o.accept("k8scap-capture: end 124")).isFalse();
        assertThat(o.endStatus()).isEqualTo(124);
        assertThat(o.ending(124)).isEqualTo(RemoteTcpdump.End.DEADLINE);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        # what                  | stderr                                                                                              | status | spec  | exit        | message contains
        filter: syntax          | k8scap-capture: started\\ntcpdump: can't parse filter expression: syntax error\\nk8scap-capture: end 1 | 1 | HOST  | USAGE       | tcpdump: can't parse filter expression: syntax error
        filter: unknown port    | k8scap-capture: started\\ntcpdump: unknown port 'nope'\\nk8scap-capture: end 1                          | 1 | HOST  | USAGE       | tcpdump: unknown port 'nope'
        no such interface       | k8scap-capture: started\\ntcpdump: nosuch0: No such device exists\\n(No such device exists)\\nk8scap-capture: end 1 | 1 | HOST | NOT_FOUND | no interface vethecda12ef on node n1 (tcpdump: nosuch0: No such device exists)
        interface in netns      | k8scap-capture: started\\ntcpdump: eth7: No such device exists\\n(SIOCGIFHWADDR: No such device)\\nk8scap-capture: end 1 | 1 | NETNS | NOT_FOUND | eth0 in the netns of PID 4242
        interface went away     | k8scap-capture: started\\ntcpdump: listening on vethx, link-type EN10MB (Ethernet), snapshot length 262144 bytes\\ntcpdump: pcap_loop: The interface disappeared\\n0 packets captured\\n0 packets received by filter\\n0 packets dropped by kernel\\nk8scap-capture: end 1 | 1 | HOST | NOT_FOUND | went away
        not root                | k8scap-capture: started\\ntcpdump: lo: You don't have permission to perform this capture on that device\\n(socket: Operation not permitted)\\nk8scap-capture: end 1 | 1 | HOST | DENIED | use --sudo
        netns pid gone          | k8scap-capture: started\\nnsenter: cannot open /proc/4242/ns/net: No such file or directory\\nk8scap-capture: end 1 | 1 | NETNS | NOT_FOUND | process 4242 is gone on node n1
        nsenter not root        | k8scap-capture: started\\nnsenter: reassociate to namespace 'ns/net' failed: Operation not permitted\\nk8scap-capture: end 1 | 1 | NETNS | DENIED | --sudo
        tcpdump missing         | k8scap-capture: missing tcpdump                                                                     | 127    | HOST  | UNAVAILABLE | tcpdump is not installed on node n1: install tcpdump (apt-get install tcpdump / dnf install tcpdump)
        several missing         | k8scap-capture: missing tcpdump nsenter                                                             | 127    | NETNS | UNAVAILABLE | tcpdump and nsenter are not installed on node n1
        killed by someone       | k8scap-capture: started\\ntcpdump: listening on lo, link-type EN10MB (Ethernet), snapshot length 262144 bytes\\nk8scap-capture: end 137 | 137 | HOST | FAILURE | killed by signal 9
        script never ran        | sh: 1: cannot create /nonexistent: Permission denied                                                 | 2      | HOST  | UNAVAILABLE | did not start
        """)
    void failuresMapToExitCodes(String what, String stderr, int status, String spec, ExitCode exit, String contains) {
        TcpdumpOutput o = feed(stderr.replace("\\n", "\n"));
        K8sCapException e = o.failure(status, "n1", spec.equals("HOST") ? HOST : NETNS);
        assertThat(e).isNotNull();
        assertThat(e.exitCode()).isEqualTo(exit);
        assertThat(e.getMessage()).contains(contains).doesNotContain("\n");
    }

    @Test
    void cleanEndsAreNoFailure() {
        assertThat(feed("k8scap-capture: started\nk8scap-capture: stop\n0 packets captured\nk8scap-capture: end 0\n").failure(0, "n1", HOST)).isNull();
        TcpdumpOutput deadline = feed("k8scap-capture: started\n0 packets captured\nk8scap-capture: end 124\n");
        assertThat(deadline.failure(124, "n1", HOST)).isNull();
        assertThat(deadline.ending(124)).isEqualTo(RemoteTcpdump.End.DEADLINE);
        assertThat(feed("k8scap-capture: started\nk8scap-capture: stop\nk8scap-capture: end 0\n").ending(0)).isEqualTo(RemoteTcpdump.End.STOPPED);
        assertThat(feed("k8scap-capture: started\nk8scap-capture: killed heartbeat\nk8scap-capture: end 0\n").ending(0)).isEqualTo(RemoteTcpdump.End.HEARTBEAT_LOST);
    }

    @Test
    void stderrLinesAreSplitAcrossWritesAndOursAreNotPassedOn() throws Exception {
        TcpdumpOutput o = new TcpdumpOutput();
        List<String> passed = new ArrayList<>();
        StderrLines lines = new StderrLines(o, passed::add);
        byte[] all = "k8scap-capture: started\ntcpdump: listening on lo, link-type EN10MB (Ethernet), snapshot length 262144 bytes\r\n3 packets captured\n3 pack"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (int i = 0; i < all.length; i += 7) {
            lines.write(all, i, Math.min(7, all.length - i));
        }
        lines.write("ets received by filter\n0 packets dropped by kernel".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        lines.finish();
        assertThat(passed).containsExactly(
                "tcpdump: listening on lo, link-type EN10MB (Ethernet), snapshot length 262144 bytes",
                "3 packets captured", "3 packets received by filter", "0 packets dropped by kernel");
        assertThat(o.stats()).isEqualTo(new TcpdumpStats(3, 3, 0));
        assertThat(o.started()).isTrue();
    }

    @Test
    void parametersForTheScript() {
        assertThat(RemoteTcpdump.parameters(new TcpdumpSpec("eth0", 4242, 96, BpfFilter.of("port 80 and host 10.0.0.1'; touch /tmp/x #"),
                Duration.ofMillis(2500), Duration.ofSeconds(3), false)))
                .containsExactly("capture", "eth0", "4242", "96", "3", "3", "0", "1", "port 80 and host 10.0.0.1'; touch /tmp/x #");
        assertThat(RemoteTcpdump.parameters(new TcpdumpSpec("veth1", 0, 0, BpfFilter.of("  "), Duration.ofSeconds(60), Duration.ofSeconds(10))))
                .containsExactly("capture", "veth1", "0", "0", "60", "10", "1", "0");
        // a newline in the filter is a line end of its own: the line count keeps it exact
        assertThat(RemoteTcpdump.parameters(new TcpdumpSpec("veth1", 0, 0, BpfFilter.of("tcp\nport 80\n"), Duration.ofSeconds(60), Duration.ofSeconds(10))))
                .endsWith("3", "tcp", "port 80", "");
    }
}
