package io.k8scap.cluster;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Turns what the user typed (pod names, {@code kind/name}, bare workload words, {@code -l}) into
 * running pods and the container to work on. Says on {@code notices} which pods it chose and why;
 * never guesses silently. Every failure is a one-line {@link K8sCapException}.
 *
 * <p>An exact pod name must be usable, or resolution fails. Pods found through a workload, a
 * service, a selector or a name prefix that are not usable (Pending, finished, container not
 * running) are skipped with a notice; resolution fails only if none is left.
 */
public final class TargetResolver {
    /** kubectl's annotation naming the container commands default to. */
    public static final String DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container";
    /** The label EndpointSlices carry with their Service's name. */
    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    private static final int MAX_LISTED = 8;

    private final KubernetesClient client;
    private final Consumer<String> notices;

    public TargetResolver(KubernetesClient client, Consumer<String> notices) {
        this.client = Objects.requireNonNull(client, "client");
        this.notices = Objects.requireNonNull(notices, "notices");
    }

    private record Scope(String namespace, boolean all) {
        String flag() {
            return all ? "-A" : "-n " + namespace;
        }

        String where() {
            return all ? "in any namespace" : "in namespace " + Text.safe(namespace);
        }
    }

    /** Pods found for one target; {@code exact} when the user named the pod itself. */
    private record Found(List<Pod> pods, boolean exact) {
    }

    public List<ResolvedPod> resolve(TargetQuery q) {
        String ns = q.namespace() == null || q.namespace().isBlank() ? "default" : q.namespace();
        Scope scope = new Scope(ns, q.allNamespaces());
        boolean hasSelector = q.selector() != null && !q.selector().isBlank();
        if (hasSelector && !q.targets().isEmpty()) {
            throw new K8sCapException(ExitCode.USAGE, "give either names (" + Text.list(q.targets()) + ") or -l "
                    + Text.safe(q.selector()) + ", not both");
        }
        if (!hasSelector && q.targets().isEmpty()) {
            throw new K8sCapException(ExitCode.USAGE,
                    "name a pod, a workload (" + WorkloadKind.accepted() + "NAME) or pods by label (-l app=NAME)");
        }
        String container = q.container() == null || q.container().isBlank() ? null : q.container();
        Map<String, ResolvedPod> out = new LinkedHashMap<>();
        if (hasSelector) {
            List<Pod> pods = bySelector(scope, q.selector().trim());
            notices.accept("-l " + Text.safe(q.selector()) + ": " + Text.count(pods.size(), "pod") + " " + scope.where()
                    + ": " + names(pods, scope.all()));
            addGroup(out, pods, container, "-l " + Text.safe(q.selector()));
        }
        for (String target : q.targets()) {
            Found f = find(target == null ? "" : target.trim(), scope);
            if (f.exact()) {
                Pod p = f.pods().get(0);
                ResolvedPod r = toResolved(p, container);
                out.putIfAbsent(r.key(), r);
            } else {
                addGroup(out, f.pods(), container, Text.safe(target));
            }
        }
        return List.copyOf(out.values());
    }

    /**
     * What {@code word} names exactly in {@code namespace}, as a bare target would find it (a pod,
     * else a workload; no prefix match): e.g. "pod web-1" or "deployment web"; empty when nothing.
     * For messages that ask the user which one was meant.
     */
    public java.util.Optional<String> exactly(String word, String namespace) {
        Scope scope = new Scope(namespace == null || namespace.isBlank() ? "default" : namespace, false);
        if (!named(WorkloadKind.POD, word, scope).isEmpty()) {
            return java.util.Optional.of("pod " + Text.safe(word));
        }
        for (WorkloadKind kind : WorkloadKind.BARE_WORD_ORDER) {
            if (!named(kind, word, scope).isEmpty()) {
                return java.util.Optional.of(kind.singular() + " " + Text.safe(word));
            }
        }
        return java.util.Optional.empty();
    }

    // ---- what a target names --------------------------------------------------------------

