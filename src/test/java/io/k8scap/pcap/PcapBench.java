package io.k8scap.pcap;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;

/**
 * Not a test: {@code java -cp target/test-classes:target/classes:$(deps) io.k8scap.pcap.PcapBench}.
 * Parses ~200 MB of synthetic records (fed in 32 KiB chunks, like the SSH channel delivers them), copies
 * them with PcapWriter and merges two such streams into pcapng, all into a counting sink; prints MB/s.
 */
public final class PcapBench {
    private PcapBench() {
    }

    public static void main(String[] args) throws Exception {
        byte[] stream = PcapFiles.synthetic(200_000, 1000, 1_700_000_000L); // ≈ 203 MB
        for (int round = 0; round < 3; round++) {
            Sink sink = new Sink();
            long t0 = System.nanoTime();
            PcapStreamParser p = new PcapStreamParser(new PcapWriter(sink));
            PcapFiles.feed(p, stream, 32 * 1024);
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf("parse+PcapWriter: %.0f MB in %.3f s = %.0f MB/s, %.1f M records/s%n",
                    stream.length / 1e6, s, stream.length / 1e6 / s, p.records() / 1e6 / s);

            Sink merged = new Sink();
            PcapMerger m = new PcapMerger(new PcapngWriter(merged), Duration.ofMillis(200), 1024);
            t0 = System.nanoTime();
            Thread a = feeder(m.source("a", ""), stream);
            Thread b = feeder(m.source("b", ""), stream);
            a.join();
            b.join();
            m.close();
            s = (System.nanoTime() - t0) / 1e9;
            System.out.printf("merge 2 sources -> pcapng: %.0f MB in %.3f s = %.0f MB/s%n",
                    2 * stream.length / 1e6, s, 2 * stream.length / 1e6 / s);
        }
    }

    private static Thread feeder(PcapMerger.Source s, byte[] stream) {
        Thread t = new Thread(() -> {
            try {
                PcapFiles.feed(new PcapStreamParser(s), stream, 32 * 1024);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        t.start();
        return t;
    }

    static final class Sink extends OutputStream {
        long n;

        @Override
        public void write(int b) {
            n++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            n += len;
        }
    }
}
