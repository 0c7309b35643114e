package io.k8scap.capture;

import java.time.Duration;

/** Durations as people read them: {@code 30s}, {@code 5m}, {@code 1h30m}, {@code 500ms}, and clock form {@code 00:01:05}. */
public final class DurationText {
    private DurationText() {}

    public static String of(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + "ms";
        }
        long s = d.toSeconds();
        StringBuilder b = new StringBuilder();
        if (s >= 3600) {
            b.append(s / 3600).append('h');
        }
        if (s % 3600 >= 60) {
            b.append((s % 3600) / 60).append('m');
        }
        if (s % 60 != 0 || b.length() == 0) {
            b.append(s % 60).append('s');
        }
        return b.toString();
    }

    public static String clock(Duration d) {
        long s = d.toSeconds();
        return String.format("%02d:%02d:%02d", s / 3600, (s % 3600) / 60, s % 60);
    }
}
