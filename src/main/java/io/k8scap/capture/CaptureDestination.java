package io.k8scap.capture;

import io.k8scap.K8sCapException;
import io.k8scap.pcap.CaptureFile;
import io.k8scap.pcap.RotatingFiles;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the packets of a capture go, as the user chose: a file (named by {@code -w} or by default),
 * stdout ({@code -w -}), Wireshark on this machine ({@code --wireshark}, alone or beside a file or
 * stdout), or one pcap per pod ({@code --split}); as one pcap for one pod, one pcapng merged by time
 * for several. {@link #end()} flushes stdout and ends Wireshark's input.
 */
public final class CaptureDestination {
    /**
     * What the user asked for.
     *
     * @param write     {@code -w}: a file, {@code -} for stdout, or null (default name, unless Wireshark alone)
     * @param mergeName what a default merged file is named after (the target, or the selector)
     */
    public record Choice(String write, boolean wireshark, boolean split, boolean force, String mergeName, RotatingFiles.Policy rotation) {
        public Choice(String write, boolean wireshark, boolean split, boolean force, String mergeName) {
            this(write, wireshark, split, force, mergeName, null);
        }

        /** Whether the capture goes to a series of files (validated: only with a file, never stdout, Wireshark or --split). */
        public boolean rotates() {
            return rotation != null && rotation.rotates();
        }

        public boolean toStdout() {
            return "-".equals(write);
        }
    }

    private final CaptureOutput output;
    private final String description;
    private final OutputStream sink;
    private final boolean toStdout;
    private final Process viewer;
    private final boolean toFiles;

    private CaptureDestination(CaptureOutput output, String description, OutputStream sink, boolean toStdout, Process viewer, boolean toFiles) {
        this.output = output;
        this.description = description;
        this.toFiles = toFiles;
        this.sink = sink;
        this.toStdout = toStdout;
        this.viewer = viewer;
    }

    /**
     * Creates the files (0600, NAME.partial until complete) or starts Wireshark, before any packet.
     *
     * @param stdout where {@code -w -} writes (the process's own stdout is written unbuffered by System.out)
     * @throws K8sCapException the file exists (without --force) or cannot be created; Wireshark cannot start
     */
    public static CaptureDestination open(List<CapturePoint> points, Choice c, PrintStream stdout, Instant now) throws IOException {
        return open(points, c, stdout, now, List.of());
    }

    /**
     * As {@link #open(List, Choice, PrintStream, Instant)}, a merged pcapng carrying {@code comments}
     * in its section header (the pods' network context, {@code --metadata}).
     */
    public static CaptureDestination open(List<CapturePoint> points, Choice c, PrintStream stdout, Instant now, List<String> comments)
            throws IOException {
        boolean merged = points.size() > 1 && !c.split();
        if (c.split() && points.size() > 1) {
            return new CaptureDestination(CaptureOutput.split(p -> Path.of(OutputNames.single(p.pod().namespace(), p.pod().name(), now)), c.force()),
                    "one pcap file per pod", null, false, null, true);
        }
        if (c.rotates()) {
            String name = fileName(points, c, merged, now);
            RotatingFiles files = RotatingFiles.create(Path.of(name), c.force(), c.rotation());
            return new CaptureDestination(CaptureOutput.rotating(files, merged, comments), rotationText(name, c.rotation()), null, false, null, true);
        }
        List<OutputStream> streams = new ArrayList<>();
        CaptureFile file = null;
        // Wireshark first: when it cannot start, no file has been created that would need removing.
        Process viewer = c.wireshark() ? startWireshark() : null;
        try {
            if (c.toStdout()) {
                streams.add(stdout == System.out ? new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16) : stdout);
            } else if (c.write() != null || !c.wireshark()) {
                file = CaptureFile.create(Path.of(fileName(points, c, merged, now)), c.force());
                streams.add(file.out());
            }
        } catch (RuntimeException e) {
            if (viewer != null) {
                viewer.destroy();
            }
            throw e;
        }
        if (viewer != null) {
            streams.add(new BufferedOutputStream(viewer.getOutputStream(), 1 << 16));
        }
        OutputStream sink = streams.size() == 1 ? streams.get(0) : new Tee(streams);
        CaptureOutput out = merged ? CaptureOutput.merged(sink, file, comments) : CaptureOutput.single(sink, file);
        String description = c.toStdout() ? "stdout" : file != null ? file.finalPath().toString() : "Wireshark";
        return new CaptureDestination(out, description, sink, c.toStdout(), viewer, file != null);
    }

    private static String fileName(List<CapturePoint> points, Choice c, boolean merged, Instant now) {
        return c.write() != null ? c.write() : merged
                ? OutputNames.merged(points.get(0).pod().namespace(), c.mergeName(), now)
                : OutputNames.single(points.get(0).pod().namespace(), points.get(0).pod().name(), now);
    }

    /** {@code x.pcap, x.pcap1, … (a new file every 10 MiB, the last 5 kept)}. */
    static String rotationText(String name, RotatingFiles.Policy p) {
        List<String> when = new ArrayList<>();
        if (p.maxBytes() != null) {
            when.add(sizeText(p.maxBytes()));
        }
        if (p.every() != null) {
            when.add(DurationText.of(p.every()));
        }
        return name + ", " + name + "1, … (a new file every " + String.join(" or ", when)
                + (p.keep() == null ? "" : ", the last " + p.keep() + " kept") + ")";
    }

    /** {@code 10M} for 10 MiB, {@code 500k}, else bytes: as --rotate-size reads them (powers of 1024). */
    static String sizeText(long b) {
        for (String[] u : new String[][] {{"G", "30"}, {"M", "20"}, {"k", "10"}}) {
            long unit = 1L << Integer.parseInt(u[1]);
            if (b >= unit && b % unit == 0) {
                return b / unit + u[0];
            }
        }
        return b + " bytes";
    }

    /** How many older files --keep deleted during the capture. */
    public int filesDeleted() {
        return output.filesDeleted();
    }

    /**
     * Writes each pod's network context beside the capture ({@code --metadata}): one file per pod,
     * {@link OutputNames#context}, in the capture file's directory (the current one for stdout or
     * Wireshark), 0600 as the capture, complete or absent.
     *
     * @return the files written, in the order of {@code contexts}
     */
    public static List<Path> writeContexts(java.util.Collection<PodContext> contexts, Choice c, Instant now) throws IOException {
        Path dir = c.write() != null && !c.toStdout() ? Path.of(c.write()).toAbsolutePath().getParent() : null;
        List<Path> written = new ArrayList<>();
        for (PodContext ctx : contexts) {
            String[] nsPod = ctx.pod().split("/", 2);
            String name = OutputNames.context(nsPod[0], nsPod.length > 1 ? nsPod[1] : nsPod[0], now);
            Path target = dir == null ? Path.of(name) : dir.resolve(name);
            CaptureFile f = CaptureFile.create(target, c.force());
            try {
                f.out().write(ctx.text().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                written.add(f.commit());
            } finally {
                f.close();
            }
        }
        return written;
    }

    /** What the pods' streams are written to. */
    public CaptureOutput output() {
        return output;
    }

    /** Where the packets go, for the user: a file name, "stdout", "Wireshark", "one pcap file per pod". */
    public String description() {
        return description;
    }

    /** Whether packets go to files (-w FILE, the default name, --split), which {@link #finish} keeps or removes. */
    public boolean toFiles() {
        return toFiles;
    }

    /** Finishing the output failed: it was aborted; {@link #kept()} holds what was written. */
    public static final class Incomplete extends Exception {
        private final transient List<Path> kept;

        Incomplete(Exception cause, List<Path> kept) {
            super(cause.getMessage(), cause);
            this.kept = kept;
        }

        /** The files kept as NAME.partial (they hold packets). */
        public List<Path> kept() {
            return kept;
        }
    }

    /**
     * Commits the output (the files renamed from NAME.partial), or aborts it when the capture failed
     * before any packet was written.
     *
     * @return the files written
     * @throws Incomplete finishing failed (the output was aborted)
     */
    public List<Path> finish(CaptureRun.Result result) throws Incomplete {
        if (result.failure() != null && result.packets() == 0) {
            return output.abort();
        }
        try {
            return output.finish();
        } catch (IOException | K8sCapException e) {
            throw new Incomplete(e, output.abort());
        }
    }

    /** After the capture: flushes stdout, and ends Wireshark's input (it keeps showing what it got). */
    public void end() throws IOException {
        if (sink != null && toStdout) {
            sink.flush();
        }
        if (viewer != null) {
            viewer.getOutputStream().close();
        }
    }

    private static Process startWireshark() {
        try {
            return new ProcessBuilder("wireshark", "-k", "-i", "-")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw K8sCapException.unavailable("cannot start wireshark on this machine (" + e.getMessage()
                    + "); install it, or pipe instead: k8scap capture … -w - | wireshark -k -i -");
        }
    }

    /** Writes to several streams (a file and Wireshark). */
    private static final class Tee extends OutputStream {
        private final List<OutputStream> outs;

        Tee(List<OutputStream> outs) {
            this.outs = outs;
        }

        @Override
        public void write(int b) throws IOException {
            for (OutputStream o : outs) {
                o.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            for (OutputStream o : outs) {
                o.write(b, off, len);
            }
        }

        @Override
        public void flush() throws IOException {
            for (OutputStream o : outs) {
                o.flush();
            }
        }
    }
}
