package io.k8scap.node.pod;

import io.k8scap.cluster.Preflight;
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
 *       status (3) frames of the v4.channel.k8s.io protocol;</li>
 *   <li>or, with {@link #execLocally()}, pods/exec served as the kubelet serves it: the exec'd argv
 *       (PodNodeSession's {@code nsenter -t 1 … -- sh -c BOOTSTRAP …}) really runs on this machine as
 *       a local process — exactly what a privileged hostPID helper pod's exec runs on its node — with
 *       stdin (channel 0) streamed to it live, its stdout (1) and stderr (2) streamed back live and
 *       byte for byte, its exit status on channel 3 as the API server words it, the websocket closed
 *       when it ends, and its stdin closed (EOF) when the client closes the websocket. See
 *       {@link LocalExec}.</li>
 * </ul>
 * Public for the CLI's lab tests ({@code io.k8scap.cli.ViaPodLabTest}); the rest stays package-level.
 */
public final class HelperPodMock implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    final Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    final KubernetesMockServer server;
    final KubernetesClient client;
    /** "verb resource[/subresource]" the SSAR answers refuse. */
    final Set<String> denied = ConcurrentHashMap.newKeySet();
    volatile String dryRunRefusal;
    volatile ExecHandler exec;
    final List<List<String>> execArgv = new CopyOnWriteArrayList<>();
    /** The query of every pods/exec request (after the {@code ?}), in order: tty, stdin, stdout… */
    public final List<String> execQueries = new CopyOnWriteArrayList<>();
    /** The request target of every pods/exec and pods/attach request (path and query, as sent), in order. */
    public final List<String> execTargets = new CopyOnWriteArrayList<>();
    /** The command lines received on stdin (PodNodeSession's length-prefixed header). */
    final List<String> commandLines = new CopyOnWriteArrayList<>();
    final List<String> dryRuns = new CopyOnWriteArrayList<>();
    private volatile Thread kubelet;
    private volatile boolean local;
    /** Tools the helper IMAGE lacks (see {@link #imageWithout}). */
    private volatile List<String> imageLacks = List.of();
    /** Every helper pod the kubelet stand-in has seen, as first seen (the spec k8scap created). */
    private final List<Pod> seen = new CopyOnWriteArrayList<>();
    private final Set<String> seenUids = ConcurrentHashMap.newKeySet();
    /** "namespace/name" of the helper pods the kubelet stand-in runs now: the only pods exec reaches. */
    private final Set<String> runningPods = ConcurrentHashMap.newKeySet();
    private final List<LocalExec> localExecs = new CopyOnWriteArrayList<>();

    /** Serves one exec: runs on its own thread once the websocket is open. */
    public interface ExecHandler {
        void serve(List<String> argv, ExecStream stream) throws Exception;
    }

    public HelperPodMock() {
        server = new KubernetesMockServer(new io.fabric8.mockwebserver.Context(), new MockWebServer(), responses,
                new Dispatcher(responses), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = server.createClient();
    }

    public HelperPodMock namespace(String name, String enforce) {
        var b = new NamespaceBuilder().withNewMetadata().withName(name).endMetadata();
        if (enforce != null) {
            b.editMetadata().addToLabels(Preflight.ENFORCE_LABEL, enforce).endMetadata();
        }
        client.namespaces().resource(b.build()).create();
        return this;
    }

    /** Starts the kubelet stand-in: every helper pod without status gets {@code status.apply(pod)}. */
    public HelperPodMock kubelet(Function<Pod, PodStatus> status) {
        Thread t = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Set<String> now = new java.util.HashSet<>();
                    for (Pod p : client.pods().inAnyNamespace().withLabel(HelperPods.MANAGED_BY, HelperPods.MANAGED_BY_VALUE).list().getItems()) {
                        String key = p.getMetadata().getNamespace() + "/" + p.getMetadata().getName();
                        if (seenUids.add(p.getMetadata().getUid())) {
                            seen.add(new io.fabric8.kubernetes.api.model.PodBuilder(p).build());
                        }
                        if (p.getStatus() == null || p.getStatus().getPhase() == null) {
                            PodStatus st = status.apply(p);
                            if ("Running".equals(st.getPhase())) {
                                runningPods.add(key); // before the API shows Running: k8scap may exec at once
                            }
                            p.setStatus(st);
                            client.pods().inNamespace(p.getMetadata().getNamespace()).resource(p).updateStatus();
                        }
                        if (p.getStatus() != null && "Running".equals(p.getStatus().getPhase())) {
                            now.add(key);
                        }
                    }
                    runningPods.retainAll(now.isEmpty() ? Set.of() : now);
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

    public static PodStatus running(Pod p) {
        return new PodStatusBuilder().withPhase("Running")
                .addNewContainerStatus().withName(HelperPods.CONTAINER).withImage(p.getSpec().getContainers().get(0).getImage())
                .withNewState().withNewRunning().withStartedAt("2026-01-01T00:00:00Z").endRunning().endState().endContainerStatus().build();
    }

    /** The helper pods that exist now. */
    public List<Pod> helperPods() {
        return client.pods().inAnyNamespace().withLabel(HelperPods.MANAGED_BY, HelperPods.MANAGED_BY_VALUE).list().getItems();
    }

    /** Every helper pod the kubelet stand-in has seen, as created (needs {@link #kubelet}). */
    public List<Pod> seenHelperPods() {
        return List.copyOf(seen);
    }

    /** Expectations, served before the CRUD store (e.g. a PATCH of a subresource CRUD mode does not know). */
    public io.fabric8.mockwebserver.dsl.MockServerExpectation expect() {
        return server.expect();
    }

    public KubernetesClient client() {
        return client;
    }

    public String url() {
        return "http://" + server.getHostName() + ":" + server.getPort();
    }

    /**
     * From now on pods/exec into a Running helper pod runs its argv on THIS machine, as the kubelet
     * runs it on a node (see the class comment and {@link LocalExec}); exec into any other pod is
     * answered 404 NotFound as by an API server. Use with {@link #kubelet}{@code (HelperPodMock::running)}.
     */
    public HelperPodMock execLocally() {
        local = true;
        return this;
    }

    /**
     * With {@link #execLocally()}: the helper IMAGE has no {@code tools}. Execs that run in the helper
     * container's own filesystem (every argv not starting with {@code nsenter -t 1}, which enters the
     * node's) run in a private mount namespace of their own where each of these tools, wherever it is
     * on this machine, is {@code /dev/null} — not executable, so {@code command -v} does not find it,
     * as in an image that lacks it. The node's tools (execs under {@code nsenter -t 1}) are untouched.
     * No argument: the image has everything again.
     */
    public HelperPodMock imageWithout(String... tools) {
        imageLacks = List.of(tools);
        return this;
    }

    /**
     * The PID whose namespaces stand for "the node's PID 1" in exec'd {@code nsenter -t 1 …}: 1 where
     * this machine lets root open {@code /proc/1/ns/*} (a real node always does), else this JVM's own
     * PID. Some sandboxes (e.g. a Firecracker VM whose init is non-dumpable) refuse
     * {@code /proc/1/ns/*} even to root, although PID 1 is in the same initial namespaces as every
     * other host process; there, entering this JVM's namespaces — the host's, as the lab sshd's —
     * is the same thing. {@link LocalExec#ranArgv()} shows what really ran.
     */
    public static long nodeInitPid() {
        try {
            java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/1/ns/mnt"));
            java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/1/ns/ipc"));
            return 1;
        } catch (java.io.IOException | SecurityException e) {
            return ProcessHandle.current().pid();
        }
    }

    /** The execs run locally so far, oldest first. */
    public List<LocalExec> localExecs() {
        return List.copyOf(localExecs);
    }

    /** Writes a kubeconfig for this server (token auth, {@code namespace} as the context's namespace). */
    public java.nio.file.Path writeKubeconfig(java.nio.file.Path dir, String namespace) throws java.io.IOException {
        return java.nio.file.Files.writeString(dir.resolve("kubeconfig"), """
                apiVersion: v1
                kind: Config
                clusters:
                - name: helper-pod-mock
                  cluster:
                    server: %s
                contexts:
                - name: helper-pod-mock
                  context:
                    cluster: helper-pod-mock
                    user: lab
                    namespace: %s
                current-context: helper-pod-mock
                users:
                - name: lab
                  user:
                    token: lab-token
                """.formatted(url(), namespace));
    }

    @Override
    public void close() {
        if (kubelet != null) {
            kubelet.interrupt();
        }
        for (LocalExec e : localExecs) {
            e.closeStdin(); // as the kubelet would when the API server goes: EOF for whatever still runs
        }
        client.close();
        server.destroy();
    }

    /** Sets the handler of pods/exec requests (scripted websocket frames). */
    public HelperPodMock onExec(ExecHandler handler) {
        exec = handler;
        return this;
    }

    /** One exec websocket, server side. */
    public static final class ExecStream {
        private final WebSocket ws;
        final LinkedBlockingQueue<byte[]> stdin = new LinkedBlockingQueue<>();
        /** The resize channel's (4) messages, as sent: {@code {"Width":…,"Height":…}}. */
        public final LinkedBlockingQueue<String> resizes = new LinkedBlockingQueue<>();
        volatile boolean clientClosed;

        ExecStream(WebSocket ws) {
            this.ws = ws;
        }

        public void stdout(byte[] data) {
            frame(1, data);
        }

        public void stdout(String text) {
            frame(1, text.getBytes(StandardCharsets.UTF_8));
        }

        /** Whether the client closed the websocket. */
        public boolean clientClosed() {
            return clientClosed;
        }

        public void stderr(String text) {
            frame(2, text.getBytes(StandardCharsets.UTF_8));
        }

        void stderr(byte[] data) {
            frame(2, data);
        }

        /** Sends the status frame the API server sends when the command ends, then closes. */
        public void exit(int code) {
            String status = code == 0
                    ? "{\"metadata\":{},\"status\":\"Success\"}"
                    : "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"command terminated with non-zero exit code: error executing command, exit status "
                            + code + "\",\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":[{\"reason\":\"ExitCode\",\"message\":\"" + code + "\"}]}}";
            frame(3, status.getBytes(StandardCharsets.UTF_8));
            ws.close(1000, "");
        }

        /** Sends a raw status frame (channel 3) and closes. */
        public void status(String json) {
            frame(3, json.getBytes(StandardCharsets.UTF_8));
            ws.close(1000, "");
        }

        /** Closes the socket without a status frame: a dropped connection. */
        public void drop() {
            ws.close(1001, "going away");
        }

        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
        volatile String commandLine;

        /** The command line that came on stdin as PodNodeSession's header (null for a TTY exec: its command line is in the URL). */
        public String commandLine() {
            return commandLine;
        }

        /** Reads stdin frames until {@code lines} complete lines have arrived (after the header). */
        public String readLines(int lines, long timeoutMillis) throws InterruptedException {
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

        /** Reads exactly {@code n} bytes of stdin (after the header), or what came before the timeout. */
        public byte[] readBytes(int n, long timeoutMillis) throws InterruptedException {
            long end = System.currentTimeMillis() + timeoutMillis;
            while (pending.size() < n) {
                if (!fill(end)) {
                    break;
                }
            }
            byte[] all = pending.toByteArray();
            pending.reset();
            return all;
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

        /** Reads stdin frames until what arrived (after the header, if any) contains {@code text}; returns all of it. */
        public String readUntil(String text, long timeoutMillis) throws InterruptedException {
            long end = System.currentTimeMillis() + timeoutMillis;
            while (!pending.toString(StandardCharsets.UTF_8).contains(text)) {
                if (!fill(end)) {
                    break;
                }
            }
            String got = pending.toString(StandardCharsets.UTF_8);
            pending.reset();
            return got;
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
                if (local && "GET".equals(method) && path.contains("/exec?")) {
                    return localExec(path);
                }
                ExecHandler handler = exec;
                if (handler != null && "GET".equals(method) && (path.contains("/exec?") || path.contains("/attach?"))) {
                    execQueries.add(path.substring(path.indexOf('?') + 1));
                    execTargets.add(path);
                    List<String> argv = new ArrayList<>();
                    for (String kv : path.substring(path.indexOf('?') + 1).split("&")) {
                        if (kv.startsWith("command=")) {
                            argv.add(URLDecoder.decode(kv.substring("command=".length()), StandardCharsets.UTF_8));
                        }
                    }
                    execArgv.add(argv);
                    boolean tty = List.of(path.substring(path.indexOf('?') + 1).split("&")).contains("tty=true");
                    return new MockResponse().withWebSocketUpgrade(new Listener(handler, argv, commandLines, tty));
                }
            } catch (Exception e) {
                return new MockResponse().setResponseCode(500).setBody(String.valueOf(e));
            }
            return super.dispatch(request);
        }
    }

    /** /api/v1/namespaces/NS/pods/NAME/exec?command=…&container=…&stdin=true&… → a local process over a websocket. */
    private MockResponse localExec(String path) throws Exception {
        String[] parts = path.substring(0, path.indexOf('?')).split("/");
        // "", api, v1, namespaces, NS, pods, NAME, exec
        String ns = parts.length > 7 ? URLDecoder.decode(parts[4], StandardCharsets.UTF_8) : "";
        String name = parts.length > 7 ? URLDecoder.decode(parts[6], StandardCharsets.UTF_8) : "";
        List<String> argv = new ArrayList<>();
        String container = null;
        boolean stdin = false;
        boolean tty = false;
        for (String kv : path.substring(path.indexOf('?') + 1).split("&")) {
            if (kv.startsWith("command=")) {
                argv.add(URLDecoder.decode(kv.substring("command=".length()), StandardCharsets.UTF_8));
            } else if (kv.startsWith("container=")) {
                container = URLDecoder.decode(kv.substring("container=".length()), StandardCharsets.UTF_8);
            } else if (kv.equals("stdin=true")) {
                stdin = true;
            } else if (kv.equals("tty=true")) {
                tty = true;
            }
        }
        execArgv.add(argv);
        execQueries.add(path.substring(path.indexOf('?') + 1));
        execTargets.add(path);
        if (!runningPods.contains(ns + "/" + name)) {
            return new MockResponse().setResponseCode(404).setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
                    + "\"status\":\"Failure\",\"message\":\"pods \\\"" + name + "\\\" not found\",\"reason\":\"NotFound\","
                    + "\"details\":{\"name\":\"" + name + "\",\"kind\":\"pods\"},\"code\":404}");
        }
        if (!HelperPods.CONTAINER.equals(container) || argv.isEmpty()) {
            return new MockResponse().setResponseCode(400).setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
                    + "\"status\":\"Failure\",\"message\":\"container " + container + " is not valid for pod " + name
                    + " (or no command)\",\"reason\":\"BadRequest\",\"code\":400}");
        }
        LocalExec e = new LocalExec(ns, name, argv, stdin, tty, nodeInitPid(), imageLacks);
        localExecs.add(e);
        return new MockResponse().withWebSocketUpgrade(e.listener());
    }

    /**
     * One pods/exec served as the kubelet serves it: {@code argv} runs on this machine. Started when
     * the websocket opens; stdin frames go to the process as they arrive (flushed one by one), its
     * stdout and stderr go back as they are read, untouched; when the process has ended and both
     * streams are drained, the status frame (channel 3) is sent and the websocket closed. When the
     * client closes the websocket (or the connection breaks) the process's stdin is closed; the
     * process itself is NOT killed — the kubelet does not kill exec'd processes either.
     */
    public static final class LocalExec {
        private static final byte[] EOF = new byte[0];
        private final String namespace;
        private final String pod;
        private final List<String> argv;
        private final List<String> ranArgv;
        private final boolean withStdin;
        /** tty=true: the argv runs under a pseudo-terminal (pty_exec.py), resized by channel 4. */
        private final boolean tty;
        private final List<String> resizes = new CopyOnWriteArrayList<>();
        private final LinkedBlockingQueue<String> resizeQueue = new LinkedBlockingQueue<>();
        private final LinkedBlockingQueue<byte[]> stdin = new LinkedBlockingQueue<>();
        private final ByteArrayOutputStream stderrCopy = new ByteArrayOutputStream();
        private final java.util.concurrent.CompletableFuture<Integer> exit = new java.util.concurrent.CompletableFuture<>();
        private volatile boolean clientClosed;
        private volatile Process process;

        /** Hides tools ($1, space-separated) from what runs next: each becomes /dev/null in this mount namespace only. */
        private static final String HIDE = "for t in $1; do for d in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do"
                + " [ -e \"$d/$t\" ] && mount --bind /dev/null \"$d/$t\"; done; done; shift; exec \"$@\"";

        LocalExec(String namespace, String pod, List<String> argv, boolean withStdin, boolean tty, long nodeInitPid, List<String> imageLacks) {
            this.namespace = namespace;
            this.pod = pod;
            this.argv = List.copyOf(argv);
            this.withStdin = withStdin;
            this.tty = tty;
            List<String> run = new ArrayList<>(argv);
            if (run.size() > 2 && run.get(0).equals("nsenter") && run.get(1).equals("-t") && run.get(2).equals("1")) {
                run.set(2, String.valueOf(nodeInitPid)); // see nodeInitPid()
            } else if (!imageLacks.isEmpty()) { // the helper image's filesystem: see imageWithout()
                run.addAll(0, List.of("unshare", "-m", "--propagation", "private", "sh", "-c", HIDE, "k8scap-image", String.join(" ", imageLacks)));
            }
            this.ranArgv = List.copyOf(run);
        }

        /** What really ran here: {@link #argv()}, with {@code nsenter -t 1} aimed at {@link #nodeInitPid()}. */
        public List<String> ranArgv() {
            return ranArgv;
        }

        public String namespace() {
            return namespace;
        }

        public String pod() {
            return pod;
        }

        /** The argv as the API server received it in the exec URL. */
        public List<String> argv() {
            return argv;
        }

        /** Whether the exec asked for a terminal (tty=true). */
        public boolean tty() {
            return tty;
        }

        /** The resize channel's (4) messages, as received: {@code {"Width":…,"Height":…}}. */
        public List<String> resizes() {
            return List.copyOf(resizes);
        }

        /** The local process, once started (null before the websocket opened). */
        public Process process() {
            return process;
        }

        /** Everything the process wrote on stderr, also when the client was gone and never saw it. */
        public String stderr() {
            synchronized (stderrCopy) {
                return stderrCopy.toString(StandardCharsets.UTF_8);
            }
        }

        /** The exit status, once the process ended. */
        public java.util.concurrent.CompletableFuture<Integer> exit() {
            return exit;
        }

        /** Whether the client closed the websocket (or the connection broke) before the process ended. */
        public boolean clientClosed() {
            return clientClosed;
        }

        void closeStdin() {
            stdin.add(EOF);
        }

        WebSocketListener listener() {
            return new WebSocketListener() {
                @Override
                public void onOpen(WebSocket ws, io.fabric8.mockwebserver.http.Response response) {
                    start(new ExecStream(ws));
                }

                @Override
                public void onMessage(WebSocket ws, ByteString bytes) {
                    onMessage(ws, bytes.toByteArray());
                }

                @Override
                public void onMessage(WebSocket ws, byte[] bytes) {
                    if (bytes.length > 1 && bytes[0] == 0) {
                        stdin.add(java.util.Arrays.copyOfRange(bytes, 1, bytes.length));
                    } else if (bytes.length > 1 && bytes[0] == 4) {
                        String size = new String(bytes, 1, bytes.length - 1, StandardCharsets.UTF_8);
                        resizes.add(size);
                        resizeQueue.add(size);
                    }
                    // empty frames, and resizes of a non-tty exec: nothing to do
                }

                @Override
                public void onClosing(WebSocket ws, int code, String reason) {
                    gone();
                }

                @Override
                public void onClosed(WebSocket ws, int code, String reason) {
                    gone();
                }

                @Override
                public void onFailure(WebSocket ws, Throwable t, io.fabric8.mockwebserver.http.Response response) {
                    gone();
                }
            };
        }

        private void gone() {
            if (!exit.isDone()) {
                clientClosed = true;
            }
            closeStdin();
        }

        private void start(ExecStream ws) {
            Process p;
            try {
                List<String> command = ranArgv;
                java.nio.file.Path fifo = null;
                if (tty) {
                    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("k8scap-dbg-tty");
                    java.nio.file.Path driver = dir.resolve("pty_exec.py");
                    try (java.io.InputStream in = HelperPodMock.class.getResourceAsStream("pty_exec.py")) {
                        java.nio.file.Files.write(driver, in.readAllBytes());
                    }
                    fifo = dir.resolve("resize");
                    if (new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() != 0) {
                        throw new java.io.IOException("mkfifo " + fifo + " failed");
                    }
                    command = new ArrayList<>(List.of("python3", driver.toString(), fifo.toString(), "--"));
                    command.addAll(ranArgv);
                }
                ProcessBuilder pb = new ProcessBuilder(command);
                if (!withStdin) {
                    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
                }
                p = pb.start();
                if (tty) {
                    java.nio.file.Path f = fifo;
                    Process proc = p;
                    daemon("local-exec-resize", () -> applyResizes(f, proc));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exit.complete(-1);
                return;
            } catch (java.io.IOException e) {
                // what the API server relays when the runtime cannot start the command
                ws.status("{\"metadata\":{},\"status\":\"Failure\",\"message\":" + quote("failed to exec in container: " + e.getMessage())
                        + ",\"reason\":\"InternalError\"}");
                exit.complete(-1);
                return;
            }
            process = p;
            Thread in = daemon("local-exec-stdin", () -> {
                try (java.io.OutputStream to = p.getOutputStream()) {
                    while (true) {
                        byte[] chunk = stdin.take();
                        if (chunk == EOF) {
                            return;
                        }
                        to.write(chunk);
                        to.flush();
                    }
                } catch (java.io.IOException | InterruptedException e) {
                    // the process closed its stdin or ended
                }
            });
            Thread out = daemon("local-exec-stdout", () -> pump(p.getInputStream(), ws::stdout, null));
            Thread err = daemon("local-exec-stderr", () -> pump(p.getErrorStream(), ws::stderr, stderrCopy));
            daemon("local-exec-wait", () -> {
                try {
                    int code = p.waitFor();
                    out.join();
                    err.join();
                    exit.complete(code);
                    in.interrupt();
                    try {
                        ws.exit(code); // status frame in the API server's words, then close
                    } catch (RuntimeException e) {
                        // the client already closed the websocket
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }

        /** Channel 4 → "COLS ROWS" lines for pty_exec.py, which sets the terminal's size; the temp dir goes with the process. */
        private void applyResizes(java.nio.file.Path fifo, Process p) {
            try (java.io.OutputStream to = java.nio.file.Files.newOutputStream(fifo)) {
                while (p.isAlive()) {
                    String size = resizeQueue.poll(100, TimeUnit.MILLISECONDS);
                    if (size == null) {
                        continue;
                    }
                    JsonNode n = JSON.readTree(size);
                    to.write((n.path("Width").asInt() + " " + n.path("Height").asInt() + "\n").getBytes(StandardCharsets.US_ASCII));
                    to.flush();
                }
            } catch (java.io.IOException | InterruptedException e) {
                // the process ended
            } finally {
                try {
                    java.nio.file.Files.deleteIfExists(fifo.resolveSibling("pty_exec.py"));
                    java.nio.file.Files.deleteIfExists(fifo);
                    java.nio.file.Files.deleteIfExists(fifo.getParent());
                } catch (java.io.IOException e) {
                    // left in /tmp
                }
            }
        }

        private static void pump(java.io.InputStream from, java.util.function.Consumer<byte[]> to, ByteArrayOutputStream copy) {
            byte[] buf = new byte[32 * 1024];
            try {
                int n;
                while ((n = from.read(buf)) >= 0) {
                    if (n == 0) {
                        continue;
                    }
                    byte[] chunk = java.util.Arrays.copyOf(buf, n);
                    if (copy != null) {
                        synchronized (copy) {
                            copy.writeBytes(chunk);
                        }
                    }
                    try {
                        to.accept(chunk);
                    } catch (RuntimeException e) {
                        // the websocket is closed: the bytes are lost, as with the kubelet's stream; keep draining
                    }
                }
            } catch (java.io.IOException e) {
                // the process is gone
            }
        }

        private static String quote(String s) {
            try {
                return JSON.writeValueAsString(s);
            } catch (Exception e) {
                return "\"\"";
            }
        }

        private static Thread daemon(String name, Runnable r) {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            t.start();
            return t;
        }
    }

    private static final class Listener extends WebSocketListener {
        private final ExecHandler handler;
        private final List<String> argv;
        private final List<String> commandLines;
        /** A TTY exec carries its command line in the argv (PodNodeSession#shellArgv), no header on stdin. */
        private final boolean tty;
        private volatile ExecStream stream;

        Listener(ExecHandler handler, List<String> argv, List<String> commandLines, boolean tty) {
            this.handler = handler;
            this.argv = argv;
            this.commandLines = commandLines;
            this.tty = tty;
        }

        @Override
        public void onOpen(WebSocket ws, io.fabric8.mockwebserver.http.Response response) {
            stream = new ExecStream(ws);
            Thread t = new Thread(() -> {
                try {
                    if (tty) {
                        handler.serve(argv, stream);
                        return;
                    }
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
            } else if (bytes.length > 0 && bytes[0] == 4 && stream != null) {
                stream.resizes.add(new String(bytes, 1, bytes.length - 1, StandardCharsets.UTF_8));
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
