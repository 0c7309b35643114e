package io.k8scap.node.pod;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.ByteString;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The one stand-in: fabric8's mock API server (expectations first, then CRUD, ONE shared responses
 * map), plus the parts of a real API server the CRUD mode lacks and helper pods need:
 * <ul>
 *   <li>SelfSubjectAccessReview answers (allowed unless listed in {@link #denied});</li>
 *   <li>{@code ?dryRun=All} creates that are NOT stored (CRUD mode would store them), or refused
 *       with a PodSecurity-style 403 ({@link #dryRunRefusal});</li>
 *   <li>a "kubelet" that moves created helper pods to a status of the test's choosing;</li>
 *   <li>optionally, pods/exec websockets served by a Java {@link ExecHandler} that sees the decoded
 *       argv and the stdin frames (channel 0) and answers with stdout (1), stderr (2) and the
 *       status (3) frames of the v4.channel.k8s.io protocol.</li>
 * </ul>
 */
final class HelperPodMock implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    final Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    final KubernetesMockServer server;
    final KubernetesClient client;
    /** "verb resource[/subresource]" the SSAR answers refuse. */
    final Set<String> denied = ConcurrentHashMap.newKeySet();
    volatile String dryRunRefusal;
    volatile ExecHandler exec;
    final List<List<String>> execArgv = new CopyOnWriteArrayList<>();
    /** The command lines received on stdin (PodNodeSession's length-prefixed header). */
    final List<String> commandLines = new CopyOnWriteArrayList<>();
    final List<String> dryRuns = new CopyOnWriteArrayList<>();
    private volatile Thread kubelet;

    /** Serves one exec: runs on its own thread once the websocket is open. */
    interface ExecHandler {
        void serve(List<String> argv, ExecStream stream) throws Exception;
    }

    HelperPodMock() {
        server = new KubernetesMockServer(new io.fabric8.mockwebserver.Context(), new MockWebServer(), responses,
                new Dispatcher(responses), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = server.createClient();
    }

    HelperPodMock namespace(String name, String enforce) {
        var b = new NamespaceBuilder().withNewMetadata().withName(name).endMetadata();
        if (enforce != null) {
            b.editMetadata().addToLabels(Preflight.ENFORCE_LABEL, enforce).endMetadata();
        }
        client.namespaces().resource(b.build()).create();
        return this;
    }

    /** Starts the kubelet stand-in: every helper pod without status gets {@code status.apply(pod)}. */
    HelperPodMock kubelet(Function<Pod, PodStatus> status) {
        Thread t = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    for (Pod p : client.pods().inAnyNamespace().withLabel(HelperPods.MANAGED_BY, HelperPods.MANAGED_BY_VALUE).list().getItems()) {
                        if (p.getStatus() == null || p.getStatus().getPhase() == null) {
                            p.setStatus(status.apply(p));
                            client.pods().inNamespace(p.getMetadata().getNamespace()).resource(p).updateStatus();
                        }
                    }
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // the pod went away meanwhile: next round
                }
            }
        }, "mock-kubelet");
        t.setDaemon(true);
        t.start();
        kubelet = t;
        return this;
    }

    static PodStatus running(Pod p) {
        return new PodStatusBuilder().withPhase("Running")
                .addNewContainerStatus().withName(HelperPods.CONTAINER).withImage(p.getSpec().getContainers().get(0).getImage())
                .withNewState().withNewRunning().withStartedAt("2026-01-01T00:00:00Z").endRunning().endState().endContainerStatus().build();
    }

    /** The helper pods that exist now. */
    List<Pod> helperPods() {
        return client.pods().inAnyNamespace().withLabel(HelperPods.MANAGED_BY, HelperPods.MANAGED_BY_VALUE).list().getItems();
    }

    @Override
    public void close() {
        if (kubelet != null) {
            kubelet.interrupt();
        }
        client.close();
        server.destroy();
    }

    /** One exec websocket, server side. */
    static final class ExecStream {
        private final WebSocket ws;
        final LinkedBlockingQueue<byte[]> stdin = new LinkedBlockingQueue<>();
        volatile boolean clientClosed;

        ExecStream(WebSocket ws) {
            this.ws = ws;
        }

        void stdout(byte[] data) {
            frame(1, data);
        }

        void stderr(String text) {
            frame(2, text.getBytes(StandardCharsets.UTF_8));
        }

        /** Sends the status frame the API server sends when the command ends, then closes. */
        void exit(int code) {
            String status = code == 0
                    ? "{\"metadata\":{},\"status\":\"Success\"}"
                    : "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"command terminated with non-zero exit code: error executing command, exit status "
                            + code + "\",\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":[{\"reason\":\"ExitCode\",\"message\":\"" + code + "\"}]}}";
            frame(3, status.getBytes(StandardCharsets.UTF_8));
            ws.close(1000, "");
        }

        /** Sends a raw status frame (channel 3) and closes. */
        void status(String json) {
            frame(3, json.getBytes(StandardCharsets.UTF_8));
            ws.close(1000, "");
        }

        /** Closes the socket without a status frame: a dropped connection. */
        void drop() {
            ws.close(1001, "going away");
        }

        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
        volatile String commandLine;

        /** Reads stdin frames until {@code lines} complete lines have arrived (after the header). */
        String readLines(int lines, long timeoutMillis) throws InterruptedException {
            long end = System.currentTimeMillis() + timeoutMillis;
            while (pending.toString(StandardCharsets.UTF_8).chars().filter(c -> c == '\n').count() < lines) {
                if (!fill(end)) {
                    break;
                }
            }
            String s = pending.toString(StandardCharsets.UTF_8);
            pending.reset();
            return s;
        }

        /** Reads PodNodeSession's header: {@code LENGTH\n} and that many bytes of command line. */
        String readCommandLine(long timeoutMillis) throws InterruptedException {
            long end = System.currentTimeMillis() + timeoutMillis;
            int nl;
            while ((nl = indexOf(pending.toByteArray(), (byte) '\n')) < 0) {
                if (!fill(end)) {
                    return null;
                }
            }
            int n = Integer.parseInt(new String(pending.toByteArray(), 0, nl, StandardCharsets.US_ASCII));
            while (pending.size() < nl + 1 + n) {
                if (!fill(end)) {
                    return null;
                }
            }
            byte[] all = pending.toByteArray();
            String cl = new String(all, nl + 1, n, StandardCharsets.UTF_8);
            pending.reset();
            pending.write(all, nl + 1 + n, all.length - nl - 1 - n);
            return cl;
        }

        private boolean fill(long end) throws InterruptedException {
            byte[] chunk = stdin.poll(Math.max(1, end - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
            if (chunk == null) {
                return false;
            }
            pending.writeBytes(chunk);
            return true;
        }

        private static int indexOf(byte[] b, byte v) {
            for (int i = 0; i < b.length; i++) {
                if (b[i] == v) {
                    return i;
                }
            }
            return -1;
        }

        private void frame(int channel, byte[] data) {
            byte[] f = new byte[data.length + 1];
            f[0] = (byte) channel;
            System.arraycopy(data, 0, f, 1, data.length);
            ws.send(f);
        }
    }

    private final class Dispatcher extends KubernetesMixedDispatcher {
        Dispatcher(Map<ServerRequest, Queue<ServerResponse>> responses) {
            super(responses);
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            String path = request.getPath();
            String method = request.getMethod();
            try {
                if ("POST".equals(method) && path.endsWith("/selfsubjectaccessreviews")) {
                    JsonNode review = JSON.readTree(request.getUtf8Body());
                    JsonNode attrs = review.path("spec").path("resourceAttributes");
                    String sub = attrs.path("subresource").asText("");
                    String key = attrs.path("verb").asText() + " " + attrs.path("resource").asText() + (sub.isEmpty() ? "" : "/" + sub);
                    ((com.fasterxml.jackson.databind.node.ObjectNode) review).putObject("status").put("allowed", !denied.contains(key));
                    return new MockResponse().setResponseCode(201).setBody(JSON.writeValueAsString(review));
                }
                if ("POST".equals(method) && path.contains("/pods?") && path.contains("dryRun=All")) {
                    String body = request.getUtf8Body();
                    dryRuns.add(body);
                    String refusal = dryRunRefusal;
                    if (refusal != null) {
                        return new MockResponse().setResponseCode(403).setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
                                + "\"status\":\"Failure\",\"message\":" + JSON.writeValueAsString(refusal) + ",\"reason\":\"Forbidden\",\"code\":403}");
                    }
                    return new MockResponse().setResponseCode(201).setBody(body);
                }
                ExecHandler handler = exec;
                if (handler != null && "GET".equals(method) && path.contains("/exec?")) {
                    List<String> argv = new ArrayList<>();
                    for (String kv : path.substring(path.indexOf('?') + 1).split("&")) {
                        if (kv.startsWith("command=")) {
                            argv.add(URLDecoder.decode(kv.substring("command=".length()), StandardCharsets.UTF_8));
                        }
                    }
                    execArgv.add(argv);
                    return new MockResponse().withWebSocketUpgrade(new Listener(handler, argv, commandLines));
                }
            } catch (Exception e) {
                return new MockResponse().setResponseCode(500).setBody(String.valueOf(e));
            }
            return super.dispatch(request);
        }
    }

    private static final class Listener extends WebSocketListener {
        private final ExecHandler handler;
        private final List<String> argv;
        private final List<String> commandLines;
        private volatile ExecStream stream;

        Listener(ExecHandler handler, List<String> argv, List<String> commandLines) {
            this.handler = handler;
            this.argv = argv;
            this.commandLines = commandLines;
        }

        @Override
        public void onOpen(WebSocket ws, io.fabric8.mockwebserver.http.Response response) {
            stream = new ExecStream(ws);
            Thread t = new Thread(() -> {
                try {
                    stream.commandLine = stream.readCommandLine(10_000);
                    if (stream.commandLine == null) {
                        stream.stderr("no command line header on stdin");
                        stream.exit(255);
                        return;
                    }
                    commandLines.add(stream.commandLine);
                    handler.serve(argv, stream);
                } catch (Exception e) {
                    stream.drop();
                }
            }, "mock-exec");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void onMessage(WebSocket ws, ByteString bytes) {
            onMessage(ws, bytes.toByteArray());
        }

        @Override
        public void onMessage(WebSocket ws, byte[] bytes) {
            if (bytes.length > 0 && bytes[0] == 0 && stream != null) {
                stream.stdin.add(java.util.Arrays.copyOfRange(bytes, 1, bytes.length));
            }
        }

        @Override
        public void onClosing(WebSocket ws, int code, String reason) {
            if (stream != null) {
                stream.clientClosed = true;
            }
        }

        @Override
        public void onClosed(WebSocket ws, int code, String reason) {
            if (stream != null) {
                stream.clientClosed = true;
            }
        }
    }
}
