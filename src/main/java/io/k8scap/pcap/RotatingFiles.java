package io.k8scap.pcap;

import io.k8scap.Escape;
import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * A long capture as a series of files, named as tcpdump {@code -C} names them: {@code FILE}, then
 * {@code FILE1}, {@code FILE2}, … (the number after the whole name, {@code x.pcap1}; never reused, so
 * the names sort in time order). A new file starts before the record that would take the current one
 * past {@link Policy#maxBytes()}, or the first record once the current one is {@link Policy#every()}
 * old (as tcpdump {@code -G}, on a packet, not on a timer); beyond {@link Policy#keep()} files the
 * oldest is deleted. Each file is a {@link CaptureFile} (0600, {@code NAME.partial} until it is
 * complete) and starts with its own header, written by the {@link Header} the writer gives, so every
 * file opens on its own in Wireshark. One file open at a time: memory does not grow with the capture.
 *
 * <p>Not thread-safe: one writer thread (the pod's channel thread, or the merger's).
 */
public final class RotatingFiles {
    /**
     * @param maxBytes a new file before one would exceed this (null: no size limit)
     * @param every    a new file once the current one is this old (null: no time limit)
     * @param keep     at most this many files are kept, the oldest deleted (null: all)
     */
    public record Policy(Long maxBytes, Duration every, Integer keep) {
        public boolean rotates() {
            return maxBytes != null || every != null;
        }
    }

    /** Writes what a new file starts with (pcap global header; pcapng SHB and IDBs). */
    @FunctionalInterface
    public interface Header {
        void writeTo(OutputStream out) throws IOException;
    }

    private final Path base;
    private final boolean overwrite;
    private final Policy policy;
    private final LongSupplier clock;
    private final Deque<Path> committed = new ArrayDeque<>();
    private final List<Path> deleted = new ArrayList<>();
    private CaptureFile current;
    private long currentBytes;
    private long currentRecords;
    private long openedAt;
    private int number;
    private long totalRecords;

    private RotatingFiles(Path base, boolean overwrite, Policy policy, LongSupplier clock) {
        this.base = base;
        this.overwrite = overwrite;
        this.policy = policy;
        this.clock = clock;
    }

    /**
     * Creates {@code base} (as {@link CaptureFile#create}); refuses, without {@code overwrite}, when
     * files of an earlier rotated capture ({@code base1}, {@code base2}, …) are there, which this one
     * would overwrite or mix with.
     */
    public static RotatingFiles create(Path base, boolean overwrite, Policy policy) {
        return create(base, overwrite, policy, System::nanoTime);
    }

    static RotatingFiles create(Path base, boolean overwrite, Policy policy, LongSupplier clock) {
        if (!overwrite) {
            Path earlier = earlierSeries(base);
            if (earlier != null) {
                throw new K8sCapException(ExitCode.USAGE, "refusing to write rotated files beside " + Escape.controls(earlier.toString(), false)
                        + " of an earlier capture: choose another output name, remove them, or allow overwriting");
            }
        }
        RotatingFiles r = new RotatingFiles(base, overwrite, policy, clock);
        r.current = CaptureFile.create(base, overwrite);
        r.openedAt = clock.getAsLong();
        return r;
    }

    /** A file named {@code base} followed by digits in base's directory, or null. */
    private static Path earlierSeries(Path base) {
        Path abs = base.toAbsolutePath().normalize();
        Path dir = abs.getParent();
        String name = abs.getFileName().toString();
        if (dir == null || !Files.isDirectory(dir)) {
            return null;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (n.length() > name.length() && n.startsWith(name) && n.substring(name.length()).matches("\\d+(\\.partial)?")) {
                    return p;
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    /** The current file's stream. */
    public OutputStream out() {
        return current.out();
    }

    /** Counts the header's bytes of the current file. */
    public void wroteHeader(long bytes) {
        currentBytes += bytes;
    }

    /**
     * Before a record of {@code recordBytes}: starts the next file (committing this one, writing
     * {@code header} into the new one) when this one is full or old enough. A file always holds at
     * least one record.
     *
     * @return whether a new file was started
     */
    public boolean beforeRecord(long recordBytes, Header header) throws IOException {
        if (currentRecords > 0 && (policy.maxBytes() != null && currentBytes + recordBytes > policy.maxBytes()
                || policy.every() != null && clock.getAsLong() - openedAt >= policy.every().toNanos())) {
            next(header);
            return true;
        }
        return false;
    }

    /** After a record of {@code recordBytes} was written to {@link #out()}. */
    public void wroteRecord(long recordBytes) {
        currentBytes += recordBytes;
        currentRecords++;
        totalRecords++;
    }

    private void next(Header header) throws IOException {
        Path done = commitCurrent();
        committed.add(done);
        while (policy.keep() != null && committed.size() >= policy.keep()) {
            Path oldest = committed.removeFirst();
            Files.deleteIfExists(oldest);
            deleted.add(oldest);
        }
        number++;
        try {
            current = CaptureFile.create(Path.of(base + Integer.toString(number)), overwrite);
        } catch (K8sCapException e) {
            current = null;
            throw new IOException(e.getMessage(), e);
        }
        currentBytes = 0;
        currentRecords = 0;
        openedAt = clock.getAsLong();
        CountingStream counting = new CountingStream(current.out());
        header.writeTo(counting);
        currentBytes = counting.count;
    }

    private Path commitCurrent() throws IOException {
        try {
            return current.commit();
        } catch (K8sCapException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** Records written, in all files. */
    public long records() {
        return totalRecords;
    }

    /** How many files were deleted by {@link Policy#keep()}. */
    public int deletedCount() {
        return deleted.size();
    }

    /** Commits the current file; returns the files kept, oldest first. */
    public List<Path> finish() {
        List<Path> files = new ArrayList<>(committed);
        if (current != null) {
            files.add(current.commit());
        }
        return files;
    }

    /**
     * After a failure: the files committed so far, and the current one kept as NAME.partial when it
     * holds records (deleted otherwise).
     */
    public List<Path> abort() {
        List<Path> files = new ArrayList<>(committed);
        if (current != null) {
            if (currentRecords == 0) {
                current.discard();
            } else {
                files.add(current.abort());
            }
        }
        return files;
    }

    private static final class CountingStream extends OutputStream {
        private final OutputStream out;
        private long count;

        CountingStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
