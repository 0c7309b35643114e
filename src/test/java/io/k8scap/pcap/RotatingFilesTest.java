package io.k8scap.pcap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.k8scap.K8sCapException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Long captures as a series of files: tcpdump -C names, the oldest deleted beyond --keep, each file complete on its own. */
class RotatingFilesTest {
    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong();

    /** A real tcpdump capture fed through the parser into {@code listener}. */
    private static long feed(String resource, PcapStreamParser.Listener listener) throws IOException {
        byte[] f = PcapFiles.resource(resource);
        PcapStreamParser p = new PcapStreamParser(listener);
        p.write(f);
        p.close();
        return PcapFiles.walk(f).size();
    }

    private List<Path> filesIn() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void sizeRotationNamesFilesAsTcpdumpAndEveryFileIsACompletePcapUnderTheLimit() throws IOException {
        Path base = dir.resolve("x.pcap");
        RotatingFiles files = RotatingFiles.create(base, false, new RotatingFiles.Policy(4096L, null, null), clock::get);
        RotatingPcapWriter w = new RotatingPcapWriter(files);
        long records = feed("eth.pcap", w);
        List<Path> written = files.finish();

        assertThat(written.size()).isGreaterThan(2);
        assertThat(written.get(0)).isEqualTo(base);
        for (int i = 1; i < written.size(); i++) {
            assertThat(written.get(i).getFileName().toString()).isEqualTo("x.pcap" + i);
        }
        assertThat(filesIn()).containsExactlyInAnyOrderElementsOf(written); // no .partial left
        byte[] original = PcapFiles.resource("eth.pcap");
        long total = 0;
        List<Long> times = new ArrayList<>();
        for (Path p : written) {
            byte[] b = Files.readAllBytes(p);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).isEqualTo("rw-------");
            assertThat(java.util.Arrays.copyOf(b, 24)).as("%s starts with the source's header", p).isEqualTo(java.util.Arrays.copyOf(original, 24));
            List<PcapFiles.Rec> recs = PcapFiles.walk(b);
            int end = recs.isEmpty() ? 24 : recs.get(recs.size() - 1).offset() + 16 + recs.get(recs.size() - 1).capLen();
            assertThat(end).as("%s ends on a record boundary", p).isEqualTo(b.length);
            assertThat(recs).isNotEmpty();
            if (recs.size() > 1) {
                assertThat(b.length).as("%s within --rotate-size", p).isLessThanOrEqualTo(4096);
            }
            recs.forEach(r -> times.add(r.tsNanos()));
            total += recs.size();
        }
        assertThat(total).isEqualTo(records).isEqualTo(w.records());
        assertThat(times).isSorted(); // the series, read in name order, is the capture in order
    }

    @Test
    void keepDeletesTheOldestAndKeepsTheNewest() throws IOException {
        Path base = dir.resolve("k.pcap");
        RotatingFiles files = RotatingFiles.create(base, false, new RotatingFiles.Policy(4096L, null, 2), clock::get);
        RotatingPcapWriter w = new RotatingPcapWriter(files);
        feed("eth.pcap", w);
        List<Path> written = files.finish();

        assertThat(files.deletedCount()).isPositive();
        int n = files.deletedCount() + 2; // files made in all
        assertThat(written).extracting(p -> p.getFileName().toString()).containsExactly("k.pcap" + (n - 2), "k.pcap" + (n - 1));
        assertThat(filesIn()).containsExactlyElementsOf(written);
        // the newest file holds the last packet of the capture
        List<PcapFiles.Rec> all = PcapFiles.walk(PcapFiles.resource("eth.pcap"));
        List<PcapFiles.Rec> last = PcapFiles.walk(Files.readAllBytes(written.get(1)));
        assertThat(last.get(last.size() - 1).tsNanos()).isEqualTo(all.get(all.size() - 1).tsNanos());
    }

    @Test
    void timeRotationStartsANewFileWithTheFirstPacketOnceTheFileIsOld() throws IOException {
        Path base = dir.resolve("t.pcap");
        RotatingFiles files = RotatingFiles.create(base, false, new RotatingFiles.Policy(null, Duration.ofSeconds(10), null), clock::get);
        RotatingPcapWriter w = new RotatingPcapWriter(files);
        byte[] f = PcapFiles.resource("eth.pcap");
        List<PcapFiles.Rec> recs = PcapFiles.walk(f);
        PcapStreamParser p = new PcapStreamParser(w);
        p.write(f, 0, recs.get(3).offset());      // header + 3 records at t=0
        clock.set(Duration.ofSeconds(11).toNanos());
        p.write(f, recs.get(3).offset(), recs.get(5).offset() - recs.get(3).offset()); // 2 records at t=11 s
        p.close();
        List<Path> written = files.finish();
        assertThat(written).extracting(x -> x.getFileName().toString()).containsExactly("t.pcap", "t.pcap1");
        assertThat(PcapFiles.walk(Files.readAllBytes(written.get(0)))).hasSize(3);
        assertThat(PcapFiles.walk(Files.readAllBytes(written.get(1)))).hasSize(2);
    }

    @Test
    void pcapngFilesEachStartWithTheSectionAndEveryInterface() throws IOException {
        Path base = dir.resolve("m.pcapng");
        RotatingFiles files = RotatingFiles.create(base, false, new RotatingFiles.Policy(4096L, null, null), clock::get);
        PcapngWriter w = new PcapngWriter(files);
        int a = w.addInterface(1, 262144, "ns/a", "node-1 veth1", false);
        int b = w.addInterface(1, 262144, "ns/b", "node-2 veth2", true);
        byte[] data = new byte[700];
        for (int i = 0; i < 40; i++) {
            w.writePacket(i % 2 == 0 ? a : b, 1_000_000_000L * i, data.length, data.length, data, 0);
        }
        w.flush();
        List<Path> written = files.finish();
        assertThat(written.size()).isGreaterThan(3);
        int packets = 0;
        for (Path p : written) {
            Pcapng r = Pcapng.read(Files.readAllBytes(p));
            assertThat(r.ifaces).extracting(Pcapng.Iface::name).containsExactly("ns/a", "ns/b");
            assertThat(r.packets).isNotEmpty();
            assertThat(Files.size(p)).isLessThanOrEqualTo(4096);
            packets += r.packets.size();
        }
        assertThat(packets).isEqualTo(40);
    }

    @Test
    void abortKeepsTheFilesDoneAndTheCurrentOneAsPartial() throws IOException {
        Path base = dir.resolve("a.pcap");
        RotatingFiles files = RotatingFiles.create(base, false, new RotatingFiles.Policy(4096L, null, null), clock::get);
        feed("eth.pcap", new RotatingPcapWriter(files));
        List<Path> kept = files.abort();
        assertThat(kept.get(kept.size() - 1).getFileName().toString()).endsWith(".partial");
        assertThat(kept.subList(0, kept.size() - 1)).allMatch(p -> !p.toString().endsWith(".partial"));
        assertThat(filesIn()).containsExactlyInAnyOrderElementsOf(kept);
    }

    @Test
    void refusesToMixWithAnEarlierSeriesUnlessOverwriting() throws IOException {
        Files.writeString(dir.resolve("s.pcap3"), "old");
        RotatingFiles.Policy p = new RotatingFiles.Policy(4096L, null, null);
        assertThatThrownBy(() -> RotatingFiles.create(dir.resolve("s.pcap"), false, p, clock::get))
                .isInstanceOf(K8sCapException.class).hasMessageContaining("s.pcap3").hasMessageContaining("earlier capture");
        RotatingFiles.create(dir.resolve("s.pcap"), true, p, clock::get).finish();
        assertThat(Files.exists(dir.resolve("s.pcap"))).isTrue();
    }
}
