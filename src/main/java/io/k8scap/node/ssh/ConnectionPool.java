package io.k8scap.node.ssh;

import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The SSH connections of one node and the channels open on each. sshd refuses more than
 * {@code MaxSessions} (OpenSSH's default: 10) session channels per connection, so a node session
 * keeps at most {@code perConnection} channels on each connection and opens one more connection
 * when more are needed at once.
 *
 * <p>{@link #acquire} hands out a slot on a connection with room at once; only callers that find no
 * room wait, and one of them opens the next connection (outside the lock) while the others wait for
 * it or for a slot that frees up meanwhile. A server that refuses a channel below
 * {@code perConnection} (a lower MaxSessions) teaches the pool its limit: {@link #refused} lowers the
 * per-connection limit to the channels that were open on that connection, for every connection.
 *
 * @param <C> a connection (a JSch session; anything in unit tests)
 */
final class ConnectionPool<C> {
    private final int perConnection;
    private final Supplier<C> opener;
    private final Consumer<C> closer;
    private final Predicate<C> alive;
    private final List<Conn> conns = new ArrayList<>(); // guarded by this
    private int limit; // guarded by this: perConnection, or less once a server refused a channel
    private int waiting; // guarded by this: callers in acquire() that found no room
    private int opening; // guarded by this: connections being opened
    private long failures; // guarded by this: how many openings failed so far
    private RuntimeException lastFailure; // guarded by this
    private boolean closed; // guarded by this

    /** One connection and its channels. */
    final class Conn {
        final C connection;
        int leased; // slots handed out, channels being opened included
        int established; // channels the server accepted and not yet released

        Conn(C connection) {
            this.connection = connection;
        }
    }

    /** A slot for one channel on one connection; give it back with {@link #release}. */
    final class Lease {
        final Conn conn;
        boolean established;
        boolean released;

        Lease(Conn conn) {
            this.conn = conn;
        }

        C connection() {
            return conn.connection;
        }
    }

    /**
     * @param first         the connection already open
     * @param perConnection at most this many channels on one connection
     * @param opener        opens one more connection (throws {@link K8sCapException} when it cannot);
     *                      called without any lock held
     * @param closer        closes a connection that was opened after {@link #close()}
     * @param alive         whether a connection is still up: one that is not gets no new channels
     */
    ConnectionPool(C first, int perConnection, Supplier<C> opener, Consumer<C> closer, Predicate<C> alive) {
        if (perConnection < 1) {
            throw new IllegalArgumentException("perConnection must be at least 1");
        }
        this.perConnection = perConnection;
        this.limit = perConnection;
        this.opener = opener;
        this.closer = closer;
        this.alive = alive;
        conns.add(new Conn(first));
    }

    /** A slot on any connection with room, or a new connection's. */
    Lease acquire() throws InterruptedException {
        return acquire(null);
    }

    /**
     * A slot on a connection with room other than {@code avoid}'s; when there is none, waits for a
     * slot to free up or for a new connection (opened by this caller or another one waiting).
     *
     * @throws K8sCapException the opener's failure, for the caller that opened and for everyone who
     *                         was waiting for that connection; FAILURE once {@link #close}d
     * @throws InterruptedException while waiting (the slot is not taken)
     */
    Lease acquire(Lease avoid) throws InterruptedException {
        Conn avoided = avoid == null ? null : avoid.conn;
        synchronized (this) {
            long failuresBefore = failures;
            waiting++;
            try {
                while (true) {
                    if (closed) {
                        throw new K8sCapException(ExitCode.FAILURE, "the SSH session is already closed");
                    }
                    Lease lease = tryLease(avoided);
                    if (lease != null) {
                        return lease;
                    }
                    if (failures != failuresBefore && opening == 0) {
                        throw lastFailure; // the connection this caller waited for could not be opened
                    }
                    // Each connection being opened serves its opener and limit - 1 callers waiting
                    // (this one included): open one more when they outnumber that.
                    if ((long) opening * (limit - 1) < waiting) {
                        opening++;
                        break;
                    }
                    wait();
                }
            } finally {
                waiting--;
            }
        }
        // This caller opens the next connection, without the lock: slots on the others stay available.
        C opened = null;
        RuntimeException failure = null;
        try {
            opened = opener.get();
        } catch (RuntimeException e) {
            failure = e;
        }
        synchronized (this) {
            opening--;
            if (failure != null) {
                failures++;
                lastFailure = failure;
                notifyAll();
                throw failure;
            }
            if (!closed) {
                Conn c = new Conn(opened);
                conns.add(c);
                c.leased++;
                notifyAll();
                return new Lease(c);
            }
            notifyAll();
        }
        closer.accept(opened); // closed while it was being opened: nobody else will close it
        throw new K8sCapException(ExitCode.FAILURE, "the SSH session is already closed");
    }

    private Lease tryLease(Conn avoided) {
        for (Conn c : conns) {
            if (c != avoided && c.leased < limit && alive.test(c.connection)) {
                c.leased++;
                return new Lease(c);
            }
        }
        return null;
    }

    /** The server accepted the lease's channel. */
    synchronized void established(Lease lease) {
        if (!lease.established && !lease.released) {
            lease.established = true;
            lease.conn.established++;
        }
    }

    /**
     * The server refused to open the lease's channel while its connection stayed up: it allows no
     * more sessions on one connection than are open on it now (at least one, or it would allow
     * none at all). Releases the lease.
     *
     * @return how many channels were open on that connection when it refused
     */
    synchronized int refused(Lease lease) {
        int open = lease.conn.established;
        limit = Math.max(1, Math.min(limit, open));
        release(lease);
        return open;
    }

    /** The lease's channel is closed: its slot is free again. Idempotent. */
    synchronized void release(Lease lease) {
        if (lease.released) {
            return;
        }
        lease.released = true;
        lease.conn.leased--;
        if (lease.established) {
            lease.conn.established--;
        }
        notifyAll();
    }

    /** The per-connection limit in force (less than {@code perConnection} after a refusal). */
    synchronized int limit() {
        return limit;
    }

    int perConnection() {
        return perConnection;
    }

    /** Every connection, the first one first. */
    synchronized List<C> connections() {
        List<C> all = new ArrayList<>();
        for (Conn c : conns) {
            all.add(c.connection);
        }
        return all;
    }

    /**
     * No more leases; callers waiting fail. Returns every connection (the first one first) for the
     * caller to close; one still being opened is closed by the closer when it is ready.
     */
    synchronized List<C> close() {
        closed = true;
        notifyAll();
        return connections();
    }
}
