package io.k8scap.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.HttpClientUtils;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The ordered sends every fabric8 client here is built on. End to end (a helper pod's exec with a
 * stream of stdin): PodNodeSessionTest#stdinWrittenFasterThanTheSocketSendsArrivesWholeAndInOrder;
 * on loopback the JDK's sends nearly always complete at once, so the refusal is played here by a
 * socket with the JDK's rule: one send at a time, the next refused while it is pending.
 */
class OrderedSendsHttpClientFactoryTest {
    @Test
    void fabric8PicksTheOrderedSendsFactoryOverTheStockJdkOne() {
        assertThat(HttpClientUtils.getHttpClientFactory()).isInstanceOf(OrderedSendsHttpClientFactory.class);
    }

    @Test
    void aSendMadeWhileTheLastIsPendingWaitsForItInsteadOfBeingRefused() {
        OneAtATime socket = new OneAtATime();
        // as fabric8 sends without the wrapper: the second send is refused, "could not send"
        CompletableFuture<WebSocket> first = socket.sendBinary(bytes("header"), true);
        assertThat(socket.sendBinary(bytes("stdin"), true)).isCompletedExceptionally();
        socket.completeNext();
        assertThat(first).isCompleted();

        OneAtATime fresh = new OneAtATime();
        WebSocket ordered = new OrderedSendsHttpClientFactory.OrderedSends(fresh);
        CompletableFuture<WebSocket> a = ordered.sendBinary(bytes("header"), true);
        CompletableFuture<WebSocket> b = ordered.sendBinary(bytes("line 1\n"), true);
        CompletableFuture<WebSocket> c = ordered.sendBinary(bytes("line 2\n"), true);
        assertThat(fresh.started).containsExactly("header");
        fresh.completeNext();
        fresh.completeNext();
        fresh.completeNext();
        assertThat(List.of(a, b, c)).allSatisfy(f -> assertThat(f).isCompleted().isNotCompletedExceptionally());
        assertThat(fresh.started).containsExactly("header", "line 1\n", "line 2\n");
        assertThat(fresh.refused).isZero();
    }

    @Test
    void aFailedSendFailsAloneAndTheNextStillGoesOut() {
        OneAtATime socket = new OneAtATime();
        WebSocket ordered = new OrderedSendsHttpClientFactory.OrderedSends(socket);
        CompletableFuture<WebSocket> a = ordered.sendBinary(bytes("one"), true);
        CompletableFuture<WebSocket> b = ordered.sendBinary(bytes("two"), true);
        socket.failNext(new java.io.IOException("broken pipe"));
        socket.completeNext();
        assertThat(a).isCompletedExceptionally();
        assertThat(b).isCompleted().isNotCompletedExceptionally();
        assertThat(socket.started).containsExactly("one", "two");
    }

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    /** The JDK WebSocket's send rule: one outstanding send; another is refused at once ("Send pending"). */
    private static final class OneAtATime implements WebSocket {
        final List<String> started = new ArrayList<>();
        final List<CompletableFuture<WebSocket>> pending = new ArrayList<>();
        int refused;

        @Override
        public synchronized CompletableFuture<WebSocket> sendBinary(ByteBuffer data, boolean last) {
            if (!pending.isEmpty()) {
                refused++;
                return CompletableFuture.failedFuture(new IllegalStateException("Send pending"));
            }
            started.add(StandardCharsets.UTF_8.decode(data).toString());
            CompletableFuture<WebSocket> f = new CompletableFuture<>();
            pending.add(f);
            return f;
        }

        void completeNext() {
            CompletableFuture<WebSocket> f;
            synchronized (this) {
                f = pending.remove(0);
            }
            f.complete(this);
        }

        void failNext(Throwable t) {
            CompletableFuture<WebSocket> f;
            synchronized (this) {
                f = pending.remove(0);
            }
            f.completeExceptionally(t);
        }

        @Override
        public CompletableFuture<WebSocket> sendText(CharSequence data, boolean last) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<WebSocket> sendPing(ByteBuffer message) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<WebSocket> sendPong(ByteBuffer message) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<WebSocket> sendClose(int statusCode, String reason) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void request(long n) {
        }

        @Override
        public String getSubprotocol() {
            return "";
        }

        @Override
        public boolean isOutputClosed() {
            return false;
        }

        @Override
        public boolean isInputClosed() {
            return false;
        }

        @Override
        public void abort() {
        }
    }
}
