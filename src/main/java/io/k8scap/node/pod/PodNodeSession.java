package io.k8scap.node.pod;

import io.k8scap.node.PodAccessSettings;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ExecListener;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import io.k8scap.cluster.KubeClients;
import io.k8scap.node.NodeSession;
import io.k8scap.node.NodeShell;
import io.k8scap.node.NodeTarget;
import io.k8scap.node.Pty;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A node reached through a helper pod: each {@link #exec} is one {@code pods/exec} websocket into the
 * helper container (several may run at once), with stdout delivered byte for byte (pcap), stderr
 * separately, and the command's exit status from the exec status channel.
 *
 * <p>With {@link PodAccessSettings.Tools#NODE} the command line runs as
 * {@code nsenter -t 1 -m -u -i -n -p -- sh -c COMMANDLINE}: in the namespaces of the node's PID 1,
 * so with the node's own files and tools, exactly as the node's login shell runs it over SSH.
 *
 * <p>The command line does not travel in the exec URL (where a node script would be 25 KB of query
 * string: HTTP 414 from API servers and proxies, and the whole script in every audit-log entry). The
 * exec runs a fixed bootstrap, {@link #BOOTSTRAP}, and the command line follows on stdin as
 * {@code LENGTH\n} + the command line's UTF-8 bytes; the bootstrap reads exactly that many bytes
 * ({@code dd bs=1}, so nothing of the caller's stdin is consumed) and {@code exec sh -c}s them — the
 * same {@code sh -c COMMANDLINE} an SSH login shell runs.
 *
 * <p>stdin: streamed as it arrives. The exec protocol fabric8 speaks (v4.channel.k8s.io) cannot
 * half-close stdin, so the end of the caller's stdin is NOT seen by the command; the command sees EOF
 * when the exec stream closes (k8scap died, or the connection dropped). Node scripts that read stdin
 * must therefore end on an in-band message (capture.sh's "stop" line) — which is how they already
 * work over SSH. With a null stdin the command reads /dev/null.
 *
 * <p>{@link #shell} is the exception: an interactive command gets a TTY exec ({@code tty=true}) and
 * its command line travels in the exec URL, because a pseudo-terminal's line discipline would echo
 * the header back to the user's screen and cook it (see {@link #shellArgv}).
 *
 * <p>{@link #close()} ends open execs and deletes the helper pod.
 */
public final class PodNodeSession implements NodeSession {
    private final KubernetesClient client;
    private final HelperPod pod;
    private final NodeTarget target;
    private final PodAccessSettings settings;
    private final HelperPods pods;
    private final Set<ExecWatch> open = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Whether {@link #close()} deletes the helper pod (false for a {@link #withTools} view). */
    private final boolean ownsPod;

    PodNodeSession(KubernetesClient client, HelperPods pods, HelperPod pod, NodeTarget target, PodAccessSettings settings) {
        this(client, pods, pod, target, settings, true);
    }

    private PodNodeSession(KubernetesClient client, HelperPods pods, HelperPod pod, NodeTarget target, PodAccessSettings settings,
            boolean ownsPod) {
        this.ownsPod = ownsPod;
        this.client = client;
        this.pods = pods;
        this.pod = pod;
        this.target = target;
        this.settings = settings;
    }

    @Override
    public NodeTarget target() {
        return target;
    }

    /** Never: the helper is privileged and nsenter runs as root. */
    @Override
    public boolean sudo() {
        return false;
    }

    public HelperPod helperPod() {
        return pod;
    }

    /**
     * The same helper pod, its commands run with {@code tools} instead (e.g. the node's runtime CLIs
     * to find a container, then the helper image's tools to debug it). Closing the view ends only its
     * own execs; the helper pod stays until THIS session is closed.
     */
    public PodNodeSession withTools(PodAccessSettings.Tools tools) {
        return new PodNodeSession(client, pods, pod, target, settings.withTools(tools), false);
    }

    /**
     * Reads {@code LENGTH\n} then exactly LENGTH bytes (the command line) from stdin and runs them
     * with {@code sh -c}; the rest of stdin is the command's. {@code $1} = "stdin" or "null" (then the
     * command's stdin is /dev/null and the command is exec'd).
     *
     * <p>With stdin, the command is framed so that k8scap sends nothing after the API server's close
     * (fabric8 7.x fails the exec and loses the status frame when a stdin send meets that close): when
     * the command ends, the bootstrap writes {@code \001k8scap-end TOKEN STATUS} on stderr ({@code $2} =
     * TOKEN, random per exec) and waits for the line TOKEN on stdin, reading past whatever the caller's
     * stdin still carries; k8scap, seeing that record, stops forwarding the caller's stdin, sends
     * {@code \nTOKEN\n} and nothing more, and the bootstrap exits with the command's status. Nothing
     * is sent after that, so the status frame is read; the record's status is the answer should it be
     * lost anyway. The record is taken out of the stderr the caller sees. When the exec stream closes
     * before that (k8scap died), the wait reads EOF and ends.
     */
    public static final String BOOTSTRAP = "IFS= read -r n || exit 255; c=$(dd bs=1 count=\"$n\" 2>/dev/null) || exit 255; "
            + "if [ \"$1\" = null ]; then exec sh -c \"$c\" </dev/null; fi; "
            + "sh -c \"$c\"; r=$?; printf '\\001k8scap-end %s %d\\n' \"$2\" \"$r\" >&2; "
            + "while IFS= read -r l; do [ \"$l\" = \"$2\" ] && break; done; exit \"$r\"";

    /** The argv the helper container runs (the command line itself follows on stdin, see {@link #stdinHeader}). */
    public static List<String> argv(PodAccessSettings.Tools tools, boolean withStdin) {
        List<String> argv = new ArrayList<>();
        if (tools == PodAccessSettings.Tools.NODE) {
            argv.addAll(List.of("nsenter", "-t", "1", "-m", "-u", "-i", "-n", "-p", "--"));
        }
        argv.addAll(List.of("sh", "-c", BOOTSTRAP, "k8scap-exec", withStdin ? "stdin" : "null"));
        return argv;
    }

    /** The argv with stdin framed by {@code token} (see {@link #BOOTSTRAP}). */
    public static List<String> argv(PodAccessSettings.Tools tools, String token) {
        List<String> argv = argv(tools, true);
        argv.add(token);
        return argv;
    }

    /** A fresh token for {@link #BOOTSTRAP}'s end-of-command handshake. */
    static String newToken() {
        byte[] b = new byte[12];
        RANDOM.nextBytes(b);
        return "k8scap-ack-" + java.util.HexFormat.of().formatHex(b);
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    /**
     * Sets {@code TERM} to {@code $1} and runs {@code $2} (the command line) with {@code sh -c}: what
     * a TTY exec runs ({@code $1} and {@code $2} are positional parameters, never spliced).
     */
    public static final String SHELL_BOOTSTRAP = "TERM=$1; export TERM; exec sh -c \"$2\"";

    /**
     * The argv of a TTY exec for an interactive command: the command line as an argument (in the URL,
     * not on stdin: under a pseudo-terminal the header would be echoed to the user and cooked by the
     * line discipline), preceded by {@code nsenter -t 1 …} for the node's tools. The command lines
     * this carries are small ({@code debug.sh}: about 2 KB).
     */
    public static List<String> shellArgv(PodAccessSettings.Tools tools, String term, String commandLine) {
        List<String> argv = new ArrayList<>();
        if (tools == PodAccessSettings.Tools.NODE) {
            argv.addAll(List.of("nsenter", "-t", "1", "-m", "-u", "-i", "-n", "-p", "--"));
        }
        argv.addAll(List.of("sh", "-c", SHELL_BOOTSTRAP, "k8scap-shell", term, commandLine));
        return argv;
    }

    /** What is written on stdin before the caller's stdin: the command line, length-prefixed. */
    public static byte[] stdinHeader(String commandLine) {
        byte[] cl = commandLine.getBytes(StandardCharsets.UTF_8);
        byte[] len = (cl.length + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] h = new byte[len.length + cl.length];
        System.arraycopy(len, 0, h, 0, len.length);
        System.arraycopy(cl, 0, h, len.length, cl.length);
        return h;
    }

    private String where() {
        return "helper pod " + pod.key() + " on node " + target.name();
    }

    @Override
    public int exec(String commandLine, InputStream stdin, OutputStream stdout, OutputStream stderr) {
        if (closed.get()) {
            throw new K8sCapException(ExitCode.FAILURE, "the session to " + where() + " is already closed");
        }
        OutputStream out = stdout == null ? OutputStream.nullOutputStream() : stdout;
        String token = stdin == null ? null : newToken();
        EndRecord endRecord = new EndRecord(token);
        StderrHead err = new StderrHead(stderr == null ? OutputStream.nullOutputStream() : stderr, endRecord);
        ExecEnd end = new ExecEnd();
        String[] argv = (stdin == null ? argv(settings.tools(), false) : argv(settings.tools(), token)).toArray(String[]::new);
        ExecWatch watch;
        try {
            watch = client.pods().inNamespace(pod.namespace()).withName(pod.name()).inContainer(HelperPods.CONTAINER)
                    .redirectingInput().writingOutput(out).writingError(err).usingListener(end).exec(argv);
        } catch (KubernetesClientException e) {
            if (Thread.currentThread().isInterrupted() || e.getCause() instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                throw new K8sCapException(ExitCode.INTERRUPTED, "interrupted while starting a command in " + where(), e);
            }
            if (e.getCode() == 404) {
                throw new K8sCapException(ExitCode.UNAVAILABLE, where() + " is gone (deleted, or its deadline passed); run the command again", e);
            }
            throw KubeClients.fromApi(e, "create pods/exec " + pod.name() + " -n " + pod.namespace());
        }
        try {
            watch.getInput().write(stdinHeader(commandLine));
            watch.getInput().flush();
        } catch (IOException e) {
            watch.close();
            throw dropped(e);
        }
        open.add(watch);
        // the caller's stdin, flushed chunk by chunk (heartbeats must not wait in a buffer); its EOF
        // cannot be forwarded over v4.channel.k8s.io (see the class comment)
        StdinGate gate = new StdinGate(watch.getInput());
        endRecord.onEnd(() -> gate.finish(token));
        Thread pump = stdin == null ? null : io.k8scap.node.OutputPump.start(stdin, gate, "k8scap-exec-stdin-" + pod.name());
        try {
            Integer code;
            try {
                code = watch.exitCode().get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new K8sCapException(ExitCode.INTERRUPTED, "interrupted while running a command in " + where(), e);
            } catch (ExecutionException e) {
                code = endRecord.status() != null ? endRecord.status() : statusAfterSendFailure(e.getCause(), end);
            }
            flush(out);
            flush(err);
            if ((code == null || code < 0 && end.exitStatus.get() == null) && endRecord.status() != null) {
                code = endRecord.status(); // the command ended and said so; only the status frame was lost
            }
            if (code == null) {
                throw dropped(end.failure.get());
            }
            if (code < 0) {
                if (end.exitStatus.get() == null) {
                    throw dropped(end.failure.get()); // closed abnormally, no status frame
                }
                throw notRun(end.exitStatus.get(), err);
            }
            return code;
        } finally {
            if (pump != null) {
                pump.interrupt();
            }
            open.remove(watch);
            watch.close();
        }
    }

    /**
     * Starts {@code commandLine} under a pseudo-terminal in the helper container: a pods/exec with
     * {@code tty=true} and stdin, its output (stdout and stderr merged by the remote terminal) into
     * {@code output}, the window size sent at once on the resize channel.
     */
    @Override
    public NodeShell shell(String commandLine, Pty pty, OutputStream output) {
        if (closed.get()) {
            throw new K8sCapException(ExitCode.FAILURE, "the session to " + where() + " is already closed");
        }
        ExecEnd end = new ExecEnd();
        String[] argv = shellArgv(settings.tools(), pty.term(), commandLine).toArray(String[]::new);
        ExecWatch watch;
        try {
            watch = client.pods().inNamespace(pod.namespace()).withName(pod.name()).inContainer(HelperPods.CONTAINER)
                    .redirectingInput().redirectingOutput().withTTY().usingListener(end).exec(argv);
        } catch (KubernetesClientException e) {
            if (Thread.currentThread().isInterrupted() || e.getCause() instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                throw new K8sCapException(ExitCode.INTERRUPTED, "interrupted while starting a shell in " + where(), e);
            }
            if (e.getCode() == 404) {
                throw new K8sCapException(ExitCode.UNAVAILABLE, where() + " is gone (deleted, or its deadline passed); run the command again", e);
            }
            throw KubeClients.fromApi(e, "create pods/exec " + pod.name() + " -n " + pod.namespace());
        }
        open.add(watch);
        Thread pump = io.k8scap.node.OutputPump.start(watch.getOutput(), output, "k8scap-shell-output-" + pod.name());
        watch.resize(pty.columns(), pty.rows());
        return new PodShell(watch, output, pump, end);
    }

    /** An interactive command running under the helper container's pseudo-terminal. */
    private final class PodShell implements NodeShell {
        private final ExecWatch watch;
        private final OutputStream output;
        private final Thread pump;
        private final ExecEnd end;

        PodShell(ExecWatch watch, OutputStream output, Thread pump, ExecEnd end) {
            this.watch = watch;
            this.output = output;
            this.pump = pump;
            this.end = end;
        }

        @Override
        public OutputStream input() {
            return watch.getInput();
        }

        @Override
        public void resize(int columns, int rows) {
            if (isOpen()) {
                watch.resize(columns, rows);
            }
        }

        @Override
        public boolean isOpen() {
            return !watch.exitCode().isDone() && end.ended.getCount() > 0;
        }

        @Override
        public int waitFor() {
            Integer code;
            try {
                code = watch.exitCode().get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new K8sCapException(ExitCode.INTERRUPTED, "interrupted during the shell in " + where(), e);
            } catch (ExecutionException e) {
                code = statusAfterSendFailure(e.getCause(), end);
            }
            drain();
            if (code == null) {
                throw dropped(end.failure.get());
            }
            if (code < 0) {
                if (end.exitStatus.get() == null) {
                    throw dropped(end.failure.get());
                }
                Status st = end.exitStatus.get();
                throw K8sCapException.unavailable("the shell could not run in " + where() + ": "
                        + HelperPods.oneLine(st.getMessage() == null ? String.valueOf(st.getReason()) : st.getMessage()));
            }
            return code;
        }

        /** Waits (briefly) for the output received before the status to reach the terminal. */
        private void drain() {
            try {
                pump.join(OUTPUT_DRAIN.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new K8sCapException(ExitCode.INTERRUPTED, "interrupted during the shell in " + where(), e);
            }
            flush(output);
        }

        @Override
        public void close() {
            open.remove(watch);
            watch.close();
            pump.interrupt();
        }
    }

    /** How long the end of a shell waits for its last output (the stream ends when the exec closes). */
    static final java.time.Duration OUTPUT_DRAIN = java.time.Duration.ofSeconds(2);

    /** How an exec ended, as its listener heard it: the status frame, a failure, or a close. */
    private static final class ExecEnd implements ExecListener {
        final AtomicReference<Status> exitStatus = new AtomicReference<>();
        final AtomicReference<Integer> statusCode = new AtomicReference<>();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final CountDownLatch ended = new CountDownLatch(1);

        @Override
        public void onFailure(Throwable t, Response response) {
            failure.set(t);
            ended.countDown();
        }

        @Override
        public void onClose(int code, String reason) {
            // the exit code future completes too (null when no status frame came)
            ended.countDown();
        }

        @Override
        public void onExit(int code, Status status) {
            exitStatus.set(status);
            statusCode.set(code);
            ended.countDown();
        }
    }

    /**
     * fabric8 fails the exit-code future when a stdin write finds the websocket closed ("could not
     * send") — which also happens when the command has just ENDED: the API server sends the status
     * frame and closes at once, and a heartbeat or "stop" written in that instant fails before the
     * status frame, already received, has been handled. Usually the status frame still reaches the
     * listener, so it is waited for (briefly: a dropped connection ends the wait via the listener,
     * or the timeout) and wins. fabric8 7.x may, once the future has failed, stop handling
     * incoming frames and lose the status: {@link #exec} therefore frames stdin (see {@link #BOOTSTRAP})
     * so that no send meets the close; this wait is left for the shell, whose stdin is the user's keys.
     */
    private Integer statusAfterSendFailure(Throwable cause, ExecEnd end) {
        if (!(cause instanceof IOException)) {
            throw dropped(cause);
        }
        try {
            end.ended.await(STATUS_AFTER_SEND_FAILURE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new K8sCapException(ExitCode.INTERRUPTED, "interrupted while running a command in " + where(), e);
        }
        Integer code = end.statusCode.get();
        if (code == null) {
            throw dropped(cause);
        }
        return code;
    }

    /** How long a failed stdin write waits for the status frame that may already be on its way. */
    static final java.time.Duration STATUS_AFTER_SEND_FAILURE = java.time.Duration.ofSeconds(2);

    private K8sCapException dropped(Throwable cause) {
        String why = cause == null ? "no exit status arrived" : HelperPods.oneLine(String.valueOf(cause.getMessage()));
        return new K8sCapException(ExitCode.UNAVAILABLE, "the exec into " + where() + " was dropped (" + why
                + "); the command on the node stops when its stdin closes; check the API server's exec/idle timeouts and retry", cause);
    }

    /** The status channel said Failure without an exit code: the command did not run at all. */
    private K8sCapException notRun(Status status, StderrHead err) {
        String msg = status == null || status.getMessage() == null ? err.head() : status.getMessage();
        if (settings.tools() == PodAccessSettings.Tools.NODE && msg.contains("nsenter") && (msg.contains("not found") || msg.contains("no such file"))) {
            return K8sCapException.unavailable("helper image " + settings.image() + " has no nsenter (" + where()
                    + "); use an image with util-linux nsenter via --helper-image");
        }
        return K8sCapException.unavailable("the command could not run in " + where() + ": " + HelperPods.oneLine(msg));
    }

    private static void flush(OutputStream out) {
        try {
            out.flush();
        } catch (IOException e) {
            // the caller's stream is gone
        }
    }

    /** Ends open execs and deletes the helper pod (a {@link #withTools} view leaves the pod alone). */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (ExecWatch w : open) {
            w.close();
        }
        open.clear();
        if (ownsPod) {
            pods.delete(pod);
        }
    }

    /**
     * Takes {@link #BOOTSTRAP}'s end record ({@code \001k8scap-end TOKEN STATUS\n}) out of stderr and
     * reports it once. Bytes that may begin the record are held back until they match it or not.
     */
    static final class EndRecord {
        private final byte[] prefix;
        private final java.io.ByteArrayOutputStream held = new java.io.ByteArrayOutputStream();
        private volatile Integer status;
        private Runnable onEnd = () -> { };
        private boolean done;

        EndRecord(String token) {
            prefix = token == null ? null : ("\001k8scap-end " + token + " ").getBytes(StandardCharsets.US_ASCII);
        }

        synchronized void onEnd(Runnable r) {
            onEnd = r;
        }

        /** The command's status from the record, once it arrived. */
        Integer status() {
            return status;
        }

        /** The bytes of {@code b} that are the command's stderr (held-back bytes that turned out not to be the record included). */
        synchronized byte[] filter(byte[] b, int off, int len) {
            if (prefix == null || done) {
                return java.util.Arrays.copyOfRange(b, off, off + len);
            }
            java.io.ByteArrayOutputStream pass = new java.io.ByteArrayOutputStream();
            for (int i = off; i < off + len; i++) {
                byte c = b[i];
                int h = held.size();
                if (done) {
                    pass.write(c);
                } else if (h < prefix.length) {
                    if (c == prefix[h]) {
                        held.write(c);
                    } else {
                        flushHeld(pass, c);
                    }
                } else if (c == '\n' && h > prefix.length) {
                    String digits = new String(held.toByteArray(), prefix.length, h - prefix.length, StandardCharsets.US_ASCII);
                    held.reset();
                    done = true;
                    status = Integer.valueOf(digits);
                    Thread t = new Thread(onEnd, "k8scap-exec-end");
                    t.setDaemon(true);
                    t.start();
                } else if (c >= '0' && c <= '9' && h - prefix.length < 4) {
                    held.write(c);
                } else {
                    flushHeld(pass, c);
                }
            }
            return pass.toByteArray();
        }

        private void flushHeld(java.io.ByteArrayOutputStream pass, byte c) {
            pass.writeBytes(held.toByteArray());
            held.reset();
            if (c == prefix[0]) {
                held.write(c);
            } else {
                pass.write(c);
            }
        }
    }

    /**
     * The caller's stdin on its way to the exec, until the command has ended: then the end-of-command
     * token is sent and nothing after it (see {@link #BOOTSTRAP}).
     */
    static final class StdinGate extends OutputStream {
        private final OutputStream to;
        private boolean finished;

        StdinGate(OutputStream to) {
            this.to = to;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            if (!finished) {
                to.write(b, off, len);
            }
        }

        @Override
        public synchronized void flush() throws IOException {
            if (!finished) {
                to.flush();
            }
        }

        /** Sends {@code \nTOKEN\n}, then drops whatever the caller's stdin still brings. */
        synchronized void finish(String token) {
            if (finished) {
                return;
            }
            finished = true;
            try {
                to.write(("\n" + token + "\n").getBytes(StandardCharsets.US_ASCII));
                to.flush();
            } catch (IOException e) {
                // the exec is gone: the record's status is the answer
            }
        }
    }

    /** Passes stderr through, keeping its first bytes for messages. */
    static final class StderrHead extends OutputStream {
        private static final int KEEP = 2048;
        private final OutputStream out;
        private final EndRecord end;
        private final StringBuilder head = new StringBuilder();

        StderrHead(OutputStream out) {
            this(out, new EndRecord(null));
        }

        StderrHead(OutputStream out, EndRecord end) {
            this.out = out;
            this.end = end;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            byte[] passed = end.filter(b, off, len);
            if (passed.length > 0) {
                pass(passed, 0, passed.length);
            }
        }

        private void pass(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            synchronized (head) {
                int n = Math.min(len, KEEP - head.length());
                if (n > 0) {
                    head.append(new String(b, off, n, StandardCharsets.ISO_8859_1));
                }
            }
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        String head() {
            synchronized (head) {
                return head.toString();
            }
        }
    }
}
