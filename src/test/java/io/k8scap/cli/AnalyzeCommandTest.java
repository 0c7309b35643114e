package io.k8scap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** k8scap analyze on the real captures of ../shared/realdata (offline: no kubeconfig anywhere). */
class AnalyzeCommandTest {
    private static final Path REAL = Path.of("..", "shared", "realdata", "pcap");

    private static String real(String name) {
        Path p = REAL.resolve(name);
        assertThat(p).as("real capture (../shared beside the clone)").isRegularFile();
        return p.toString();
    }

    @Test
    void problemsAreTheReportOnStdoutAndExit7() {
        CliRunner.Result r = CliRunner.run("analyze", real("zeek-socks.pcap")).assertExit(7);
        assertThat(r.out()).contains("retransmission: TCP 10.0.0.55:53994 → 60.190.189.214:8124: 11 retransmissions, 6 of the SYN/SYN-ACK")
                .contains("slow handshake").contains("SYN to SYN-ACK took 9454 ms");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void aCleanCaptureExits0() {
        CliRunner.Result r = CliRunner.run("analyze", real("tcp-handshake-nano.pcap")).assertExit(0);
        assertThat(r.out()).contains("nothing looks wrong").contains("131.155.215.69:46656 → 137.116.81.94:80");
    }

    @Test
    void severalFilesAndJson() throws Exception {
        CliRunner.Result r = CliRunner.run("analyze", real("of10_pf5240.pcap"), real("zeek-erspan.pcap"), "-o", "json").assertExit(7);
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("sources")).hasSize(2);
        assertThat(j.get("findings").findValuesAsText("kind")).contains("refused", "dns_error");
        assertThat(j.at("/totals/refused").asLong()).isEqualTo(2);
        assertThat(j.at("/totals/dnsRcodes/SERVFAIL").asLong()).isEqualTo(3);
    }

    @Test
    void notACaptureIsOneLineAndExit2(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("notes.pcap");
        Files.writeString(f, "hello, this is text\n");
        CliRunner.Result r = CliRunner.run("analyze", f.toString()).assertExit(2);
        assertThat(r.err().strip()).startsWith("error: notes.pcap is not a pcap or pcapng file").doesNotContain("\n");
        assertThat(r.out()).isEmpty();
        CliRunner.run("analyze", dir.resolve("missing.pcap").toString()).assertExit(4);
    }

    @Test
    void aTruncatedFileIsAnalysedUpToTheCutWithAWarning(@TempDir Path dir) throws Exception {
        byte[] all = Files.readAllBytes(Path.of(real("zeek-socks.pcap")));
        Path f = dir.resolve("cut.pcap");
        Files.write(f, java.util.Arrays.copyOf(all, 24 + 5 * 90)); // a few SYNs, then mid-record
        CliRunner.Result r = CliRunner.run("analyze", f.toString()).assertExit(7);
        assertThat(r.err()).startsWith("warning: " + f + ": the file ends inside a record after ").contains("truncated");
        assertThat(r.out()).contains("unanswered syn: TCP 10.0.0.55:53994 → 60.190.189.214:8124");
    }

    @Test
    @org.junit.jupiter.api.Tag("lab") // mergecap comes with the lab's Wireshark tools
    void pcapngWithTwoInterfacesOfTwoLinkTypes(@TempDir Path dir) throws Exception {
        // mergecap (the lab's Wireshark tools) writes one pcapng with an Ethernet and a PPP interface
        Path out = dir.resolve("merged.pcapng");
        Process p = new ProcessBuilder("mergecap", "-w", out.toString(), real("pptp.pcap"), real("mpls-traceroute.pcap"))
                .redirectErrorStream(true).start();
        if (p.waitFor() != 0 || !Files.exists(out)) {
            throw new AssertionError("mergecap failed: " + new String(p.getInputStream().readAllBytes()));
        }
        JsonNode j = new ObjectMapper().readTree(CliRunner.run("analyze", out.toString(), "-o", "json").assertExit(7).out());
        assertThat(j.get("sources").findValuesAsText("name")).hasSize(2).allMatch(n -> n.startsWith("merged.pcapng:"));
        assertThat(j.at("/totals/retransmissions").asLong()).isEqualTo(4);
        assertThat(j.at("/totals/icmpUnreachable").asLong()).isEqualTo(3);
    }
}
