package io.k8scap.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What the node's capture.sh reads on stdin, and how a failing pcap sink is handled. */
class RemoteTcpdumpHeartbeatTest {

    static String readAvailable(Heartbeat hb, int lines) throws IOException {
        StringBuilder sb = new StringBuilder();
        byte[] b = new byte[64];
        while (sb.chars().filter(c -> c == '\n').count() < lines) {
            int n = hb.read(b, 0, b.length);
            if (n < 0) {
                sb.append("<EOF>");
                break;
            }
            sb.append(new String(b, 0, n, StandardCharsets.US_ASCII));
        }
        return sb.toString();
    }

    @Test
    void beatsAtTheIntervalThenStopThenEofAfterClose() throws Exception {
        Heartbeat hb = new Heartbeat(200);
        long t0 = System.nanoTime();
        assertThat(readAvailable(hb, 1)).isEqualTo("hb\n");
        assertThat(System.nanoTime() - t0).as("the first beat is immediate").isLessThan(100_000_000L);
        assertThat(readAvailable(hb, 2)).isEqualTo("hb\nhb\n");
        long took = System.nanoTime() - t0;
        assertThat(took).as("two more beats at 200 ms").isBetween(350_000_000L, 1_000_000_000L);
        hb.sendStop();
        assertThat(readAvailable(hb, 1)).isEqualTo("stop\n");
        hb.sendStop();
        hb.close();
        assertThat(readAvailable(hb, 2)).as("what was queued goes out before EOF").isEqualTo("stop\n<EOF>");
        assertThat(hb.read()).isEqualTo(-1);
    }

    @Test
    void aFailingSinkKeepsTheErrorDropsTheRestAndClosesStdin() throws Exception {
        Heartbeat hb = new Heartbeat(1000);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        OutputStream flaky = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                if (got.size() >= 4) {
                    throw new IOException("Broken pipe");
                }
                got.write(b);
            }
        };
        PcapSink sink = new PcapSink(flaky, hb);
        sink.write(new byte[] {1, 2, 3}, 0, 3);
        assertThat(sink.bytes()).isEqualTo(3);
        sink.write(new byte[] {4, 5, 6}, 0, 3); // fails mid-way
        sink.write(new byte[] {7}, 0, 1);        // dropped, no exception to the SSH library
        assertThat(sink.error()).hasMessage("Broken pipe");
        assertThat(sink.bytes()).isEqualTo(3);
        assertThat(readAvailable(hb, 1)).as("the node sees EOF and kills tcpdump").isEqualTo("<EOF>");
    }
}