    private Found find(String target, Scope scope) {
        if (target.isEmpty()) {
            throw new K8sCapException(ExitCode.USAGE, "empty target; name a pod, a workload (" + WorkloadKind.accepted()
                    + "NAME) or use -l");
        }
        int slash = target.indexOf('/');
        if (slash >= 0) {
            String kindText = target.substring(0, slash);
            String name = target.substring(slash + 1);
            WorkloadKind kind = WorkloadKind.parse(kindText).orElseThrow(() -> new K8sCapException(ExitCode.USAGE,
                    "unknown kind '" + Text.safe(kindText) + "' in " + Text.safe(target) + "; use one of "
                            + WorkloadKind.accepted()));
            if (name.isEmpty() || name.contains("/")) {
                throw new K8sCapException(ExitCode.USAGE, "'" + Text.safe(target) + "' is not KIND/NAME; e.g. deploy/web");
            }
            List<HasMetadata> found = named(kind, name, scope);
            if (found.isEmpty()) {
                throw notFound(kind.singular() + " '" + Text.safe(name) + "' not found", name, scope, List.of(kind));
            }
            HasMetadata obj = one(found, kind, name);
            if (kind == WorkloadKind.POD) {
                return new Found(List.of((Pod) obj), true);
            }
            return new Found(podsOfAndTell(target, kind, obj), false);
        }

        List<HasMetadata> pods = named(WorkloadKind.POD, target, scope);
        if (!pods.isEmpty()) {
            return new Found(List.of((Pod) one(pods, WorkloadKind.POD, target)), true);
        }
        List<String> matches = new ArrayList<>();
        HasMetadata workload = null;
        WorkloadKind workloadKind = null;
        for (WorkloadKind kind : WorkloadKind.BARE_WORD_ORDER) {
            for (HasMetadata w : named(kind, target, scope)) {
                matches.add(kind.shortName() + "/" + Text.safe(target)
                        + (scope.all() ? " -n " + Text.safe(w.getMetadata().getNamespace()) : ""));
                if (workload == null) {
                    workload = w;
                    workloadKind = kind;
                }
            }
        }
        if (matches.size() > 1) {
            throw new K8sCapException(ExitCode.USAGE, "'" + Text.safe(target) + "' names several workloads " + scope.where()
                    + ": " + String.join(", ", matches) + "; pick one, e.g. " + matches.get(0));
        }
        if (workload != null) {
            return new Found(podsOfAndTell(target, workloadKind, workload), false);
        }
        String prefix = target + "-";
        List<Pod> prefixed = listPods(scope, null).stream()
                .filter(p -> p.getMetadata().getName().startsWith(prefix))
                .collect(Collectors.toList());
        if (!prefixed.isEmpty()) {
            notices.accept("no pod or workload named " + Text.safe(target) + " " + scope.where()
                    + "; using pods whose name starts with " + Text.safe(prefix) + ": " + names(prefixed, scope.all()));
            return new Found(prefixed, false);
        }
        throw notFound("no pod or workload named '" + Text.safe(target) + "'", target, scope,
                List.of(WorkloadKind.POD, WorkloadKind.DEPLOYMENT, WorkloadKind.STATEFULSET, WorkloadKind.DAEMONSET,
                        WorkloadKind.JOB));
    }

    /** With -A a name may exist in several namespaces: that is for the user to pick. */
    private HasMetadata one(List<HasMetadata> found, WorkloadKind kind, String name) {
        if (found.size() > 1) {
            List<String> nss = found.stream().map(o -> o.getMetadata().getNamespace()).collect(Collectors.toList());
            throw new K8sCapException(ExitCode.USAGE, kind.shortName() + "/" + Text.safe(name) + " exists in several namespaces ("
                    + Text.list(nss) + "); pick one with -n NAMESPACE");
        }
        return found.get(0);
    }

