package io.k8scap.node.pod;

import io.k8scap.node.PodAccessSettings;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8scap.cluster.Preflight;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import io.k8scap.cluster.KubeClients;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The helper pod's spec, its start (create, wait for Running, fail fast with the kubelet's reason)
 * and its removal. Every pod created here is registered with {@link Reaper} until it is deleted, so
 * Ctrl+C or SIGTERM still removes it (JVM shutdown hook).
 */
public final class HelperPods {
    public static final String CONTAINER = "helper";
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY_VALUE = "k8scap";
    public static final String COMPONENT = "app.kubernetes.io/component";
    public static final String COMPONENT_VALUE = "node-helper";
    public static final String SESSION_LABEL = "k8scap.io/session";
    public static final String NODE_LABEL = "k8scap.io/node";
    /** The full node name (the label holds at most 63 characters of it). */
    public static final String NODE_ANNOTATION = "k8scap.io/node";
    public static final String CREATED_ANNOTATION = "k8scap.io/created";
    public static final String DEADLINE_ANNOTATION = "k8scap.io/deadline";
    /** Label selector of every helper pod (what {@code k8scap gc} lists). */
    public static final String SELECTOR = MANAGED_BY + "=" + MANAGED_BY_VALUE + "," + COMPONENT + "=" + COMPONENT_VALUE;

