package io.k8scap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * capture's progress line: what one frame says, and how it is drawn — each redraw returns to the
 * start of the line and erases it, no newline ever, and closing leaves the line empty for the summary.
 * Whether it is drawn at all (stderr a terminal, not -q) is CaptureTerminalLabTest's, end to end.
 */
class ProgressTest {
    private static final Duration FAST = Duration.ofMillis(20);

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0       | 0          | 0       | 0    | 1 | '  0 packets  0 B  0 B/s  00:00:00'",
        "8       | 1024       | 512     | 2    | 1 | '  8 packets  1.0 kB  512 B/s  00:00:02'",
        "1204    | 1300000    | 42000   | 65   | 1 | '  1,204 packets  1.3 MB  42.0 kB/s  00:01:05'",
        "1234567 | 2500000000 | 1250000 | 3725 | 3 | '  1,234,567 packets  2.5 GB  1.3 MB/s  01:02:05  (3 pods)'",
        "5       | 999        | 0       | 1    | 2 | '  5 packets  999 B  0 B/s  00:00:01  (2 pods)'"})
    void aFrameShowsPacketsBytesRateElapsedAndThePodCountWhenSeveral(long packets, long bytes, long rate, long seconds, int pods,
                                                                      String frame) {
        assertThat(Progress.line(packets, bytes, rate, Duration.ofSeconds(seconds), pods)).isEqualTo(frame);
    }

    @Test
    void redrawsInPlaceWithTheLatestCountsAndErasesTheLineOnClose() throws Exception {
        StringWriter sink = new StringWriter();
        PrintWriter err = new PrintWriter(sink);
        AtomicLong packets = new AtomicLong(3);
        AtomicLong bytes = new AtomicLong(300);
        Progress progress = Progress.start(err, packets::get, bytes::get, 1, true, FAST);
        waitFor(err, sink, "  3 packets  300 B  ");
        packets.set(1204);
        bytes.set(1_300_000);
        waitFor(err, sink, "  1,204 packets  1.3 MB  ");
        // Nothing arrives any more: the rate falls to zero on the next frame.
        waitFor(err, sink, "  1,204 packets  1.3 MB  0 B/s  ");
        progress.close();
        String drawn = snapshot(err, sink);

        assertThat(drawn).doesNotContain("\n").startsWith(Progress.ERASE_LINE).endsWith(Progress.ERASE_LINE);
        List<String> frames = Arrays.asList(drawn.substring(Progress.ERASE_LINE.length()).split("\r\033\\[K", -1));
        assertThat(frames.subList(0, frames.size() - 1)).hasSizeGreaterThanOrEqualTo(3)
                .allMatch(f -> f.matches("  [\\d,]+ packets  [\\d.]+ [kMG]?B  [\\d.]+ [kMG]?B/s  \\d\\d:\\d\\d:\\d\\d"), "a whole frame");
        assertThat(frames.get(frames.size() - 1)).as("after the final erase").isEmpty();

        Thread.sleep(5 * FAST.toMillis());
        assertThat(snapshot(err, sink)).as("nothing drawn after close").isEqualTo(drawn);
    }

    @Test
    void severalPodsSayHowManyOnEveryFrame() throws Exception {
        StringWriter sink = new StringWriter();
        PrintWriter err = new PrintWriter(sink);
        try (Progress ignored = Progress.start(err, () -> 7, () -> 700, 3, true, FAST)) {
            waitFor(err, sink, "(3 pods)" + Progress.ERASE_LINE + "  7 packets");
        }
        String drawn = snapshot(err, sink);
        assertThat(drawn.split("\r\033\\[K")).filteredOn(f -> !f.isEmpty()).allMatch(f -> f.startsWith("  7 packets  700 B  ")
                && f.endsWith("  (3 pods)"));
    }

    @Test
    void disabledDrawsNothingEvenOnClose() throws Exception {
        StringWriter sink = new StringWriter();
        PrintWriter err = new PrintWriter(sink);
        Progress progress = Progress.start(err, () -> 1, () -> 1, 2, false, FAST);
        Thread.sleep(10 * FAST.toMillis());
        progress.close();
        assertThat(snapshot(err, sink)).isEmpty();
    }

    private static String snapshot(PrintWriter err, StringWriter sink) {
        synchronized (err) {
            return sink.toString();
        }
    }

    private static void waitFor(PrintWriter err, StringWriter sink, String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!snapshot(err, sink).contains(text) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(snapshot(err, sink)).contains(text);
    }
}
