package io.k8scap.cluster;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The kinds a target may name as {@code kind/name}, with kubectl's short names and aliases. */
public enum WorkloadKind {
    POD("pod", "pods", "pod", "po", "pods"),
    DEPLOYMENT("deploy", "deployments.apps", "deployment", "deploy", "deployments", "deployment.apps", "deployments.apps"),
    STATEFULSET("sts", "statefulsets.apps", "statefulset", "sts", "statefulsets", "statefulset.apps", "statefulsets.apps"),
    DAEMONSET("ds", "daemonsets.apps", "daemonset", "ds", "daemonsets", "daemonset.apps", "daemonsets.apps"),
    REPLICASET("rs", "replicasets.apps", "replicaset", "rs", "replicasets", "replicaset.apps", "replicasets.apps"),
    JOB("job", "jobs.batch", "job", "jobs", "job.batch", "jobs.batch"),
    SERVICE("svc", "services", "service", "svc", "services");

    /** Workload kinds a bare word is looked up as, in this order. */
    public static final List<WorkloadKind> BARE_WORD_ORDER = List.of(DEPLOYMENT, STATEFULSET, DAEMONSET, REPLICASET, JOB);

    private final String shortName;
    private final String resource;
    private final List<String> aliases;

    WorkloadKind(String shortName, String resource, String... aliases) {
        this.shortName = shortName;
        this.resource = resource;
        this.aliases = List.of(aliases);
    }

    /** kubectl's short name: {@code deploy}, {@code sts}, … */
    public String shortName() {
        return shortName;
    }

    /** The resource as {@code kubectl auth can-i} takes it: {@code deployments.apps}, {@code pods}, … */
    public String resource() {
        return resource;
    }

    /** The singular lower-case kind: {@code deployment}, {@code statefulset}, … */
    public String singular() {
        return aliases.get(0);
    }

    public static Optional<WorkloadKind> parse(String kind) {
        String k = kind.toLowerCase(Locale.ROOT);
        for (WorkloadKind w : values()) {
            if (w.aliases.contains(k)) {
                return Optional.of(w);
            }
        }
        return Optional.empty();
    }

    /** Every accepted spelling, for usage messages. */
    public static String accepted() {
        return "pod/, deploy/, sts/, ds/, rs/, job/, svc/";
    }
}