    private List<Pod> podsOfAndTell(String typed, WorkloadKind kind, HasMetadata w) {
        String ns = w.getMetadata().getNamespace();
        String desc = kind.singular() + " " + Text.safe(ns) + "/" + Text.safe(w.getMetadata().getName());
        List<Pod> pods = podsOf(kind, w);
        if (pods.isEmpty()) {
            throw K8sCapException.notFound(desc + " has no pods" + (kind == WorkloadKind.SERVICE
                    ? " behind it (no pod matches its selector and no EndpointSlice names one)"
                    : " (scaled to 0, or not started yet); check kubectl get " + kind.resource() + " "
                            + Text.safe(w.getMetadata().getName()) + " -n " + Text.safe(ns)));
        }
        notices.accept(Text.safe(typed) + ": " + desc + " → " + Text.count(pods.size(), "pod") + ": " + names(pods, false));
        return pods;
    }

    // ---- workload → pods --------------------------------------------------------------------

    private List<Pod> podsOf(WorkloadKind kind, HasMetadata w) {
        String ns = w.getMetadata().getNamespace();
        String uid = w.getMetadata().getUid();
        Scope scope = new Scope(ns, false);
        switch (kind) {
            case DEPLOYMENT: {
                LabelSelector sel = ((Deployment) w).getSpec() == null ? null : ((Deployment) w).getSpec().getSelector();
                List<LabelSelectors.Requirement> reqs = LabelSelectors.of(sel);
                Set<String> rsUids = api("list replicasets.apps -n " + ns,
                        () -> withSelector(client.apps().replicaSets().inNamespace(ns), sel).list().getItems()).stream()
                        .filter(rs -> LabelSelectors.matches(reqs, rs.getMetadata().getLabels()))
                        .filter(rs -> ownedBy(rs, Set.of(uid)))
                        .map(rs -> rs.getMetadata().getUid())
                        .collect(Collectors.toSet());
                List<Pod> candidates = listPods(scope, sel);
                List<Pod> owned = candidates.stream().filter(p -> ownedBy(p, rsUids)).collect(Collectors.toList());
                return owned.isEmpty() ? unowned(candidates, sel) : owned;
            }
            case STATEFULSET:
            case DAEMONSET:
            case REPLICASET:
            case JOB: {
                LabelSelector sel = selectorOf(w);
                List<Pod> candidates = listPods(scope, sel);
                List<Pod> owned = candidates.stream().filter(p -> ownedBy(p, Set.of(uid))).collect(Collectors.toList());
                return owned.isEmpty() ? unowned(candidates, sel) : owned;
            }
            case SERVICE:
                return podsOfService((Service) w);
            default:
                throw new IllegalArgumentException(kind.toString());
        }
    }

    private static LabelSelector selectorOf(HasMetadata w) {
        if (w instanceof StatefulSet s) {
            return s.getSpec() == null ? null : s.getSpec().getSelector();
        }
        if (w instanceof DaemonSet d) {
            return d.getSpec() == null ? null : d.getSpec().getSelector();
        }
        if (w instanceof ReplicaSet r) {
            return r.getSpec() == null ? null : r.getSpec().getSelector();
        }
        if (w instanceof Job j) {
            return j.getSpec() == null ? null : j.getSpec().getSelector();
        }
        return null;
    }

    /** Fallback when no pod carries an owner reference to the workload: its selector's pods that have no controller. */
    private static List<Pod> unowned(List<Pod> candidates, LabelSelector sel) {
        if (isEmpty(sel)) {
            return List.of();
        }
        return candidates.stream()
                .filter(p -> p.getMetadata().getOwnerReferences() == null
                        || p.getMetadata().getOwnerReferences().stream().noneMatch(o -> Boolean.TRUE.equals(o.getController())))
                .collect(Collectors.toList());
    }

