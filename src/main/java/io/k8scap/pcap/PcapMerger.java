package io.k8scap.pcap;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * k-way merge of several live pcap sources into one {@link PcapngWriter}, ordered by timestamp.
 *
 * <h2>Threads</h2>
 * Each {@link Source} is fed by ONE producer thread (the SSH channel's thread, through its
 * {@link PcapStreamParser}); the writer is written by ONE merger thread that this class starts
 * ({@code k8scap-pcap-merger}, daemon). A single lock guards the queue indices and flags; record bytes are
 * copied into a source's queue slot and written out with the lock released, so a slow disk never blocks
 * producers beyond their own full queue, and the {@link PcapngWriter} is only ever touched by the merger
 * thread (IDBs included: a source's {@code header()} only records the header; the merger writes its IDB).
 *
 * <h2>Order and the watermark</h2>
 * The candidate is the oldest head among all queues. It is written when every other live source
 * <ul>
 *   <li>has a head (which is not older, by choice of the candidate), or</li>
 *   <li>has already delivered a record at least as new as the candidate (its watermark: a tcpdump's
 *       timestamps do not go back), or</li>
 *   <li>has been silent for {@code window} (local monotonic time since its last record, header or
 *       creation) — so a quiet or stuck pod delays the others by at most {@code window}.</li>
 * </ul>
 * Ended sources with an empty queue no longer count. Output is exactly time-ordered as long as no source
 * lags more than {@code window}; a record that arrives later than that is still written (never dropped),
 * possibly after newer ones, and counted in {@link #lateRecords()}.
 *
 * <h2>Memory and backpressure</h2>
 * Each source has a ring of {@code queueCapacityPerSource} slots; a slot's byte array is reused for records
 * up to {@link #KEEP_BYTES} (bigger ones are allocated per record and dropped once written), and a source
 * holds at most {@link #BYTES_PER_SOURCE} of queued record bytes, so memory stays flat for any capture
 * length and record size: about sources × (capacity × 2 KB + 4 MB) at worst. A producer whose queue is full blocks in {@code record()} until the merger frees a
 * slot; this cannot deadlock: the merger only waits for sources with an empty queue, and at most
 * {@code window} for each. Size the queue to cover the window at the expected rate (rate × window), or a
 * busy source is slowed to the pace of a quiet one's silence.
 *
 * <h2>Ending</h2>
 * A source ends when its parser is closed ({@link Source#end(boolean)}, also {@link Source#close()} or
 * {@link #sourceEnded(Source)}). {@link #close()} ends every source, writes everything queued, stops the
 * merger thread and flushes the writer (it does not close it: the caller owns the output). Records offered
 * after their source ended or after {@code close()} are dropped and counted ({@link #droppedRecords()}), so
 * stop the producers first. If writing fails, producers get the {@link IOException} from {@code record()}
 * and {@code close()} rethrows it.
 */
public final class PcapMerger implements Closeable {
    private final PcapngWriter out;
    private final long windowNanos;
    private final int capacity;
    /** A slot keeps its array for the next record up to this size; bigger ones are allocated per record. */
    static final int KEEP_BYTES = 2048;
    /** Record bytes queued per source before its producer waits, however few records that is. */
    static final int BYTES_PER_SOURCE = 4 << 20;
    private final LongSupplier clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final List<Source> sources = new ArrayList<>();  // guarded by lock
    private final Thread thread;
    private boolean closing;                                  // guarded by lock
    private boolean finished;                                 // guarded by lock: merger thread done
    private IOException failure;                              // guarded by lock
    private long lastWrittenTs = Long.MIN_VALUE;              // merger thread only
    private boolean dirty;                                    // merger thread only: written since last flush
    private volatile long records;
    private volatile long late;
    private volatile long dropped;

    /**
     * Starts the merger thread.
     *
     * @param window                 how long a silent source may hold the others back (e.g. 1 s)
     * @param queueCapacityPerSource records buffered per source before its producer blocks (≥ 1)
     */
    public PcapMerger(PcapngWriter out, Duration window, int queueCapacityPerSource) {
        this(out, window, queueCapacityPerSource, System::nanoTime, true);
    }

    /** For tests: an injectable monotonic clock (ns), and no thread (drive it with {@link #drain(long)}). */
    PcapMerger(PcapngWriter out, Duration window, int queueCapacityPerSource, LongSupplier clock, boolean startThread) {
        if (out == null) {
            throw new NullPointerException("out");
        }
        if (queueCapacityPerSource < 1) {
            throw new IllegalArgumentException("queueCapacityPerSource must be >= 1");
        }
        if (window.isNegative()) {
            throw new IllegalArgumentException("window must not be negative");
        }
        this.out = out;
        this.windowNanos = window.toNanos();
        this.capacity = queueCapacityPerSource;
        this.clock = clock;
        if (startThread) {
            thread = new Thread(this::run, "k8scap-pcap-merger");
            thread.setDaemon(true);
            thread.start();
        } else {
            thread = null;
        }
    }

    /**
     * Adds a source (one per pod); feed it through a {@link PcapStreamParser}. Its {@code header()} makes the
     * merger write an IDB with if_name {@code name}, if_description {@code description}, the stream's link
     * type and snaplen, and if_tsresol 9 for a nanosecond stream.
     */
    public Source source(String name, String description) {
        lock.lock();
        try {
            if (closing) {
                throw new IllegalStateException("merger closed");
            }
            Source s = new Source(name, description, clock.getAsLong());
            sources.add(s);
            changed.signalAll();
            return s;
        } finally {
            lock.unlock();
        }
    }

    /** Ends a source, like closing its parser. */
    public void sourceEnded(Source s) {
        s.end(false);
    }

    /** Packets written to the output so far. */
    public long records() {
        return records;
    }

    /** Bytes written to the output so far (pcapng blocks included: the file size). */
    public long bytes() {
        return out.bytes();
    }

    /** Records written after a newer record of another source (they came later than the window). */
    public long lateRecords() {
        return late;
    }

    /** Records offered after their source ended or the merger closed; not written. */
    public long droppedRecords() {
        return dropped;
    }

    /** Ends all sources, writes what is queued, stops the merger thread, flushes the writer. */
    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            closing = true;
            for (Source s : sources) {
                s.ended = true;
            }
            changed.signalAll();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
        if (thread != null) {
            boolean interrupted = false;
            while (thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        } else {
            drain(Long.MAX_VALUE / 2);
            finish();
        }
        IOException f;
        lock.lock();
        try {
            f = failure;
        } finally {
            lock.unlock();
        }
        if (f != null) {
            throw new IOException("writing the merged capture failed: " + f.getMessage(), f);
        }
        out.flush();
    }

    // ---- merger side -------------------------------------------------------------------------------

    private void run() {
        try {
            while (true) {
                long now = clock.getAsLong();
                if (step(now)) {
                    continue;
                }
                if (dirty) {
                    out.flush(); // idle: let a live reader (Wireshark, -w -) see what we have
                    dirty = false;
                    continue;
                }
                lock.lock();
                try {
                    if (closing && liveCount() == 0) {
                        break;
                    }
                    if (ready(clock.getAsLong())) {
                        continue; // a producer published between step() and here
                    }
                    long deadline = nextDeadline(clock.getAsLong());
                    if (deadline == Long.MAX_VALUE) {
                        changed.await();
                    } else {
                        changed.awaitNanos(Math.max(1, deadline - clock.getAsLong()));
                    }
                } finally {
                    lock.unlock();
                }
            }
            out.flush();
        } catch (IOException e) {
            setFailure(e);
        } catch (InterruptedException e) {
            setFailure(new InterruptedIOException("merger interrupted"));
        } catch (RuntimeException | Error e) {
            setFailure(new IOException(e.toString(), e));
            throw e;
        } finally {
            finish();
        }
    }

    private void finish() {
        lock.lock();
        try {
            finished = true;
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void setFailure(IOException e) {
        lock.lock();
        try {
            if (failure == null) {
                failure = e;
            }
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Writes everything that may be written at time {@code now}; returns how many steps were taken. */
    int drain(long now) throws IOException {
        int n = 0;
        while (step(now)) {
            n++;
        }
        return n;
    }

    /** One unit of work at {@code now}: an IDB or one packet. False when nothing may be written yet. */
    boolean step(long now) throws IOException {
        Source idb = null;
        Source pick = null;
        int slot = -1;
        lock.lock();
        try {
            sources.removeIf(s -> s.ended && s.count == 0 && (s.header == null || s.ifaceId >= 0));
            for (Source s : sources) {
                if (s.header != null && s.ifaceId < 0) {
                    idb = s;
                    break;
                }
            }
            if (idb == null) {
                pick = candidate();
                if (pick != null && !mayWrite(pick, now)) {
                    pick = null;
                }
                if (pick != null) {
                    slot = pick.head;
                }
            }
        } finally {
            lock.unlock();
        }
        if (idb != null) {
            PcapHeader h = idb.header;
            int id = out.addInterface(h.linkType(), h.snaplen(), idb.name, idb.description, h.nanos());
            lock.lock();
            try {
                idb.ifaceId = id;
            } finally {
                lock.unlock();
            }
            dirty = true;
            return true;
        }
        if (pick == null) {
            return false;
        }
        long ts = pick.ts[slot];
        int written = pick.capLen[slot];
        out.writePacket(pick.ifaceId, ts, written, pick.origLen[slot], pick.data[slot], 0);
        if (pick.data[slot].length > KEEP_BYTES) {
            pick.data[slot] = null; // big records are not kept: their memory is garbage at once, not held
        }
        if (ts < lastWrittenTs) {
            late++;
        } else {
            lastWrittenTs = ts;
        }
        records++;
        dirty = true;
        lock.lock();
        try {
            pick.head = (pick.head + 1) % capacity;
            pick.count--;
            pick.queuedBytes -= written;
            pick.written++;
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
        return true;
    }

    private boolean ready(long now) {
        for (Source s : sources) {
            if (s.header != null && s.ifaceId < 0 || s.ended && s.count == 0) {
                return true;
            }
        }
        Source c = candidate();
        return c != null && mayWrite(c, now);
    }

    private Source candidate() {
        Source best = null;
        for (Source s : sources) {
            if (s.count > 0 && s.ifaceId >= 0 && (best == null || s.ts[s.head] < best.ts[best.head])) {
                best = s;
            }
        }
        return best;
    }

    private boolean mayWrite(Source pick, long now) {
        long ts = pick.ts[pick.head];
        for (Source t : sources) {
            if (t == pick || t.count > 0 || t.ended || t.maxTs >= ts) {
                continue;
            }
            if (now - t.lastArrival < windowNanos) {
                return false;
            }
        }
        return true;
    }

    /** Earliest time a silent source stops holding the others back; MAX_VALUE if only a signal can help. */
    private long nextDeadline(long now) {
        long d = Long.MAX_VALUE;
        boolean anyHead = false;
        for (Source s : sources) {
            anyHead |= s.count > 0;
        }
        if (!anyHead) {
            return d;
        }
        for (Source t : sources) {
            if (t.count == 0 && !t.ended) {
                d = Math.min(d, t.lastArrival + windowNanos);
            }
        }
        return d;
    }

    private int liveCount() {
        return sources.size();
    }

    /**
     * One input of the merge; a {@link PcapStreamParser.Listener} fed by exactly one producer thread.
     * {@code record()} copies the record into the source's queue, blocking while the queue is full.
     */
    public final class Source implements PcapStreamParser.Listener, Closeable {
        private final String name;
        private final String description;
        private final long[] ts = new long[capacity];
        private final int[] capLen = new int[capacity];
        private final int[] origLen = new int[capacity];
        private final byte[][] data = new byte[capacity][];
        private long queuedBytes; // guarded by lock: record bytes in this queue
        // guarded by lock:
        private int head;
        private int count;
        private PcapHeader header;
        private int ifaceId = -1;
        private boolean ended;
        private long lastArrival;
        private long maxTs = Long.MIN_VALUE;
        private boolean truncated;
        private volatile long received;
        private volatile long written;

        private Source(String name, String description, long now) {
            this.name = name;
            this.description = description;
            this.lastArrival = now;
        }

        public String name() {
            return name;
        }

        public String description() {
            return description;
        }

        /** Records accepted into the queue. */
        public long received() {
            return received;
        }

        /** Records of this source written to the output. */
        public long written() {
            return written;
        }

        /** The stream's header, once received. */
        public PcapHeader pcapHeader() {
            lock.lock();
            try {
                return header;
            } finally {
                lock.unlock();
            }
        }

        /** Whether the source's stream was cut mid-record (known once it ended). */
        public boolean truncated() {
            lock.lock();
            try {
                return truncated;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void header(PcapHeader h) {
            lock.lock();
            try {
                if (header != null) {
                    throw new IllegalStateException("source " + name + " already has a pcap header");
                }
                header = h;
                lastArrival = clock.getAsLong();
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void record(long tsNanos, int capLen, int origLen, byte[] buf, int recordOffset, int recordLength)
                throws IOException {
            int slot;
            lock.lock();
            try {
                if (header == null) {
                    throw new IllegalStateException("record before header on source " + name);
                }
                while ((count == capacity || count > 0 && queuedBytes + capLen > BYTES_PER_SOURCE) && !ended && failure == null && !finished) {
                    try {
                        notFull.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted while waiting for the merger");
                    }
                }
                if (failure != null) {
                    throw new IOException("writing the merged capture failed: " + failure.getMessage(), failure);
                }
                if (ended || finished) {
                    dropped++;
                    return;
                }
                slot = (head + count) % capacity;
                queuedBytes += capLen;
            } finally {
                lock.unlock();
            }
            // The slot is outside [head, head+count): only this producer touches it until published.
            byte[] d = data[slot];
            if (d == null || d.length < capLen) {
                d = new byte[capLen > KEEP_BYTES ? capLen : Math.min(KEEP_BYTES, Math.max(capLen, d == null ? 256 : d.length * 2))];
                data[slot] = d;
            }
            System.arraycopy(buf, recordOffset + PcapStreamParser.RECORD_HEADER_LENGTH, d, 0, capLen);
            this.ts[slot] = tsNanos;
            this.capLen[slot] = capLen;
            this.origLen[slot] = origLen;
            lock.lock();
            try {
                count++;
                received++;
                lastArrival = clock.getAsLong();
                if (tsNanos > maxTs) {
                    maxTs = tsNanos;
                }
                changed.signal();
            } finally {
                lock.unlock();
            }
        }

        /** The source's stream ended; what is queued is still written. Idempotent. */
        @Override
        public void end(boolean truncated) {
            lock.lock();
            try {
                this.ended = true;
                this.truncated |= truncated;
                changed.signalAll();
                notFull.signalAll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            end(false);
        }
    }
}
