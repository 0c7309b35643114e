package io.k8scap.cluster;

import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * fabric8's JDK HTTP client, with the WebSocket sends of each exec/attach put one after another.
 *
 * <p>The JDK's {@link WebSocket} allows one outstanding send: a {@code sendBinary} made while the
 * previous one is still going out fails at once with {@code IllegalStateException("Send pending")}.
 * fabric8 7.x and 8.0 ({@code JdkWebSocketImpl.send}) pass every stdin write straight to it without
 * waiting, and {@code ExecWebSocketListener} then fails the exec with "could not send": a node command
 * through a helper pod lost because k8scap wrote its stdin faster than the socket drained (a 25 KB
 * node script followed by the first heartbeat; a burst of stdin). This factory wraps the JDK client
 * so that each WebSocket send starts when the previous one has completed, in the order they were
 * made; nothing else changes (same JDK client, executor, TLS, proxy, timeouts).
 *
 * <p>Registered for fabric8's ServiceLoader with a priority above the stock JDK factory, so every
 * client k8scap (or a test) builds uses it.
 */
public final class OrderedSendsHttpClientFactory extends JdkHttpClientFactory {
    @Override
    public int priority() {
        return 1; // above JdkHttpClientFactory's 0
    }

    @Override
    protected HttpClient.Builder createNewHttpClientBuilder() {
        return new Builder(super.createNewHttpClientBuilder());
    }

    /** Builds the JDK client as asked, wrapped in {@link Client}. */
    private static final class Builder implements HttpClient.Builder {
        private final HttpClient.Builder b;

        Builder(HttpClient.Builder b) {
            this.b = b;
        }

        @Override
        public HttpClient.Builder cookieHandler(CookieHandler cookieHandler) {
            b.cookieHandler(cookieHandler);
            return this;
        }

        @Override
        public HttpClient.Builder connectTimeout(Duration duration) {
            b.connectTimeout(duration);
            return this;
        }

        @Override
        public HttpClient.Builder sslContext(SSLContext sslContext) {
            b.sslContext(sslContext);
            return this;
        }

        @Override
        public HttpClient.Builder sslParameters(SSLParameters sslParameters) {
            b.sslParameters(sslParameters);
            return this;
        }

        @Override
        public HttpClient.Builder executor(Executor executor) {
            b.executor(executor);
            return this;
        }

        @Override
        public HttpClient.Builder followRedirects(HttpClient.Redirect policy) {
            b.followRedirects(policy);
            return this;
        }

        @Override
        public HttpClient.Builder version(HttpClient.Version version) {
            b.version(version);
            return this;
        }

        @Override
        public HttpClient.Builder priority(int priority) {
            b.priority(priority);
            return this;
        }

        @Override
        public HttpClient.Builder proxy(ProxySelector proxySelector) {
            b.proxy(proxySelector);
            return this;
        }

        @Override
        public HttpClient.Builder authenticator(Authenticator authenticator) {
            b.authenticator(authenticator);
            return this;
        }

        @Override
        public HttpClient build() {
            return new Client(b.build());
        }
    }

    /** The JDK client, unchanged but for {@link #newWebSocketBuilder()}. */
    static final class Client extends HttpClient {
        private final HttpClient c;

        Client(HttpClient c) {
            this.c = c;
        }

        @Override
        public Optional<CookieHandler> cookieHandler() {
            return c.cookieHandler();
        }

        @Override
        public Optional<Duration> connectTimeout() {
            return c.connectTimeout();
        }

        @Override
        public Redirect followRedirects() {
            return c.followRedirects();
        }

        @Override
        public Optional<ProxySelector> proxy() {
            return c.proxy();
        }

        @Override
        public SSLContext sslContext() {
            return c.sslContext();
        }

        @Override
        public SSLParameters sslParameters() {
            return c.sslParameters();
        }

        @Override
        public Optional<Authenticator> authenticator() {
            return c.authenticator();
        }

        @Override
        public Version version() {
            return c.version();
        }

        @Override
        public Optional<Executor> executor() {
            return c.executor();
        }

