package io.k8scap.pcap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class PcapMergerTest {
    static final long SEC = 1_000_000_000L;
    static final long T0 = 1_700_000_000L * SEC;
    final AtomicLong now = new AtomicLong(1_000 * SEC);
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    PcapMerger manual(Duration window, int capacity) throws IOException {
        return new PcapMerger(new PcapngWriter(bytes), window, capacity, now::get, false);
    }

    static void rec(PcapMerger.Source s, long ts, int tag) throws IOException {
        byte[] r = new byte[16 + 4];
        Bytes.putIntLE(r, 8, 4);
        r[16] = (byte) tag;
        s.record(ts, 4, 4, r, 0, r.length);
    }

    static PcapHeader eth(boolean nanos) {
        return new PcapHeader(false, nanos, 2, 4, 262144, 1);
    }

    List<Integer> tags() {
        return Pcapng.read(bytes.toByteArray()).packets.stream().map(p -> (int) p.data()[0]).toList();
    }

    @Test
    void interleavesTwoSourcesByTimestamp() throws IOException {
        PcapMerger m = manual(Duration.ofSeconds(1), 100);
        PcapMerger.Source a = m.source("ns/a", "node-1 veth-a");
        PcapMerger.Source b = m.source("ns/b", "node-2 veth-b");
        a.header(eth(false));
        b.header(eth(true));
        rec(a, T0 + 1000, 1);
        rec(a, T0 + 5000, 5);
        rec(b, T0 + 2000, 2);
        rec(b, T0 + 3001, 3);
        rec(a, T0 + 9000, 9);
        m.drain(now.get());
        // a's 5 waits: b has no head, b's newest (3001) is older, b not yet silent for the window
        assertThat(tags()).containsExactly(1, 2, 3);
        rec(b, T0 + 10_000, 10);
        m.drain(now.get());
        assertThat(tags()).containsExactly(1, 2, 3, 5, 9);
        m.close();
        Pcapng r = Pcapng.read(bytes.toByteArray());
        assertThat(tags()).containsExactly(1, 2, 3, 5, 9, 10);
        assertThat(r.ifaces).extracting(Pcapng.Iface::name).containsExactly("ns/a", "ns/b");
        assertThat(r.ifaces).extracting(Pcapng.Iface::description).containsExactly("node-1 veth-a", "node-2 veth-b");
        assertThat(r.packets).extracting(Pcapng.Pkt::ts) // iface 0 µs, iface 1 ns: exact source timestamps
                .containsExactly((T0 + 1000) / 1000, T0 + 2000, T0 + 3001, (T0 + 5000) / 1000, (T0 + 9000) / 1000, T0 + 10_000);
        assertThat(m.records()).isEqualTo(6);
        assertThat(m.lateRecords()).isZero();
    }

    @Test
    void silentSourceHoldsOthersBackForTheWindowOnly() throws IOException {
        PcapMerger m = manual(Duration.ofMillis(500), 100);
        PcapMerger.Source busy = m.source("ns/busy", "");
        PcapMerger.Source quiet = m.source("ns/quiet", "");
        busy.header(eth(false));
        quiet.header(eth(false));
        rec(busy, T0, 1);
        rec(busy, T0 + 1000, 2);
        m.drain(now.get());
        assertThat(tags()).isEmpty();
        now.addAndGet(499_000_000L);
        m.drain(now.get());
        assertThat(tags()).isEmpty();
        now.addAndGet(1_000_000L);
        m.drain(now.get());
        assertThat(tags()).containsExactly(1, 2);
        // the quiet one speaks late, with an older timestamp: written (never dropped), counted as late
        rec(quiet, T0 + 500, 3);
        m.drain(now.get());
        assertThat(tags()).containsExactly(1, 2, 3);
        assertThat(m.lateRecords()).isEqualTo(1);
        m.close();
    }

    @Test
    void sourceWithoutHeaderAlsoOnlyStallsForTheWindowAndAnEndedSourceNotAtAll() throws IOException {
        PcapMerger m = manual(Duration.ofSeconds(2), 100);
        PcapMerger.Source a = m.source("ns/a", "");
        PcapMerger.Source never = m.source("ns/never", "");
        PcapMerger.Source ends = m.source("ns/ends", "");
        a.header(eth(false));
        ends.header(eth(false));
        rec(a, T0, 1);
        ends.end(false);
        m.drain(now.get());
        assertThat(tags()).isEmpty(); // "never" may still start
        now.addAndGet(2 * SEC);
        m.drain(now.get());
        assertThat(tags()).containsExactly(1);
        m.close();
        assertThat(Pcapng.read(bytes.toByteArray()).ifaces).extracting(Pcapng.Iface::name)
                .containsExactlyInAnyOrder("ns/a", "ns/ends"); // no IDB for a source that never sent a header
        assertThat(never.written()).isZero();
    }

    @Test
    void watermarkLetsOlderRecordsThroughWithoutWaiting() throws IOException {
        PcapMerger m = manual(Duration.ofSeconds(10), 100);
        PcapMerger.Source a = m.source("a", "");
        PcapMerger.Source b = m.source("b", "");
        a.header(eth(false));
        b.header(eth(false));
        rec(b, T0 + 5000, 5);
        m.drain(now.get()); // b's head waits for a (no head, silent < window)
        rec(a, T0 + 1000, 1);
        rec(a, T0 + 7000, 7);
        m.drain(now.get()); // 1 then 5 written; 7 needs b: b's newest (5) is older, b has no head
        assertThat(tags()).containsExactly(1, 5);
        m.close();
        assertThat(tags()).containsExactly(1, 5, 7);
    }

    @Test
    @Timeout(20)
    void smallQueuesBackpressureWithoutDeadlockAndKeepOrderPerSource() throws Exception {
        CountingSink sink = new CountingSink();
        PcapMerger m = new PcapMerger(new PcapngWriter(sink), Duration.ofMillis(50), 2);
        int n = 20_000;
        PcapMerger.Source a = m.source("a", "");
        PcapMerger.Source b = m.source("b", "");
        PcapMerger.Source stalled = m.source("stalled", ""); // producer blocks on its full queue, then ends late
        CountDownLatch stalledFull = new CountDownLatch(1);
        Thread ta = producer(a, n, 0);
        Thread tb = producer(b, n, 1);
        Thread ts = new Thread(() -> {
            try {
                stalled.header(eth(false));
                for (int i = 0; i < 5; i++) {
                    rec(stalled, T0 + i, 7);
                    if (i == 1) {
                        stalledFull.countDown();
                    }
                }
                stalled.end(false);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        ta.start();
        tb.start();
        ts.start();
        ta.join(15_000);
        tb.join(15_000);
        ts.join(15_000);
        assertThat(ta.isAlive() || tb.isAlive() || ts.isAlive()).as("a producer is stuck").isFalse();
        a.end(false);
        b.end(false);
        m.close();
        assertThat(m.records()).isEqualTo(2L * n + 5);
        assertThat(a.written()).isEqualTo(n);
        assertThat(m.droppedRecords()).isZero();
        assertThat(sink.bytes).isEqualTo(m.bytes());
    }

    private static Thread producer(PcapMerger.Source s, int n, int phase) {
        return new Thread(() -> {
            try {
                s.header(eth(false));
                for (int i = 0; i < n; i++) {
                    rec(s, T0 + 2L * i + phase, i);
                }
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
    }

    @Test
    @Timeout(60)
    void memoryStaysFlatWhileMergingHundredsOfMegabytes() throws Exception {
        CountingSink sink = new CountingSink();
        PcapMerger m = new PcapMerger(new PcapngWriter(sink), Duration.ofMillis(100), 64);
        PcapMerger.Source a = m.source("a", "");
        PcapMerger.Source b = m.source("b", "");
        byte[] rec = new byte[16 + 1500];
        Bytes.putIntLE(rec, 8, 1500);
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long usedBefore = rt.totalMemory() - rt.freeMemory(); // what the rest of the test JVM holds
        long[] usedAfter = new long[2];
        Thread[] ts = new Thread[2];
        for (int k = 0; k < 2; k++) {
            PcapMerger.Source s = k == 0 ? a : b;
            int phase = k;
            ts[k] = new Thread(() -> {
                try {
                    s.header(eth(false));
                    for (int i = 0; i < 100_000; i++) {
                        s.record(T0 + 2L * i + phase, 1500, 1500, rec, 0, rec.length);
                    }
                    s.end(false);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            ts[k].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        m.close();
        System.gc();
        usedAfter[0] = rt.totalMemory() - rt.freeMemory();
        assertThat(sink.bytes).isGreaterThan(280L << 20); // 2 × 100k × 1.5 KB went through
        // queues: 2 sources × 64 slots × 1500 B ≈ 200 KB; nothing close to the 300 MB written is retained
        assertThat(usedAfter[0] - usedBefore).isLessThan(50L << 20);
        assertThat(m.records()).isEqualTo(200_000);
    }

    /**
     * Big records (64 KB GSO super-packets under heavy traffic) are not kept in the queues once
     * written: what the merger holds after a burst does not grow with the record size.
     */
    @Test
    @Timeout(60)
    void bigRecordsAreNotRetainedAfterTheyAreWritten() throws Exception {
        CountingSink sink = new CountingSink();
        PcapMerger m = new PcapMerger(new PcapngWriter(sink), Duration.ofMillis(100), 256);
        List<PcapMerger.Source> sources = List.of(m.source("a", ""), m.source("b", ""));
        int size = 64 * 1024;
        byte[] rec = new byte[16 + size];
        Bytes.putIntLE(rec, 8, size);
        for (PcapMerger.Source s : sources) {
            s.header(eth(false));
        }
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long before = rt.totalMemory() - rt.freeMemory();
        for (int i = 0; i < 2_000; i++) {
            sources.get(i % 2).record(T0 + i, size, size, rec, 0, rec.length);
        }
        // everything written, sources still open (their queues and slots alive)
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (m.records() < 2_000 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        System.gc();
        long held = rt.totalMemory() - rt.freeMemory() - before;
        assertThat(m.records()).isEqualTo(2_000);
        // before: every slot kept its 64 KB array, 2 × 256 × 64 KB = 32 MB for the life of the capture
        assertThat(held).isLessThan(8L << 20);
        m.close();
    }

    static final class CountingSink extends OutputStream {
        long bytes;

        @Override
        public void write(int b) {
            bytes++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes += len;
        }
    }

    @Test
    @Timeout(10)
    void writeFailureReachesTheProducersInsteadOfBlockingThem() throws Exception {
        OutputStream broken = new OutputStream() {
            int n;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (++n > 10) {
                    throw new IOException("No space left on device");
                }
            }
        };
        PcapMerger m = new PcapMerger(new PcapngWriter(broken), Duration.ofMillis(10), 1);
        PcapMerger.Source a = m.source("a", "");
        a.header(eth(false));
        IOException seen = null;
        try {
            for (int i = 0; i < 1000; i++) {
                rec(a, T0 + i, i);
            }
        } catch (IOException e) {
            seen = e;
        }
        assertThat(seen).isNotNull().hasMessageContaining("No space left on device");
        try {
            m.close();
            throw new AssertionError("close() should rethrow");
        } catch (IOException e) {
            assertThat(e).hasMessageContaining("No space left on device");
        }
    }
}