    private List<Pod> podsOfService(Service svc) {
        String ns = svc.getMetadata().getNamespace();
        String name = svc.getMetadata().getName();
        Map<String, String> sel = svc.getSpec() == null ? null : svc.getSpec().getSelector();
        if (sel != null && !sel.isEmpty()) {
            return listPods(new Scope(ns, false), new LabelSelector(null, sel));
        }
        List<EndpointSlice> slices = api("list endpointslices.discovery.k8s.io -n " + ns, () -> client.discovery().v1()
                .endpointSlices().inNamespace(ns).withLabel(SERVICE_NAME_LABEL, name).list().getItems());
        Map<String, Pod> pods = new LinkedHashMap<>();
        for (EndpointSlice slice : slices) {
            if (slice.getEndpoints() == null) {
                continue;
            }
            for (Endpoint ep : slice.getEndpoints()) {
                ObjectReference ref = ep.getTargetRef();
                if (ref == null || !"Pod".equals(ref.getKind()) || ref.getName() == null) {
                    continue;
                }
                String podNs = ref.getNamespace() == null ? ns : ref.getNamespace();
                String key = podNs + "/" + ref.getName();
                if (!pods.containsKey(key)) {
                    Pod p = api("get pods/" + ref.getName() + " -n " + podNs,
                            () -> client.pods().inNamespace(podNs).withName(ref.getName()).get());
                    if (p != null) {
                        pods.put(key, p);
                    }
                }
            }
        }
        return sorted(pods.values());
    }

    private static boolean ownedBy(HasMetadata o, Set<String> uids) {
        List<OwnerReference> refs = o.getMetadata().getOwnerReferences();
        return refs != null && refs.stream().anyMatch(r -> r.getUid() != null && uids.contains(r.getUid()));
    }

    private static boolean isEmpty(LabelSelector sel) {
        return sel == null || ((sel.getMatchLabels() == null || sel.getMatchLabels().isEmpty())
                && (sel.getMatchExpressions() == null || sel.getMatchExpressions().isEmpty()));
    }

    private static <T, L, R> FilterWatchListDeletable<T, L, R> withSelector(FilterWatchListDeletable<T, L, R> op, LabelSelector sel) {
        return isEmpty(sel) ? op : op.withLabelSelector(sel);
    }

    // ---- API access ------------------------------------------------------------------------

    /** Pods in scope matching {@code sel} (null: all), filtered here too: see {@link LabelSelectors}. */
    private List<Pod> listPods(Scope scope, LabelSelector sel) {
        List<Pod> pods = scope.all()
                ? api("list pods -A", () -> withSelector(client.pods().inAnyNamespace(), sel).list().getItems())
                : api("list pods -n " + scope.namespace(),
                        () -> withSelector(client.pods().inNamespace(scope.namespace()), sel).list().getItems());
        List<LabelSelectors.Requirement> reqs = LabelSelectors.of(sel);
        return sorted(pods.stream().filter(p -> LabelSelectors.matches(reqs, p.getMetadata().getLabels()))
                .collect(Collectors.toList()));
    }