    /** Waiting reasons after which the container will not start without someone changing something. */
    static final Set<String> FATAL_WAITING = Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull",
            "CreateContainerConfigError", "CreateContainerError", "RunContainerError", "CrashLoopBackOff", "PreCreateHookError",
            "PreStartHookError");

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789"; // as Kubernetes' generateName: no vowels, no 0/1/3

    private final KubernetesClient client;
    private final Consumer<String> notices;
    private final Duration pollInterval;

    public HelperPods(KubernetesClient client, Consumer<String> notices) {
        this(client, notices, Duration.ofMillis(500));
    }

    HelperPods(KubernetesClient client, Consumer<String> notices, Duration pollInterval) {
        this.client = client;
        this.notices = notices;
        this.pollInterval = pollInterval;
    }

    /** A new random session id (one per k8scap run), the value of {@link #SESSION_LABEL}. */
    public static String newSessionId() {
        return random(10);
    }

    /** The pod name for {@code node}: {@code k8scap-helper-<node-ish>-<random>}, at most 63 characters. */
    static String podName(String node) {
        String ish = node.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-");
        if (ish.length() > 42) {
            ish = ish.substring(0, 42);
        }
        ish = ish.replaceAll("^-+|-+$", "");
        return "k8scap-helper-" + (ish.isEmpty() ? "node" : ish) + "-" + random(6);
    }

    /** A label value for {@code s}: at most 63 of [A-Za-z0-9._-], starting and ending alphanumeric. */
    static String labelValue(String s) {
        String v = s.replaceAll("[^A-Za-z0-9._-]", "_");
        if (v.length() > 63) {
            v = v.substring(0, 63);
        }
        return v.replaceAll("^[^A-Za-z0-9]+|[^A-Za-z0-9]+$", "");
    }

    private static String random(int n) {
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return b.toString();
    }

    /**
     * The helper pod for {@code node}: pinned there (nodeName, so no scheduler and no taint can keep
     * it off), the node's PID and network namespaces, privileged (nsenter into PID 1, tcpdump on any
     * interface), tolerating every taint, alive at most {@code lifetime + GRACE}, tiny requests, no
     * API token.
     */
    public static Pod spec(String namespace, String node, String session, PodAccessSettings settings, Instant now) {
        long deadlineSeconds = settings.activeDeadlineSeconds();
        Instant created = now.truncatedTo(ChronoUnit.SECONDS);
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(MANAGED_BY, MANAGED_BY_VALUE);
        labels.put(COMPONENT, COMPONENT_VALUE);
        labels.put(SESSION_LABEL, labelValue(session));
        labels.put(NODE_LABEL, labelValue(node));
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(NODE_ANNOTATION, node);
        annotations.put(CREATED_ANNOTATION, created.toString());
        annotations.put(DEADLINE_ANNOTATION, created.plusSeconds(deadlineSeconds).toString());
        return new PodBuilder()
                .withNewMetadata().withName(podName(node)).withNamespace(namespace).withLabels(labels).withAnnotations(annotations).endMetadata()
                .withNewSpec()
                .withNodeName(node)
                .withHostPID(true)
                .withHostNetwork(true)
                .withRestartPolicy("Never")
                .withActiveDeadlineSeconds(deadlineSeconds)
                .withTerminationGracePeriodSeconds(1L)
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                .withTolerations(new TolerationBuilder().withOperator("Exists").build())
                .addNewContainer()
                .withName(CONTAINER)
                .withImage(settings.image())
                .withImagePullPolicy("IfNotPresent")
                // Lives only until the deadline even if nobody deletes it (and activeDeadlineSeconds backs that up).
                .withCommand("sleep", Long.toString(deadlineSeconds))
                .withNewSecurityContext().withPrivileged(true).endSecurityContext()
                .withNewResources()
                .addToRequests("cpu", new Quantity("10m"))
                .addToRequests("memory", new Quantity("32Mi"))
                .endResources()
                .endContainer()
                .endSpec()
                .build();
    }

    /** What the pod created from {@link #spec} says about itself. */
    public static HelperPod describe(Pod pod) {
        Map<String, String> a = pod.getMetadata().getAnnotations() == null ? Map.of() : pod.getMetadata().getAnnotations();
        Map<String, String> l = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        String node = a.getOrDefault(NODE_ANNOTATION, pod.getSpec() == null ? null : pod.getSpec().getNodeName());
        Instant created = instant(a.get(CREATED_ANNOTATION));
        if (created == null) {
            created = instant(pod.getMetadata().getCreationTimestamp());
        }
        Instant deadline = instant(a.get(DEADLINE_ANNOTATION));
        if (deadline == null && created != null && pod.getSpec() != null && pod.getSpec().getActiveDeadlineSeconds() != null) {
            deadline = created.plusSeconds(pod.getSpec().getActiveDeadlineSeconds());
        }
        return new HelperPod(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), node, l.get(SESSION_LABEL), created, deadline);
    }

    private static Instant instant(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * Creates the helper pod, registers it for removal on JVM exit, and waits until it is Running.
     * On any failure the pod is deleted before the exception leaves.
     *
     * @throws K8sCapException DENIED (RBAC, PodSecurity), UNAVAILABLE (image, node, timeout), INTERRUPTED
     */
    public HelperPod start(String namespace, String node, String session, PodAccessSettings settings) {
        Pod pod = spec(namespace, node, session, settings, Instant.now());
        Pod created;
        try {
            created = client.pods().inNamespace(namespace).resource(pod).create();
        } catch (KubernetesClientException e) {
            throw Preflight.refusal(e, namespace, "create pods -n " + namespace);
        }
        HelperPod helper = describe(created == null ? pod : created);
        Reaper.register(client, helper);
        boolean ok = false;
        try {
            awaitRunning(helper, settings);
            ok = true;
            return helper;
        } finally {
            if (!ok) {
                delete(helper);
            }
        }
    }

    /** Polls the pod until Running; fails at once on a reason that will not go away by itself. */
    void awaitRunning(HelperPod helper, PodAccessSettings settings) {
        long end = System.nanoTime() + settings.startTimeout().toNanos();
        Start last = null;
        while (true) {
            Pod pod;
            try {
                pod = client.pods().inNamespace(helper.namespace()).withName(helper.name()).get();
            } catch (KubernetesClientException e) {
                throw KubeClients.fromApi(e, "get pods/" + helper.name() + " -n " + helper.namespace());
            }
            last = check(pod);
            switch (last.state()) {
                case RUNNING -> {
                    return;
                }
                case FAILED -> throw K8sCapException.unavailable("helper pod " + helper.key() + " on node " + helper.node()
                        + " cannot start: " + last.reason() + hint(last, settings));
                case WAITING -> { }
            }
            if (System.nanoTime() - end > 0) {
                throw K8sCapException.unavailable("helper pod " + helper.key() + " on node " + helper.node() + " is not Running after "
                        + settings.startTimeout().toSeconds() + " s (" + last.reason() + "); check kubectl -n " + helper.namespace()
                        + " describe pod " + helper.name() + ", or use --via ssh");
            }
            try {
                Thread.sleep(pollInterval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new K8sCapException(ExitCode.INTERRUPTED, "interrupted while waiting for helper pod " + helper.key()
                        + " on node " + helper.node(), e);
            }
        }
    }

    private static String hint(Start s, PodAccessSettings settings) {
        String r = s.reason();
        if (r.startsWith("ErrImagePull") || r.startsWith("ImagePullBackOff") || r.startsWith("InvalidImageName") || r.startsWith("ErrImageNeverPull")) {
            return "; the node cannot pull " + settings.image() + ": pass --helper-image with an image it can pull (e.g. a mirror in your registry)";
        }
        return "";
    }

    /** Where a pod is on its way to Running. */
    enum State { WAITING, RUNNING, FAILED }

    /** @param reason one line: the kubelet's or scheduler's reason and message */
    record Start(State state, String reason) {}

    /** Pure reading of a helper pod's status. */
    static Start check(Pod pod) {
        if (pod == null) {
            return new Start(State.FAILED, "it was deleted while starting");
        }
        if (pod.getMetadata() != null && pod.getMetadata().getDeletionTimestamp() != null) {
            return new Start(State.FAILED, "it is being deleted");
        }
        var status = pod.getStatus();
        if (status == null) {
            return new Start(State.WAITING, "no status yet");
        }
        String phase = status.getPhase() == null ? "" : status.getPhase();
        if (phase.equals("Failed") || phase.equals("Succeeded")) {
            return new Start(State.FAILED, "phase " + phase + both(status.getReason(), status.getMessage()));
        }
        List<PodCondition> conditions = status.getConditions() == null ? List.of() : status.getConditions();
        for (PodCondition c : conditions) {
            if ("PodScheduled".equals(c.getType()) && "False".equals(c.getStatus()) && "Unschedulable".equals(c.getReason())) {
                return new Start(State.FAILED, "Unschedulable" + colon(c.getMessage()));
            }
        }
        List<ContainerStatus> cs = status.getContainerStatuses() == null ? List.of() : status.getContainerStatuses();
        for (ContainerStatus c : cs) {
            if (!CONTAINER.equals(c.getName()) || c.getState() == null) {
                continue;
            }
            if (c.getState().getRunning() != null && phase.equals("Running")) {
                return new Start(State.RUNNING, "Running");
            }
            if (c.getState().getTerminated() != null) {
                var t = c.getState().getTerminated();
                return new Start(State.FAILED, "container exited (" + (t.getReason() == null ? "exit " + t.getExitCode() : t.getReason()) + ")"
                        + colon(t.getMessage()));
            }
            ContainerStateWaiting w = c.getState().getWaiting();
            if (w != null && w.getReason() != null) {
                String line = w.getReason() + colon(w.getMessage());
                return new Start(FATAL_WAITING.contains(w.getReason()) ? State.FAILED : State.WAITING, line);
            }
        }
        return new Start(State.WAITING, phase.isEmpty() ? "no phase yet" : "phase " + phase);
    }

    private static String colon(String message) {
        return message == null || message.isBlank() ? "" : ": " + oneLine(message);
    }

    private static String both(String reason, String message) {
        return (reason == null || reason.isBlank() ? "" : " (" + oneLine(reason) + ")") + colon(message);
    }

    public static String oneLine(String s) {
        return Preflight.oneLine(s);
    }

    /**
     * Deletes the helper pod (grace period 1 s) and forgets it. Never throws: a pod that cannot be
     * deleted is named on notices with its deadline and {@code k8scap gc}. Also when the calling
     * thread was interrupted (the usual way a session ends early): the client would otherwise give up
     * on the request at once and leave the pod behind; the interrupt is kept for the caller.
     */
    public void delete(HelperPod helper) {
        boolean interrupted = Thread.interrupted();
        try {
            client.pods().inNamespace(helper.namespace()).withName(helper.name()).withGracePeriod(1).delete();
        } catch (RuntimeException e) {
            notices.accept("could not delete helper pod " + helper.key() + " on node " + helper.node() + " ("
                    + oneLine(String.valueOf(e.getMessage())) + "); it stops by itself at " + helper.deadline()
                    + ", and k8scap gc removes it after that");
        } finally {
            Reaper.forget(helper);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
