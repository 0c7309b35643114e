package io.k8scap.cli;

import io.k8scap.pcap.RotatingFiles;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code capture}'s long-capture options: a series of files, as tcpdump's {@code -C}, {@code -G} and {@code -W}. */
final class RotationOptions {
    @Option(names = "--rotate-size", paramLabel = "SIZE", converter = SizeConverter.class,
            description = "Start a new file (FILE, FILE1, FILE2, … as tcpdump -C) before one would exceed SIZE (e.g. 100M).")
    Long rotateSize;

    @Option(names = "--rotate-every", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Start a new file with the first packet once the current one is DURATION old (e.g. 10m).")
    Duration rotateEvery;

    @Option(names = "--keep", paramLabel = "N", description = "With rotation: keep the last N files, deleting the oldest.")
    Integer keep;

    /** The rotation asked for; null when none. */
    RotatingFiles.Policy policy() {
        return rotateSize == null && rotateEvery == null ? null : new RotatingFiles.Policy(rotateSize, rotateEvery, keep);
    }

    void validate(CommandLine cl, boolean toStdout, boolean wireshark, boolean split) {
        if (keep != null && policy() == null) {
            throw new ParameterException(cl, "--keep needs --rotate-size or --rotate-every");
        }
        if (keep != null && keep < 1) {
            throw new ParameterException(cl, "--keep must be at least 1");
        }
        if (rotateEvery != null && rotateEvery.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new ParameterException(cl, "--rotate-every must be at least 1s");
        }
        if (rotateSize != null && rotateSize < 4096) {
            throw new ParameterException(cl, "--rotate-size must be at least 4k");
        }
        if (policy() != null && (toStdout || wireshark || split)) {
            throw new ParameterException(cl, "--rotate-size and --rotate-every write a series of files; they cannot be combined with -w -, --wireshark or --split");
        }
    }
}