    private List<Pod> bySelector(Scope scope, String selector) {
        List<LabelSelectors.Requirement> reqs = LabelSelectors.parse(selector);
        List<Pod> pods;
        try {
            pods = scope.all()
                    ? client.pods().inAnyNamespace().withLabelSelector(selector).list().getItems()
                    : client.pods().inNamespace(scope.namespace()).withLabelSelector(selector).list().getItems();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 400) {
                throw new K8sCapException(ExitCode.USAGE, "the API server refused the label selector -l " + Text.safe(selector)
                        + (e.getStatus() != null && e.getStatus().getMessage() != null
                                ? " (" + Text.safe(e.getStatus().getMessage(), 160) + ")" : "")
                        + "; use key=value, key!=value, key in (a,b), key, !key", e);
            }
            throw KubeClients.fromApi(e, "list pods " + scope.flag(), String.valueOf(client.getMasterUrl()));
        }
        pods = pods.stream().filter(p -> LabelSelectors.matches(reqs, p.getMetadata().getLabels())).collect(Collectors.toList());
        if (pods.isEmpty()) {
            throw K8sCapException.notFound("no pods match -l " + Text.safe(selector) + " " + scope.where()
                    + (scope.all() ? "" : "; check the labels (kubectl get pods --show-labels -n "
                            + Text.safe(scope.namespace()) + ") or use -A"));
        }
        return sorted(pods);
    }

    private List<HasMetadata> named(WorkloadKind kind, String name, Scope scope) {
        switch (kind) {
            case POD:
                return named(client.pods(), kind, name, scope);
            case DEPLOYMENT:
                return named(client.apps().deployments(), kind, name, scope);
            case STATEFULSET:
                return named(client.apps().statefulSets(), kind, name, scope);
            case DAEMONSET:
                return named(client.apps().daemonSets(), kind, name, scope);
            case REPLICASET:
                return named(client.apps().replicaSets(), kind, name, scope);
            case JOB:
                return named(client.batch().v1().jobs(), kind, name, scope);
            case SERVICE:
                return named(client.services(), kind, name, scope);
            default:
                throw new IllegalArgumentException(kind.toString());
        }
    }

    private <T extends HasMetadata> List<HasMetadata> named(
            MixedOperation<T, ? extends KubernetesResourceList<T>, ? extends Resource<T>> op,
            WorkloadKind kind, String name, Scope scope) {
        if (!scope.all()) {
            T t = api("get " + kind.resource() + "/" + name + " -n " + scope.namespace(),
                    () -> op.inNamespace(scope.namespace()).withName(name).get());
            return t == null ? List.of() : List.of(t);
        }
        return api("list " + kind.resource() + " -A", () -> op.inAnyNamespace().list().getItems()).stream()
                .filter(o -> name.equals(o.getMetadata().getName()))
                .collect(Collectors.toList());
    }

    private <T> T api(String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (KubernetesClientException e) {
            throw KubeClients.fromApi(e, what, String.valueOf(client.getMasterUrl()));
        }
    }

    // ---- pod → ResolvedPod ------------------------------------------------------------------

    private void addGroup(Map<String, ResolvedPod> out, List<Pod> pods, String container, String typed) {
        List<ResolvedPod> usable = new ArrayList<>();
        List<K8sCapException> problems = new ArrayList<>();
        for (Pod p : pods) {
            try {
                usable.add(toResolved(p, container));
            } catch (K8sCapException e) {
                if (e.exitCode() != ExitCode.UNAVAILABLE) {
                    throw e;
                }
                problems.add(e);
            }
        }
        if (usable.isEmpty()) {
            K8sCapException first = problems.get(0);
            throw new K8sCapException(ExitCode.UNAVAILABLE, problems.size() == 1 ? first.getMessage()
                    : "none of the " + problems.size() + " pods of " + typed + " is usable; first: " + first.getMessage());
        }
        for (K8sCapException e : problems) {
            notices.accept("skipping: " + e.getMessage());
        }
        for (ResolvedPod r : usable) {
            out.putIfAbsent(r.key(), r);
        }
    }

    private ResolvedPod toResolved(Pod pod, String requested) {
        String ns = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        String id = Text.safe(ns) + "/" + Text.safe(name);
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
            throw K8sCapException.unavailable("pod " + id + " has finished (phase " + phase
                    + "), so it has no running containers; pick a running pod (kubectl get pods -n " + Text.safe(ns) + ")");
        }
        String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        if (node == null || node.isBlank()) {
            throw K8sCapException.unavailable("pod " + id + " is Pending and not scheduled to a node" + unscheduledReason(pod)
                    + "; see kubectl describe pod " + Text.safe(name) + " -n " + Text.safe(ns));
        }
        List<Container> containers = pod.getSpec().getContainers() == null ? List.of() : pod.getSpec().getContainers();
        List<String> containerNames = containers.stream().map(Container::getName).collect(Collectors.toList());
        String container;
        if (requested != null) {
            if (!containerNames.contains(requested)) {
                throw K8sCapException.notFound("container '" + Text.safe(requested) + "' not found in pod " + id
                        + "; its containers: " + Text.list(containerNames) + " (pick one with -c)");
            }
            container = requested;
        } else {
            if (containerNames.isEmpty()) {
                throw K8sCapException.notFound("pod " + id + " has no containers in its spec");
            }
            String annotated = pod.getMetadata().getAnnotations() == null ? null
                    : pod.getMetadata().getAnnotations().get(DEFAULT_CONTAINER_ANNOTATION);
            container = annotated != null && containerNames.contains(annotated) ? annotated : containerNames.get(0);
            if (containerNames.size() > 1) {
                notices.accept("pod " + id + ": using container " + Text.safe(container) + " (of "
                        + Text.list(containerNames) + "; pick another with -c)");
            }
        }
        ContainerStatus cs = pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null ? null
                : pod.getStatus().getContainerStatuses().stream()
                        .filter(s -> container.equals(s.getName())).findFirst().orElse(null);
        String notRunning = notRunning(cs);
        if (notRunning != null) {
            throw K8sCapException.unavailable("container " + Text.safe(container) + " of pod " + id + " is not running ("
                    + notRunning + "); see kubectl describe pod " + Text.safe(name) + " -n " + Text.safe(ns));
        }
        boolean hostNetwork = Boolean.TRUE.equals(pod.getSpec().getHostNetwork());
        if (hostNetwork) {
            notices.accept("pod " + id + " uses hostNetwork: it shares the network namespace of node "
                    + Text.safe(node) + ", so its interfaces and traffic are the node's");
        }
        return new ResolvedPod(ns, name, pod.getMetadata().getUid(), node,
                pod.getStatus() == null ? null : pod.getStatus().getPodIP(), hostNetwork, container, cs.getContainerID());
    }

    /** Null when the container runs; otherwise its state, e.g. "waiting: CrashLoopBackOff". */
    private static String notRunning(ContainerStatus cs) {
        if (cs == null) {
            return "no status reported yet";
        }
        ContainerState st = cs.getState();
        if (st != null && st.getWaiting() != null) {
            return "waiting: " + Text.safe(Objects.requireNonNullElse(st.getWaiting().getReason(), "unknown reason"), 80);
        }
        if (st != null && st.getRunning() == null && st.getTerminated() != null) {
            return "terminated: " + Text.safe(Objects.requireNonNullElse(st.getTerminated().getReason(), "unknown reason"), 80)
                    + (st.getTerminated().getExitCode() == null ? "" : ", exit code " + st.getTerminated().getExitCode());
        }
        if (cs.getContainerID() == null || cs.getContainerID().isBlank()) {
            return "no container ID yet";
        }
        return null;
    }

    private static String unscheduledReason(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return "";
        }
        for (PodCondition c : pod.getStatus().getConditions()) {
            if ("PodScheduled".equals(c.getType()) && "False".equals(c.getStatus())) {
                String why = (c.getReason() == null ? "" : c.getReason())
                        + (c.getMessage() == null ? "" : (c.getReason() == null ? "" : ": ") + c.getMessage());
                return why.isBlank() ? "" : " (" + Text.safe(why, 160) + ")";
            }
        }
        return "";
    }

    // ---- suggestions ------------------------------------------------------------------------

    private K8sCapException notFound(String what, String word, Scope scope, List<WorkloadKind> kinds) {
        List<String> suggestions = suggestions(word, scope, kinds);
        return K8sCapException.notFound(what + " " + scope.where()
                + (suggestions.isEmpty() ? "" : "; did you mean " + String.join(", ", suggestions) + "?")
                + (scope.all() ? "; check the name" : "; check the name, or use -n NAMESPACE or -A"));
    }

    private List<String> suggestions(String word, Scope scope, List<WorkloadKind> kinds) {
        Map<String, String> candidates = new LinkedHashMap<>(); // display → name
        for (WorkloadKind kind : kinds) {
            try {
                List<? extends HasMetadata> items = kind == WorkloadKind.POD ? listPods(scope, null) : listAll(kind, scope);
                for (HasMetadata o : items) {
                    String n = o.getMetadata().getName();
                    candidates.putIfAbsent(kind == WorkloadKind.POD && kinds.size() > 1 ? n : kind.shortName() + "/" + n, n);
                }
            } catch (K8sCapException e) {
                // Suggestions are a courtesy: a kind we may not list must not hide the real error.
            }
        }
        return closeNames(word, candidates);
    }

    private List<? extends HasMetadata> listAll(WorkloadKind kind, Scope scope) {
        switch (kind) {
            case DEPLOYMENT:
                return listIn(client.apps().deployments(), kind, scope);
            case STATEFULSET:
                return listIn(client.apps().statefulSets(), kind, scope);
            case DAEMONSET:
                return listIn(client.apps().daemonSets(), kind, scope);
            case REPLICASET:
                return listIn(client.apps().replicaSets(), kind, scope);
            case JOB:
                return listIn(client.batch().v1().jobs(), kind, scope);
            case SERVICE:
                return listIn(client.services(), kind, scope);
            default:
                return listPods(scope, null);
        }
    }

    private <T extends HasMetadata> List<T> listIn(
            MixedOperation<T, ? extends KubernetesResourceList<T>, ? extends Resource<T>> op, WorkloadKind kind, Scope scope) {
        return api("list " + kind.resource() + " " + scope.flag(), () -> scope.all()
                ? op.inAnyNamespace().list().getItems()
                : op.inNamespace(scope.namespace()).list().getItems());
    }

    /**
     * At most 3 names close to {@code word}, closest first: within a small edit distance (a swap of
     * two adjacent letters counts as one edit) of the whole name or of its first dash-separated part
     * ({@code wbe} → {@code web-7c9d8f6b5-x2x4q}), or sharing a prefix with it.
     */
    static List<String> closeNames(String word, Map<String, String> displayToName) {
        int maxDistance = Math.max(1, Math.min(3, word.length() / 4));
        int minPrefix = Math.max(3, Math.min(word.length(), 4));
        record Scored(String display, int distance) {
        }
        return displayToName.entrySet().stream()
                .map(e -> {
                    String n = e.getValue();
                    int dash = n.indexOf('-');
                    int d = editDistance(word, n);
                    if (dash > 0) {
                        d = Math.min(d, editDistance(word, n.substring(0, dash)));
                    }
                    boolean close = d <= maxDistance || commonPrefix(word, n) >= minPrefix
                            || (word.length() >= 3 && n.startsWith(word));
                    return close ? new Scored(e.getKey(), d) : null;
                })
                .filter(Objects::nonNull)
                .sorted(Comparator.comparingInt(Scored::distance).thenComparing(Scored::display))
                .limit(3)
                .map(s -> Text.safe(s.display()))
                .collect(Collectors.toList());
    }

    private static int commonPrefix(String a, String b) {
        int i = 0;
        while (i < a.length() && i < b.length() && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        return i;
    }

    /** Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent swaps cost 1. */
    static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    // ---- helpers ----------------------------------------------------------------------------

    private static List<Pod> sorted(java.util.Collection<Pod> pods) {
        return pods.stream()
                .sorted(Comparator.comparing((Pod p) -> Objects.requireNonNullElse(p.getMetadata().getNamespace(), ""))
                        .thenComparing(p -> p.getMetadata().getName()))
                .collect(Collectors.toList());
    }

    private static String names(List<Pod> pods, boolean withNamespace) {
        Set<String> n = new LinkedHashSet<>();
        for (Pod p : pods) {
            n.add(withNamespace ? p.getMetadata().getNamespace() + "/" + p.getMetadata().getName() : p.getMetadata().getName());
        }
        List<String> l = new ArrayList<>(n);
        String s = Text.list(l.subList(0, Math.min(l.size(), MAX_LISTED)));
        return l.size() > MAX_LISTED ? s + ", … (" + (l.size() - MAX_LISTED) + " more)" : s;
    }
}
