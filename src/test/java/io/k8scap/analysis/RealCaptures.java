package io.k8scap.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The real captures of {@code ../shared/realdata/pcap} (tcpdump's and Zeek's test traces; ground truth in its
 * README), read in place at test time, and the lab's own recordings in the test resources.
 */
final class RealCaptures {
    static final Path DIR = Path.of("..", "shared", "realdata", "pcap");

    private RealCaptures() {
    }

    /** Every {@code *.pcap} of the real captures; fails (not skips) when the directory is missing. */
    static List<Path> all() throws IOException {
        assertThat(DIR).as("the real captures (CI has ../shared beside the clone): %s", DIR.toAbsolutePath()).isDirectory();
        try (Stream<Path> s = Files.list(DIR)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".pcap")).sorted().toList();
        }
    }

    static Path file(String name) {
        Path p = DIR.resolve(name);
        assertThat(p).as("real capture %s (../shared/realdata beside the clone)", p.toAbsolutePath()).isRegularFile();
        return p;
    }

    /** The project's own recordings (src/test/resources/io/k8scap/pcap, see record-traffic.sh there). */
    static Path resource(String name) {
        Path p = Path.of("src", "test", "resources", "io", "k8scap", "pcap", name);
        assertThat(p).isRegularFile();
        return p;
    }

    static Analysis analyze(Path file) throws IOException {
        return analyze(file, new Analyzer());
    }

    static Analysis analyze(Path file, Analyzer a) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            CaptureReader.Result r = CaptureReader.read(in, file.getFileName().toString(), a::accept);
            assertThat(r.problem()).as("reading %s", file).isNull();
        }
        return a.report();
    }
}
