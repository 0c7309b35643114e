package io.k8scap.debug;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import io.k8scap.cluster.KubeClients;
import io.k8scap.cluster.Preflight;
import io.k8scap.cluster.ResolvedPod;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * {@code k8scap debug --via ephemeral}: adds an ephemeral container through the
 * {@code pods/ephemeralcontainers} subresource (a strategic merge patch, as kubectl debug sends),
 * waits for it to run, then execs a command in it or attaches a terminal to it.
 */
public final class EphemeralDebugger {
    /** Waiting reasons that will not resolve by waiting longer. */
    static final Set<String> FATAL_WAITING = Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull",
            "CreateContainerConfigError", "CreateContainerError", "RunContainerError");

    private final KubernetesClient client;
    private final Duration poll;

    public EphemeralDebugger(KubernetesClient client) {
        this(client, Duration.ofMillis(500));
    }

    EphemeralDebugger(KubernetesClient client, Duration poll) {
        this.client = client;
        this.poll = poll;
    }

    /**
     * The {@code debug --via ephemeral} session for {@code pod}: RBAC and PodSecurity checked, an
     * ephemeral container added (it cannot be removed again: {@link Debugger#close} does nothing),
     * waited for, then attached to (no command) or exec'd in.
     *
     * @param image       the debug container's image; null: {@link EphemeralSpec#DEFAULT_IMAGE}
     * @param profile     its capabilities; null: {@link Profile#general}
     * @param interactive no command: an attached TTY (checked as pods/attach rather than pods/exec)
     */
    public Debugger session(ResolvedPod pod, String image, Profile profile, Map<String, String> env, boolean interactive,
                            Duration timeout, Consumer<String> notices) {
        Profile p = profile == null ? Profile.general : profile;
        return new Debugger() {
            private EphemeralSpec ec;

            @Override
            public List<Preflight.Check> preflight(boolean report) {
                String ns = pod.namespace();
                Preflight checks = new Preflight(client);
                String adds = switch (p) {
                    case general -> "capability SYS_PTRACE";
                    case netadmin -> "capabilities NET_ADMIN and NET_RAW";
                    case sysadmin -> "a privileged container";
                };
                // baseline refuses every added capability these profiles use and privileged mode; restricted a root container as well
                return List.of(checks.can("get", "pods", null, ns),
                        checks.can("patch", "pods", "ephemeralcontainers", ns),
                        interactive ? checks.can("create", "pods", "attach", ns) : checks.can("create", "pods", "exec", ns),
                        checks.podSecurity(ns, p.name(), adds));
            }

            @Override
            public void start() {
                ec = new EphemeralSpec(EphemeralSpec.randomName(), image == null ? EphemeralSpec.DEFAULT_IMAGE : image,
                        pod.containerName(), p, env, interactive);
                notices.accept("warning: adding ephemeral container " + ec.name() + " (" + ec.image() + ", profile " + p + ") to pod "
                        + pod.key() + ": ephemeral containers cannot be removed from a pod; it stays in the pod spec until the pod is deleted");
                add(pod.namespace(), pod.name(), ec);
                notices.accept("waiting for " + ec.name() + " to start (up to " + human(timeout) + ")…");
                awaitRunning(pod.namespace(), pod.name(), ec.name(), timeout);
            }

            @Override
            public int attachOrRun(List<String> command, Supplier<LocalTerminal> terminal, OutputStream stdout, OutputStream stderr) {
                if (command.isEmpty()) {
                    notices.accept("attached to " + ec.name() + "; exit the shell to end (the container then stops)");
                    try (LocalTerminal t = terminal.get()) {
                        return attach(pod.namespace(), pod.name(), ec.name(), t);
                    }
                }
                return exec(pod.namespace(), pod.name(), ec.name(), command, stdout, stderr);
            }

            @Override
            public void close() {
                // an ephemeral container cannot be removed from a pod; it stops when its shell or command ends
            }
        };
    }

    /** The strategic merge patch body: only the new container; the server merges by name. */
    public static String patchBody(EphemeralSpec spec) {
        return Serialization.asJson(Map.of("spec", Map.of("ephemeralContainers", List.of(spec.build()))));
    }

    /** PATCHes pods/NAME/ephemeralcontainers. 404 (feature off, or an old server) → UNAVAILABLE naming --via node. */
    public void add(String namespace, String pod, EphemeralSpec spec) {
        try {
            client.pods().inNamespace(namespace).withName(pod).ephemeralContainers()
                    .patch(PatchContext.of(PatchType.STRATEGIC_MERGE), patchBody(spec));
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                throw new K8sCapException(ExitCode.UNAVAILABLE, "the API server does not serve pods/ephemeralcontainers for pod "
                        + namespace + "/" + pod + " (404): ephemeral containers need Kubernetes 1.23 or later; use --via node", e);
            }
            throw KubeClients.fromApi(e, "patch pods/ephemeralcontainers -n " + namespace);
        }
    }

    /**
     * Polls the pod until the ephemeral container runs. Image pull failures and other waiting
     * reasons that do not go away by themselves fail at once with the kubelet's message.
     *
     * @throws K8sCapException UNAVAILABLE on a fatal waiting reason, an early exit, or the timeout
     */
    public void awaitRunning(String namespace, String pod, String name, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "not reported yet";
        String who = "debug container " + name + " in pod " + namespace + "/" + pod;
        while (true) {
            Pod p;
            try {
                p = client.pods().inNamespace(namespace).withName(pod).get();
            } catch (KubernetesClientException e) {
                throw KubeClients.fromApi(e, "get pods/" + pod + " -n " + namespace);
            }
            if (p == null) {
                throw K8sCapException.notFound("pod " + namespace + "/" + pod + " disappeared while the debug container " + name + " was starting");
            }
            ContainerStatus s = p.getStatus() == null || p.getStatus().getEphemeralContainerStatuses() == null ? null
                    : p.getStatus().getEphemeralContainerStatuses().stream().filter(c -> name.equals(c.getName())).findFirst().orElse(null);
            ContainerState st = s == null ? null : s.getState();
            if (st != null && st.getRunning() != null) {
                return;
            }
            if (st != null && st.getWaiting() != null) {
                String reason = nz(st.getWaiting().getReason());
                String message = nz(st.getWaiting().getMessage());
                last = "waiting: " + (reason.isEmpty() ? "no reason given" : reason) + (message.isEmpty() ? "" : ": " + message);
                if (FATAL_WAITING.contains(reason)) {
                    throw K8sCapException.unavailable(who + " cannot start: " + reason + (message.isEmpty() ? "" : ": " + oneLine(message))
                            + (reason.contains("Image") ? "; check --image and that the node can pull it" : ""));
                }
            }
            if (st != null && st.getTerminated() != null) {
                var t = st.getTerminated();
                throw K8sCapException.unavailable(who + " exited before k8scap could use it (" + nz(t.getReason())
                        + ", exit code " + t.getExitCode() + (t.getMessage() == null ? "" : ": " + oneLine(t.getMessage()))
                        + "); an ephemeral container runs once: retry to add a new one");
            }
            if (System.nanoTime() >= deadline) {
                throw K8sCapException.unavailable(who + " did not start within " + human(timeout) + " (last state: " + oneLine(last)
                        + "); raise --timeout or look at kubectl describe pod " + pod + " -n " + namespace);
            }
            try {
                Thread.sleep(Math.max(1, Math.min(poll.toMillis(), (deadline - System.nanoTime()) / 1_000_000 + 1)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new K8sCapException(ExitCode.INTERRUPTED, "interrupted while waiting for " + who, e);
            }
        }
    }

    /** Runs {@code command} in the debug container (pods/exec) and returns its exit status from the status channel. */
    public int exec(String namespace, String pod, String name, List<String> command, OutputStream stdout, OutputStream stderr) {
        ExecWatch w;
        try {
            w = client.pods().inNamespace(namespace).withName(pod).inContainer(name)
                    .writingOutput(stdout).writingError(stderr).exec(command.toArray(String[]::new));
        } catch (KubernetesClientException e) {
            throw KubeClients.fromApi(e, "create pods/exec -n " + namespace);
        }
        try (w) {
            return status(w.exitCode(), "exec in " + name);
        }
    }

    /**
     * Attaches the terminal to the debug container's TTY (pods/attach) until it ends. The output is
     * copied by a thread of its own that is waited for (briefly) at the end: fabric8 writes to a
     * {@code writingOutput} stream asynchronously and drops pending writes when the websocket
     * closes, and the last line must reach the terminal before it is restored.
     */
    public int attach(String namespace, String pod, String name, LocalTerminal terminal) {
        ExecWatch w;
        try {
            w = client.pods().inNamespace(namespace).withName(pod).inContainer(name)
                    .redirectingInput().redirectingOutput().withTTY().attach();
        } catch (KubernetesClientException e) {
            throw KubeClients.fromApi(e, "create pods/attach -n " + namespace);
        }
        try (w) {
            Thread output = io.k8scap.node.OutputPump.start(w.getOutput(), terminal.output(), "k8scap-attach-output");
            // the handler first: a resize between the two would otherwise be lost (the user sees the
            // prompt as soon as the container has the first size)
            terminal.onResize(w::resize);
            w.resize(terminal.columns(), terminal.rows());
            CompletableFuture<Integer> done = w.exitCode();
            TerminalBridge.start(terminal.input(), w.getInput(), () -> !done.isDone());
            try {
                return status(done, "attach to " + name);
            } finally {
                drain(output, terminal.output());
            }
        }
    }

    private static void drain(Thread output, OutputStream to) {
        try {
            output.join(2000);
            to.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.io.IOException e) {
            // the terminal is gone
        }
    }

    private static int status(CompletableFuture<Integer> exit, String what) {
        try {
            Integer code = exit.get();
            if (code == null || code < 0) {
                throw K8sCapException.unavailable(what + " ended without an exit status from the API server; the command's result is unknown");
            }
            return code;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new K8sCapException(ExitCode.INTERRUPTED, "interrupted during " + what, e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof KubernetesClientException k) {
                throw KubeClients.fromApi(k, what);
            }
            throw K8sCapException.unavailable(what + " failed: " + (c == null ? e.getMessage() : c.getMessage()));
        }
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static String oneLine(String s) {
        String o = s.replaceAll("\\s+", " ").strip();
        return o.length() > 300 ? o.substring(0, 300) + "…" : o;
    }

    static String human(Duration d) {
        long s = d.toSeconds();
        if (s > 0 && s % 60 == 0) {
            return (s / 60) + "m";
        }
        return s > 0 ? s + "s" : d.toMillis() + "ms";
    }
}
