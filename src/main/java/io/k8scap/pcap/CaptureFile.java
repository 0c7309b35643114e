package io.k8scap.pcap;

import io.k8scap.Escape;
import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * An output capture file: written as {@code NAME.partial}, renamed to {@code NAME} by {@link #commit()}.
 * There is never a half-written file under the final name.
 * <ul>
 *   <li>Created with mode 0600 whatever the umask: the permission is given at creation (umask can only
 *       narrow it) and set again explicitly right after, so it is exactly rw------- (captures hold
 *       other people's traffic).</li>
 *   <li>An existing {@code NAME} is refused unless {@code overwrite}: {@link K8sCapException} with
 *       {@link ExitCode#USAGE} — the user named the file, so the remedy is theirs (another {@code -w}
 *       name, or allowing overwrite); it is not configuration. The same for a leftover
 *       {@code NAME.partial} (an earlier interrupted capture): overwrite replaces it, otherwise refused.</li>
 *   <li>{@link #commit()}: flush, fsync the file, rename atomically (without overwrite via link(2), which
 *       fails if {@code NAME} appeared meanwhile), fsync the directory.</li>
 *   <li>{@link #abort()}: flush, fsync, close, keep {@code NAME.partial} and return its path (a readable
 *       file up to the last complete record, as the writers only emit whole records).</li>
 *   <li>{@link #close()} without commit = abort.</li>
 * </ul>
 * Other errors: missing directory → USAGE; permission denied → DENIED; anything else → FAILURE.
 * {@link #out()} is a 64 KiB {@link BufferedOutputStream} (its methods are synchronized, so a progress or
 * timer thread may call {@code flush()} while one writer thread writes).
 */
public final class CaptureFile implements Closeable {
    private static final Set<PosixFilePermission> RW_OWNER = PosixFilePermissions.fromString("rw-------");

    private final Path finalPath;
    private final Path partialPath;
    private final boolean overwrite;
    private final FileChannel channel;
    private final BufferedOutputStream out;
    private boolean done;
    private Path result;

    private CaptureFile(Path finalPath, Path partialPath, boolean overwrite, FileChannel channel) {
        this.finalPath = finalPath;
        this.partialPath = partialPath;
        this.overwrite = overwrite;
        this.channel = channel;
        this.out = new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024);
    }

    /** {@code create(finalPath, false)}: refuses an existing file. */
    public static CaptureFile create(Path finalPath) {
        return create(finalPath, false);
    }

    /**
     * The checks {@link #create} starts with, for a caller that wants them before it starts anything
     * (k8scap checks -w FILE before it connects to the cluster).
     *
     * @throws K8sCapException USAGE: a directory, or an existing file without {@code overwrite}
     */
    public static void check(Path finalPath, boolean overwrite) {
        Path abs = finalPath.toAbsolutePath().normalize();
        String shown = Escape.controls(finalPath.toString(), false);
        if (Files.isDirectory(abs)) {
            throw new K8sCapException(ExitCode.USAGE, "cannot write capture to " + shown + ": it is a directory; name a file");
        }
        if (!overwrite && Files.exists(abs, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new K8sCapException(ExitCode.USAGE, "refusing to overwrite existing file " + shown
                    + ": choose another output name, remove it, or allow overwriting");
        }
    }

    public static CaptureFile create(Path finalPath, boolean overwrite) {
        Path abs = finalPath.toAbsolutePath().normalize();
        Path partial = abs.resolveSibling(abs.getFileName() + ".partial");
        String shown = Escape.controls(finalPath.toString(), false);
        check(finalPath, overwrite);
        Set<StandardOpenOption> opts = EnumSet.of(StandardOpenOption.WRITE,
                overwrite ? StandardOpenOption.CREATE : StandardOpenOption.CREATE_NEW);
        if (overwrite) {
            opts.add(StandardOpenOption.TRUNCATE_EXISTING);
        }
        boolean posix = abs.getFileSystem().supportedFileAttributeViews().contains("posix");
        try {
            if (overwrite) {
                Files.deleteIfExists(partial); // a fresh inode, so it gets our mode, not an old one's
            }
            FileChannel ch = posix
                    ? FileChannel.open(partial, opts, new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(RW_OWNER)})
                    : FileChannel.open(partial, opts);
            try {
                if (posix) {
                    Files.setPosixFilePermissions(partial, RW_OWNER);
                }
            } catch (IOException | RuntimeException e) {
                ch.close();
                Files.deleteIfExists(partial);
                throw e;
            }
            return new CaptureFile(abs, partial, overwrite, ch);
        } catch (FileAlreadyExistsException e) {
            throw new K8sCapException(ExitCode.USAGE, "refusing to overwrite " + Escape.controls(partial.toString(), false)
                    + " (left by an interrupted capture?): remove it, choose another output name, or allow overwriting", e);
        } catch (NoSuchFileException e) {
            throw new K8sCapException(ExitCode.USAGE, "cannot write capture to " + shown + ": directory "
                    + Escape.controls(String.valueOf(abs.getParent()), false) + " does not exist", e);
        } catch (AccessDeniedException e) {
            throw new K8sCapException(ExitCode.DENIED, "cannot write capture to " + shown
                    + ": permission denied; choose a writable directory", e);
        } catch (IOException e) {
            throw new K8sCapException(ExitCode.FAILURE, "cannot write capture to " + shown + ": " + e.getMessage(), e);
        }
    }

    /** The buffered stream to write pcap/pcapng into (goes to {@code NAME.partial}). */
    public OutputStream out() {
        return out;
    }

    public Path finalPath() {
        return finalPath;
    }

    public Path partialPath() {
        return partialPath;
    }

    /** Flushes, fsyncs, renames {@code NAME.partial} to {@code NAME}; returns {@code NAME}. Idempotent after success. */
    public synchronized Path commit() {
        if (done) {
            if (result != null && result.equals(finalPath)) {
                return finalPath;
            }
            throw new IllegalStateException("capture file already aborted: " + partialPath);
        }
        String shown = Escape.controls(finalPath.toString(), false);
        try {
            flushSyncClose();
            done = true;
            if (overwrite) {
                move();
            } else {
                try {
                    Files.createLink(finalPath, partialPath);
                    Files.delete(partialPath);
                } catch (FileAlreadyExistsException e) {
                    result = partialPath;
                    throw new K8sCapException(ExitCode.USAGE, "refusing to overwrite " + shown
                            + ", which appeared during the capture; the capture is kept as "
                            + Escape.controls(partialPath.toString(), false), e);
                } catch (UnsupportedOperationException | FileSystemException e) {
                    if (Files.exists(finalPath, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        throw e;
                    }
                    move(); // no hard links on this file system
                }
            }
            syncDirectory();
            result = finalPath;
            return finalPath;
        } catch (IOException e) {
            result = partialPath;
            throw new K8sCapException(ExitCode.FAILURE, "cannot finish capture file " + shown + ": " + e.getMessage()
                    + "; what was written is in " + Escape.controls(partialPath.toString(), false), e);
        }
    }

    /**
     * Stops writing and keeps {@code NAME.partial} (flushed and fsynced): returns its path, so the caller
     * can say where the incomplete capture is. After a successful commit, returns the final path.
     */
    public synchronized Path abort() {
        if (done) {
            return result;
        }
        done = true;
        result = partialPath;
        try {
            flushSyncClose();
        } catch (IOException e) {
            // keep what is there; the caller reports the partial path
        }
        return partialPath;
    }

    /**
     * Stops writing and deletes {@code NAME.partial}: for a capture that failed before it held any
     * packet (e.g. a filter tcpdump refused), so no empty file is left behind. No-op after a commit.
     */
    public synchronized void discard() {
        if (done) {
            return;
        }
        abort();
        result = null;
        try {
            Files.deleteIfExists(partialPath);
        } catch (IOException e) {
            // nothing useful to add: the caller reports the capture's own failure
        }
    }

    /** Same as {@link #abort()} unless committed. */
    @Override
    public void close() {
        abort();
    }

    private void flushSyncClose() throws IOException {
        try {
            out.flush();
            channel.force(true);
        } finally {
            channel.close();
        }
    }

    private void move() throws IOException {
        try {
            Files.move(partialPath, finalPath, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(partialPath, finalPath, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private void syncDirectory() {
        Path dir = finalPath.getParent();
        if (dir == null) {
            return;
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | RuntimeException e) {
            // not all platforms can fsync a directory; the rename itself is done
        }
    }
}