        @Override
        public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws IOException, InterruptedException {
            return c.send(request, handler);
        }

        @Override
        public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
            return c.sendAsync(request, handler);
        }

        @Override
        public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler,
                HttpResponse.PushPromiseHandler<T> push) {
            return c.sendAsync(request, handler, push);
        }

        @Override
        public WebSocket.Builder newWebSocketBuilder() {
            WebSocket.Builder w = c.newWebSocketBuilder();
            return new WebSocket.Builder() {
                @Override
                public WebSocket.Builder header(String name, String value) {
                    w.header(name, value);
                    return this;
                }

                @Override
                public WebSocket.Builder connectTimeout(Duration timeout) {
                    w.connectTimeout(timeout);
                    return this;
                }

                @Override
                public WebSocket.Builder subprotocols(String mostPreferred, String... lesserPreferred) {
                    w.subprotocols(mostPreferred, lesserPreferred);
                    return this;
                }

                @Override
                public CompletableFuture<WebSocket> buildAsync(URI uri, WebSocket.Listener listener) {
                    OrderedListener ordered = new OrderedListener(listener);
                    return w.buildAsync(uri, ordered).thenApply(ordered::wrap);
                }
            };
        }
    }

    /** Hands the listener the ordered view of the socket in every callback (fabric8 keeps the one from onOpen). */
    private static final class OrderedListener implements WebSocket.Listener {
        private final WebSocket.Listener l;
        private volatile OrderedSends wrapped;

        OrderedListener(WebSocket.Listener l) {
            this.l = l;
        }

        synchronized WebSocket wrap(WebSocket ws) {
            if (wrapped == null) {
                wrapped = new OrderedSends(ws);
            }
            return wrapped;
        }

        @Override
        public void onOpen(WebSocket ws) {
            l.onOpen(wrap(ws));
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            return l.onText(wrap(ws), data, last);
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            return l.onBinary(wrap(ws), data, last);
        }

        @Override
        public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
            return l.onPing(wrap(ws), message);
        }

        @Override
        public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
            return l.onPong(wrap(ws), message);
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            return l.onClose(wrap(ws), statusCode, reason);
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            l.onError(wrap(ws), error);
        }
    }

    /**
     * A socket whose sends are chained: each starts once the previous one completed (successfully or
     * not: a failed send fails its own future, as before, and does not hold up the next).
     */
    static final class OrderedSends implements WebSocket {
        private final WebSocket ws;
        private CompletableFuture<?> last = CompletableFuture.completedFuture(null);

        OrderedSends(WebSocket ws) {
            this.ws = ws;
        }

        private synchronized CompletableFuture<WebSocket> after(java.util.function.Supplier<CompletableFuture<WebSocket>> send) {
            CompletableFuture<WebSocket> next = last.isDone() ? send.get() : last.handle((r, e) -> null).thenCompose(x -> send.get());
            last = next;
            return next;
        }

        @Override
        public CompletableFuture<WebSocket> sendText(CharSequence data, boolean lastPart) {
            return after(() -> ws.sendText(data, lastPart));
        }

        @Override
        public CompletableFuture<WebSocket> sendBinary(ByteBuffer data, boolean lastPart) {
            return after(() -> ws.sendBinary(data, lastPart));
        }

        @Override
        public CompletableFuture<WebSocket> sendPing(ByteBuffer message) {
            return after(() -> ws.sendPing(message));
        }

        @Override
        public CompletableFuture<WebSocket> sendPong(ByteBuffer message) {
            return after(() -> ws.sendPong(message));
        }

        @Override
        public CompletableFuture<WebSocket> sendClose(int statusCode, String reason) {
            return after(() -> ws.sendClose(statusCode, reason));
        }

        @Override
        public void request(long n) {
            ws.request(n);
        }

        @Override
        public String getSubprotocol() {
            return ws.getSubprotocol();
        }

        @Override
        public boolean isOutputClosed() {
            return ws.isOutputClosed();
        }

        @Override
        public boolean isInputClosed() {
            return ws.isInputClosed();
        }

        @Override
        public void abort() {
            ws.abort();
        }
    }
}
