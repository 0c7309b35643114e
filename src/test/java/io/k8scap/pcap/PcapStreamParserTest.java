package io.k8scap.pcap;

import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PcapStreamParserTest {

    /** Collects what the parser delivers, copying the record bytes. */
    static final class Collector implements PcapStreamParser.Listener {
        PcapHeader header;
        final List<PcapFiles.Rec> recs = new ArrayList<>();
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Boolean ended;

        @Override
        public void header(PcapHeader h) {
            header = h;
        }

        @Override
        public void record(long ts, int capLen, int origLen, byte[] buf, int off, int len) {
            recs.add(new PcapFiles.Rec(ts, capLen, origLen, 0));
            assertThat(len).isEqualTo(16 + capLen);
            bytes.write(buf, off, len);
        }

        @Override
        public void end(boolean truncated) {
            ended = truncated;
        }
    }

    static Stream<Arguments> filesAndChunks() {
        return PcapFiles.REAL.stream().flatMap(f -> Stream.of(1, 3, 16, 17, 100, 1500, 65536, 1 << 20)
                .map(c -> Arguments.of(f, c)));
    }

    @ParameterizedTest(name = "{0} in chunks of {1}")
    @MethodSource("filesAndChunks")
    void realCaptureParsesInAnyChunkingAndPcapWriterReproducesItExactly(String file, int chunk) throws IOException {
        byte[] f = PcapFiles.resource(file);
        List<PcapFiles.Rec> expected = PcapFiles.walk(f);
        Collector c = new Collector();
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        PcapWriter w = new PcapWriter(copy);
        PcapStreamParser p = new PcapStreamParser(new Tee(c, w));
        PcapFiles.feed(p, f, chunk);

        assertThat(p.records()).isEqualTo(expected.size()).isGreaterThan(0);
        assertThat(p.bytes()).isEqualTo(f.length);
        assertThat(p.truncated()).isFalse();
        assertThat(c.ended).isFalse();
        assertThat(c.recs).extracting(PcapFiles.Rec::tsNanos).containsExactlyElementsOf(
                expected.stream().map(PcapFiles.Rec::tsNanos).toList());
        assertThat(c.recs).extracting(PcapFiles.Rec::origLen).containsExactlyElementsOf(
                expected.stream().map(PcapFiles.Rec::origLen).toList());
        assertThat(PcapFiles.sha256(copy.toByteArray())).isEqualTo(PcapFiles.sha256(f));
        assertThat(w.records()).isEqualTo(expected.size());
        assertThat(w.bytes()).isEqualTo(f.length);
    }

    @Test
    void headersOfTheRealCaptures() {
        assertThat(header("eth.pcap")).isEqualTo(new PcapHeader(false, false, 2, 4, 262144, 1));
        assertThat(header("sll.pcap")).isEqualTo(new PcapHeader(false, false, 2, 4, 262144, 113));
        assertThat(header("sll2-nanos.pcap")).isEqualTo(new PcapHeader(false, true, 2, 4, 262144, 276));
        assertThat(header("rawip.pcap")).isEqualTo(new PcapHeader(false, false, 2, 4, 262144, 101));
    }

    private static PcapHeader header(String file) {
        Collector c = new Collector();
        try {
            PcapFiles.feed(new PcapStreamParser(c), PcapFiles.resource(file), 4096);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return c.header;
    }

    @Test
    void nanosecondCaptureKeepsSubMicrosecondDigitsAndMicrosecondOneHasNone() throws IOException {
        Collector ns = new Collector();
        PcapFiles.feed(new PcapStreamParser(ns), PcapFiles.resource("sll2-nanos.pcap"), 4096);
        assertThat(ns.recs).anyMatch(r -> r.tsNanos() % 1000 != 0);
        Collector us = new Collector();
        PcapFiles.feed(new PcapStreamParser(us), PcapFiles.resource("eth.pcap"), 4096);
        assertThat(us.recs).allMatch(r -> r.tsNanos() % 1000 == 0);
        // 2020-01-01 < capture time < 2100-01-01: seconds and fraction combined correctly
        assertThat(us.recs.get(0).tsNanos()).isBetween(1_577_836_800_000_000_000L, 4_102_444_800_000_000_000L);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"eth.pcap", "sll2-nanos.pcap"})
    void bigEndianStreamGivesTheSameRecordsAndIsCopiedByteForByte(String file) throws IOException {
        byte[] le = PcapFiles.resource(file);
        byte[] be = PcapFiles.swapped(le);
        Collector a = new Collector();
        PcapFiles.feed(new PcapStreamParser(a), le, 777);
        Collector b = new Collector();
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        PcapFiles.feed(new PcapStreamParser(new Tee(b, new PcapWriter(copy))), be, 777);

        assertThat(b.header.bigEndian()).isTrue();
        assertThat(b.header.nanos()).isEqualTo(a.header.nanos());
        assertThat(b.header.linkType()).isEqualTo(a.header.linkType());
        assertThat(b.recs).isEqualTo(a.recs);
        assertThat(copy.toByteArray()).isEqualTo(be);
    }

    @Test
    void streamCutMidRecordIsTruncatedAndNothingPartialIsWritten() throws IOException {
        byte[] f = PcapFiles.resource("eth.pcap");
        List<PcapFiles.Rec> recs = PcapFiles.walk(f);
        PcapFiles.Rec fifth = recs.get(4);
        int[] cuts = {10, 24 + 5, fifth.offset() + 8, fifth.offset() + 16 + fifth.capLen() - 1, fifth.offset()};
        for (int cut : cuts) {
            ByteArrayOutputStream copy = new ByteArrayOutputStream();
            Collector c = new Collector();
            PcapStreamParser p = new PcapStreamParser(new Tee(c, new PcapWriter(copy)));
            PcapFiles.feed(p, Arrays.copyOf(f, cut), 64);
            boolean boundary = cut == fifth.offset();
            assertThat(p.truncated()).as("cut at %d", cut).isEqualTo(!boundary);
            assertThat(c.ended).isEqualTo(!boundary);
            byte[] written = copy.toByteArray();
            int complete = (int) PcapFiles.walk(Arrays.copyOf(f, Math.max(cut, 24))).size();
            int expectedLen = cut < 24 ? 0 : complete == 0 ? 24 : recs.get(complete - 1).offset() + 16 + recs.get(complete - 1).capLen();
            assertThat(written).as("cut at %d", cut).isEqualTo(Arrays.copyOf(f, expectedLen));
        }
    }

    static Stream<Arguments> garbage() {
        return Stream.of(
                Arguments.of("tcpdump: k8scap0: No such device exists\n", "tcpdump: k8scap0: No such device exists\\n"),
                Arguments.of("Welcome to node-1! Last login: Mon\n\u001b[0m", "Welcome to node-1!"),
                Arguments.of("\n", "\\n"),
                Arguments.of("PK\u0003\u0004zipfile", "PK\\x03\\x04zipfile"),
                Arguments.of("\n\r\r\n pcapng", "\\n\\x0d\\x0d\\n pcapng"));
    }

    @ParameterizedTest(name = "shows {1}")
    @MethodSource("garbage")
    void textInsteadOfPcapFailsNamingWhatArrived(String received, String shown) throws IOException {
        PcapStreamParser p = new PcapStreamParser(new Collector(), "tcpdump on lab-node-1 for default/web");
        byte[] b = received.getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> {
            p.write(b);
            p.close();
        }).isInstanceOfSatisfying(K8sCapException.class, e -> {
            assertThat(e.exitCode()).isEqualTo(ExitCode.FAILURE);
            assertThat(e.getMessage()).startsWith("tcpdump on lab-node-1 for default/web is not a pcap stream")
                    .contains(shown).contains("a1b2c3d4").doesNotContain("\n").doesNotContain("\u001b");
        });
        // sticky: later writes fail the same way
        assertThatThrownBy(() -> p.write(new byte[24])).isInstanceOf(K8sCapException.class);
    }

    @Test
    void recordLongerThanAnyPlausibleSnaplenIsACorruptStream() throws IOException {
        byte[] f = PcapFiles.synthetic(3, 60, 1_700_000_000L);
        Bytes.putIntLE(f, 24 + 76 + 8, 0x7fff0000); // second record's caplen
        Collector c = new Collector();
        PcapStreamParser p = new PcapStreamParser(c, "tcpdump on n1");
        assertThatThrownBy(() -> PcapFiles.feed(p, f, 1000))
                .isInstanceOfSatisfying(K8sCapException.class, e -> assertThat(e.getMessage())
                        .isEqualTo("tcpdump on n1 is corrupt: record 2 claims 2147418112 captured bytes (snaplen 262144);"
                                + " the capture stops here, records before it are kept"));
        assertThat(c.recs).hasSize(1);
    }

    @Test
    void emptyStreamIsNeitherTruncatedNorAHeader() throws IOException {
        Collector c = new Collector();
        PcapStreamParser p = new PcapStreamParser(c);
        p.close();
        assertThat(p.truncated()).isFalse();
        assertThat(p.header()).isNull();
        assertThat(c.ended).isFalse();
    }

    @Test
    void largeRecordsSpanningChunksAreReassembled() throws IOException {
        byte[] f = PcapFiles.synthetic(20, 200_000, 1_700_000_000L);
        Collector c = new Collector();
        PcapFiles.feed(new PcapStreamParser(c), f, 32768);
        assertThat(c.recs).hasSize(20);
        assertThat(c.bytes.toByteArray()).isEqualTo(Arrays.copyOfRange(f, 24, f.length));
    }

    /** Passes everything to two listeners. */
    record Tee(PcapStreamParser.Listener a, PcapStreamParser.Listener b) implements PcapStreamParser.Listener {
        @Override
        public void header(PcapHeader h) throws IOException {
            a.header(h);
            b.header(h);
        }

        @Override
        public void record(long ts, int capLen, int origLen, byte[] buf, int off, int len) throws IOException {
            a.record(ts, capLen, origLen, buf, off, len);
            b.record(ts, capLen, origLen, buf, off, len);
        }

        @Override
        public void end(boolean truncated) throws IOException {
            a.end(truncated);
            b.end(truncated);
        }
    }
}
