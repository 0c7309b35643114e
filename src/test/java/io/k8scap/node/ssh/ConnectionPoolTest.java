package io.k8scap.node.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Slots per connection and when another connection is opened, with strings standing for connections. */
class ConnectionPoolTest {
    final AtomicInteger opened = new AtomicInteger();
    final List<String> closedByPool = new CopyOnWriteArrayList<>();
    final List<String> dead = new CopyOnWriteArrayList<>();
    final CountDownLatch openerMayFinish = new CountDownLatch(1);
    final CountDownLatch openerStarted = new CountDownLatch(1);
    volatile boolean openerBlocks;
    volatile RuntimeException openerFails;
    final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        openerMayFinish.countDown();
        threads.shutdownNow();
    }

    ConnectionPool<String> pool(int perConnection) {
        return new ConnectionPool<>("conn-1", perConnection, () -> {
            int n = opened.incrementAndGet();
            openerStarted.countDown();
            if (openerBlocks) {
                try {
                    if (!openerMayFinish.await(10, TimeUnit.SECONDS)) {
                        throw new AssertionError("test never let the opener finish");
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            if (openerFails != null) {
                throw openerFails;
            }
            return "conn-" + (n + 1);
        }, closedByPool::add, c -> !dead.contains(c));
    }

    static <T> T within(Future<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    @Test
    void channelsThatFitStayOnTheFirstConnection() throws Exception {
        ConnectionPool<String> pool = pool(8);
        List<ConnectionPool<String>.Lease> leases = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            leases.add(pool.acquire());
        }
        assertThat(leases).allMatch(l -> l.connection().equals("conn-1"));
        assertThat(opened).hasValue(0);
        // released slots are used again before any new connection
        pool.release(leases.get(3));
        pool.release(leases.get(3)); // twice: still one slot
        assertThat(pool.acquire().connection()).isEqualTo("conn-1");
        assertThat(opened).hasValue(0);
    }

    @Test
    void theNinthChannelOpensASecondConnectionAndTheNextOnesShareIt() throws Exception {
        ConnectionPool<String> pool = pool(8);
        for (int i = 0; i < 8; i++) {
            pool.acquire();
        }
        List<String> next = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            next.add(pool.acquire().connection());
        }
        assertThat(next).containsOnly("conn-2");
        assertThat(opened).hasValue(1);
        assertThat(pool.acquire().connection()).isEqualTo("conn-3");
        assertThat(pool.connections()).containsExactly("conn-1", "conn-2", "conn-3");
    }

    @Test
    void aConnectionThatWentDownGetsNoNewChannels() throws Exception {
        ConnectionPool<String> pool = pool(2);
        pool.acquire();
        pool.acquire();
        ConnectionPool<String>.Lease onSecond = pool.acquire();
        assertThat(onSecond.connection()).isEqualTo("conn-2");
        dead.add("conn-2");
        pool.release(onSecond);
        assertThat(pool.acquire().connection()).as("room on conn-2, but it is down").isEqualTo("conn-3");
    }

    @Test
    void openingAConnectionDoesNotHoldUpChannelsThatFitElsewhere() throws Exception {
        ConnectionPool<String> pool = pool(2);
        ConnectionPool<String>.Lease a = pool.acquire();
        pool.acquire();
        openerBlocks = true;
        Future<ConnectionPool<String>.Lease> third = threads.submit(() -> pool.acquire());
        assertThat(openerStarted.await(10, TimeUnit.SECONDS)).isTrue();
        // while the second connection is being opened, a slot freed on the first is taken at once
        pool.release(a);
        Future<ConnectionPool<String>.Lease> fits = threads.submit(() -> pool.acquire());
        assertThat(within(fits).connection()).isEqualTo("conn-1");
        assertThat(third).isNotDone();
        openerMayFinish.countDown();
        assertThat(within(third).connection()).isEqualTo("conn-2");
        assertThat(opened).hasValue(1);
    }

    @Test
    void callersWaitingTogetherOpenOnlyAsManyConnectionsAsTheyNeed() throws Exception {
        ConnectionPool<String> pool = pool(3);
        for (int i = 0; i < 3; i++) {
            pool.acquire();
        }
        openerBlocks = true;
        List<Future<ConnectionPool<String>.Lease>> waiting = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            waiting.add(threads.submit(() -> pool.acquire()));
        }
        Thread.sleep(300); // all five are waiting now (or opening)
        openerMayFinish.countDown();
        List<String> got = new ArrayList<>();
        for (Future<ConnectionPool<String>.Lease> f : waiting) {
            got.add(within(f).connection());
        }
        assertThat(opened).as("connections opened for 5 callers at 3 per connection").hasValue(2);
        assertThat(got).hasSize(5).doesNotContain("conn-1");
        assertThat(got.stream().filter(c -> c.equals("conn-2")).count()).isLessThanOrEqualTo(3);
        assertThat(got.stream().filter(c -> c.equals("conn-3")).count()).isLessThanOrEqualTo(3);
    }

    @Test
    void aRefusalTeachesTheServersLimitForEveryConnection() throws Exception {
        ConnectionPool<String> pool = pool(8);
        for (int i = 0; i < 3; i++) {
            pool.established(pool.acquire());
        }
        ConnectionPool<String>.Lease fourth = pool.acquire();
        assertThat(fourth.connection()).isEqualTo("conn-1");
        assertThat(pool.refused(fourth)).as("channels open when refused").isEqualTo(3);
        assertThat(pool.limit()).isEqualTo(3);
        ConnectionPool<String>.Lease retry = pool.acquire(fourth);
        assertThat(retry.connection()).isEqualTo("conn-2");
        pool.established(retry);
        pool.established(pool.acquire());
        pool.established(pool.acquire());
        assertThat(pool.acquire().connection()).as("the new connection has the learned limit too").isEqualTo("conn-3");
    }

    @Test
    void aRetryAfterARefusalAvoidsTheRefusingConnectionEvenWithRoomOnIt() throws Exception {
        ConnectionPool<String> pool = pool(8);
        ConnectionPool<String>.Lease first = pool.acquire();
        assertThat(pool.refused(first)).isZero(); // refused even the first channel
        assertThat(pool.limit()).as("never below one").isEqualTo(1);
        assertThat(pool.acquire(first).connection()).isEqualTo("conn-2");
    }

    @Test
    void aFailedOpeningFailsEveryCallerWaitingForItAndIsNotRepeatedByThem() throws Exception {
        ConnectionPool<String> pool = pool(2);
        pool.acquire();
        pool.acquire();
        openerBlocks = true;
        openerFails = new K8sCapException(ExitCode.UNAVAILABLE, "ssh to node n1: connection refused");
        Future<Object> opener = threads.submit(() -> acquireOrFailure(pool));
        assertThat(openerStarted.await(10, TimeUnit.SECONDS)).isTrue();
        Future<Object> waiter = threads.submit(() -> acquireOrFailure(pool));
        Thread.sleep(200);
        openerMayFinish.countDown();
        assertThat(within(opener)).isSameAs(openerFails);
        assertThat(within(waiter)).isSameAs(openerFails);
        assertThat(opened).hasValue(1);
        // a later caller tries again
        openerFails = null;
        assertThat(pool.acquire().connection()).isEqualTo("conn-3");
    }

    private static Object acquireOrFailure(ConnectionPool<String> pool) throws InterruptedException {
        try {
            return pool.acquire();
        } catch (K8sCapException e) {
            return e;
        }
    }

    @Test
    void closeFailsWaitersAndClosesAConnectionThatArrivesLater() throws Exception {
        ConnectionPool<String> pool = pool(1);
        pool.acquire();
        openerBlocks = true;
        CompletableFuture<Object> opener = CompletableFuture.supplyAsync(() -> {
            try {
                return acquireOrFailure(pool);
            } catch (InterruptedException e) {
                return e;
            }
        }, threads);
        assertThat(openerStarted.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(pool.close()).containsExactly("conn-1");
        openerMayFinish.countDown();
        assertThat(opener.get(10, TimeUnit.SECONDS)).isInstanceOfSatisfying(K8sCapException.class,
                e -> assertThat(e.getMessage()).contains("closed"));
        assertThat(closedByPool).containsExactly("conn-2");
        assertThatThrownBy(pool::acquire).isInstanceOf(K8sCapException.class).hasMessageContaining("closed");
    }
}
