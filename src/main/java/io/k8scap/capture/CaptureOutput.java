package io.k8scap.capture;

import io.k8scap.pcap.CaptureFile;
import io.k8scap.pcap.PcapMerger;
import io.k8scap.pcap.PcapStreamParser;
import io.k8scap.pcap.PcapWriter;
import io.k8scap.pcap.PcapngWriter;
import io.k8scap.pcap.RotatingFiles;
import io.k8scap.pcap.RotatingPcapWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Where the packets go: one pcap (one pod, bytes as tcpdump wrote them), one pcapng merged by time
 * (several pods, one interface per pod), or one pcap per pod ({@code --split}). Files are
 * {@link CaptureFile}s (0600, written as NAME.partial, renamed when complete); output is flushed at
 * least every {@link #FLUSH_EVERY} so a reader of {@code -w -} sees packets at once.
 */
public abstract class CaptureOutput {
    static final Duration FLUSH_EVERY = Duration.ofMillis(200);
    /**
     * How long a quiet pod may hold back the merge (see {@link PcapMerger}): longer than the 1 s for
     * which tcpdump's buffered kernel ring may hold a pod's packets before handing them over as a
     * block, or a lightly used pod's packets come after newer ones of a busy pod (250 ms was enough
     * with --immediate-mode).
     */
    static final Duration MERGE_WINDOW = Duration.ofMillis(1200);
    /** Records queued per pod in the merge: ≈ 1 s at 1k packets/s; at most 4 MB of record bytes per pod whatever their size. */
    static final int MERGE_QUEUE = 1024;

    private final ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "k8scap-flush");
        t.setDaemon(true);
        return t;
    });

    /** The listener one pod's pcap stream feeds. Called once per pod, before its tcpdump starts. */
    public abstract PcapStreamParser.Listener source(CapturePoint point) throws IOException;

    /** After every source ended: writes what is pending and commits files; returns the files written. */
    public abstract List<Path> finish() throws IOException;

    /**
     * After a failure: closes without committing. Files that hold packets are kept as NAME.partial
     * (returned, so the user is told where); files without any packet are deleted.
     */
    public abstract List<Path> abort();

    static List<Path> keepOrDiscard(CaptureFile file, long packets) {
        if (file == null) {
            return List.of();
        }
        if (packets == 0) {
            file.discard();
            return List.of();
        }
        return List.of(file.abort());
    }

    protected void flushPeriodically(OutputStream out) {
        flushPeriodically(() -> out);
    }

    protected void flushPeriodically(java.util.function.Supplier<OutputStream> out) {
        flusher.scheduleAtFixedRate(() -> {
            try {
                out.get().flush();
            } catch (IOException ignored) {
                // the writer sees the same failure and reports it
            }
        }, FLUSH_EVERY.toMillis(), FLUSH_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    protected void stopFlushing() {
        flusher.shutdownNow();
    }

    /** One pod: its pcap stream copied as is. {@code file} is null when writing to stdout/Wireshark only. */
    public static CaptureOutput single(OutputStream out, CaptureFile file) {
        return new Single(out, file);
    }

    /** Several pods, one pcapng merged by timestamp. */
    public static CaptureOutput merged(OutputStream out, CaptureFile file) throws IOException {
        return new Merged(out, file, List.of());
    }

    /** Several pods, one pcapng merged by timestamp, with {@code comments} in its section header. */
    public static CaptureOutput merged(OutputStream out, CaptureFile file, List<String> comments) throws IOException {
        return new Merged(out, file, comments);
    }

    /**
     * A long capture in a series of files ({@code --rotate-size}, {@code --rotate-every}): one pod's
     * pcap, or several pods merged into pcapng, each file starting with its own header.
     */
    public static CaptureOutput rotating(RotatingFiles files, boolean merged, List<String> comments) throws IOException {
        return merged ? new RotatedMerged(files, comments) : new RotatedSingle(files);
    }

    /** How many older files {@code --keep} deleted (0 when not rotating). */
    public int filesDeleted() {
        return 0;
    }

    /** --split: one pcap file per pod, named by {@code names}. */
    public static CaptureOutput split(Function<CapturePoint, Path> names, boolean overwrite) {
        return new Split(names, overwrite);
    }

    private static final class Single extends CaptureOutput {
        private final OutputStream out;
        private final CaptureFile file;
        private final PcapWriter writer;

        Single(OutputStream out, CaptureFile file) {
            this.out = out;
            this.file = file;
            this.writer = new PcapWriter(out);
            flushPeriodically(out);
        }

        @Override
        public PcapStreamParser.Listener source(CapturePoint point) {
            return writer;
        }

        @Override
        public List<Path> finish() throws IOException {
            stopFlushing();
            out.flush();
            return file == null ? List.of() : List.of(file.commit());
        }

        @Override
        public List<Path> abort() {
            stopFlushing();
            return keepOrDiscard(file, writer.records());
        }
    }

    private static final class Merged extends CaptureOutput {
        private final OutputStream out;
        private final CaptureFile file;
        private final PcapngWriter writer;
        private final PcapMerger merger;

        Merged(OutputStream out, CaptureFile file, List<String> comments) throws IOException {
            this.out = out;
            this.file = file;
            this.writer = new PcapngWriter(out, comments);
            this.merger = new PcapMerger(writer, MERGE_WINDOW, MERGE_QUEUE);
        }

        @Override
        public PcapStreamParser.Listener source(CapturePoint point) {
            return merger.source(point.pod().key(), point.description());
        }

        @Override
        public List<Path> finish() throws IOException {
            merger.close();
            writer.flush();
            out.flush();
            return file == null ? List.of() : List.of(file.commit());
        }

        @Override
        public List<Path> abort() {
            try {
                merger.close();
            } catch (IOException ignored) {
                // already failing
            }
            return keepOrDiscard(file, writer.packets());
        }
    }

    private static final class RotatedSingle extends CaptureOutput {
        private final RotatingFiles files;
        private final RotatingPcapWriter writer;

        RotatedSingle(RotatingFiles files) {
            this.files = files;
            this.writer = new RotatingPcapWriter(files);
            flushPeriodically(files::out);
        }

        @Override
        public PcapStreamParser.Listener source(CapturePoint point) {
            return writer;
        }

        @Override
        public List<Path> finish() {
            stopFlushing();
            return files.finish();
        }

        @Override
        public List<Path> abort() {
            stopFlushing();
            return files.abort();
        }

        @Override
        public int filesDeleted() {
            return files.deletedCount();
        }
    }

    private static final class RotatedMerged extends CaptureOutput {
        private final RotatingFiles files;
        private final PcapngWriter writer;
        private final PcapMerger merger;

        RotatedMerged(RotatingFiles files, List<String> comments) throws IOException {
            this.files = files;
            this.writer = new PcapngWriter(files, comments);
            this.merger = new PcapMerger(writer, MERGE_WINDOW, MERGE_QUEUE);
        }

        @Override
        public PcapStreamParser.Listener source(CapturePoint point) {
            return merger.source(point.pod().key(), point.description());
        }

        @Override
        public List<Path> finish() throws IOException {
            merger.close();
            writer.flush();
            return files.finish();
        }

        @Override
        public List<Path> abort() {
            try {
                merger.close();
            } catch (IOException ignored) {
                // already failing
            }
            return files.abort();
        }

        @Override
        public int filesDeleted() {
            return files.deletedCount();
        }
    }

    private static final class Split extends CaptureOutput {
        private final Function<CapturePoint, Path> names;
        private final boolean overwrite;
        private final List<CaptureFile> files = new ArrayList<>();
        private final List<PcapWriter> writers = new ArrayList<>();

        Split(Function<CapturePoint, Path> names, boolean overwrite) {
            this.names = names;
            this.overwrite = overwrite;
        }

        @Override
        public synchronized PcapStreamParser.Listener source(CapturePoint point) {
            CaptureFile f = CaptureFile.create(names.apply(point), overwrite);
            files.add(f);
            flushPeriodically(f.out());
            PcapWriter w = new PcapWriter(f.out());
            writers.add(w);
            return w;
        }

        @Override
        public synchronized List<Path> finish() throws IOException {
            stopFlushing();
            List<Path> written = new ArrayList<>();
            for (CaptureFile f : files) {
                written.add(f.commit());
            }
            return written;
        }

        @Override
        public synchronized List<Path> abort() {
            stopFlushing();
            List<Path> kept = new ArrayList<>();
            for (int i = 0; i < files.size(); i++) {
                kept.addAll(keepOrDiscard(files.get(i), writers.get(i).records()));
            }
            return kept;
        }
    }
}
