package io.k8scap.debug;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the API server will refuse before k8scap creates anything: RBAC, asked with
 * SelfSubjectAccessReview, and the namespace's PodSecurity admission level
 * ({@code pod-security.kubernetes.io/enforce}).
 */
public final class Preflight {
    public static final String PSA_ENFORCE = "pod-security.kubernetes.io/enforce";

    /** One check: {@code refused} ones stop the run (exit 5); {@code unknown} ones are only reported. */
    public record Check(String what, Outcome outcome, String detail) {
        public enum Outcome { ok, refused, unknown }

        public String line() {
            return "preflight: " + outcome + ": " + what + (detail == null || detail.isEmpty() ? "" : ": " + detail);
        }
    }

    private final KubernetesClient client;

    public Preflight(KubernetesClient client) {
        this.client = client;
    }

    /** Everything {@code --via ephemeral} needs in {@code namespace}. */
    public List<Check> ephemeral(String namespace, boolean interactive, Profile profile) {
        List<Check> out = new ArrayList<>();
        out.add(can("get", "pods", null, namespace));
        out.add(can("patch", "pods", "ephemeralcontainers", namespace));
        out.add(interactive ? can("create", "pods", "attach", namespace) : can("create", "pods", "exec", namespace));
        out.add(podSecurity(namespace, profile));
        return out;
    }

    /** One SelfSubjectAccessReview, phrased as {@code kubectl auth can-i} would take it. */
    public Check can(String verb, String resource, String subresource, String namespace) {
        String what = verb + " " + resource + (subresource == null ? "" : "/" + subresource) + " -n " + namespace;
        SelfSubjectAccessReview review = new SelfSubjectAccessReviewBuilder()
                .withNewSpec().withNewResourceAttributes()
                .withNamespace(namespace).withVerb(verb).withResource(resource).withSubresource(subresource)
                .endResourceAttributes().endSpec().build();
        SelfSubjectAccessReview answer;
        try {
            answer = client.authorization().v1().selfSubjectAccessReview().create(review);
        } catch (KubernetesClientException e) {
            return new Check(what, Check.Outcome.unknown, "cannot ask the API server (" + e.getCode() + "); check with kubectl auth can-i " + what);
        }
        if (answer == null || answer.getStatus() == null) {
            return new Check(what, Check.Outcome.unknown, "the API server gave no answer; check with kubectl auth can-i " + what);
        }
        if (Boolean.TRUE.equals(answer.getStatus().getAllowed())) {
            return new Check(what, Check.Outcome.ok, "");
        }
        String reason = answer.getStatus().getReason();
        return new Check(what, Check.Outcome.refused, "RBAC does not allow it"
                + (reason == null || reason.isBlank() ? "" : " (" + reason + ")") + "; ask for it, or use --via node");
    }

    /**
     * The namespace's enforced PodSecurity level against the debug container's profile: baseline
     * refuses every added capability k8scap's profiles use (SYS_PTRACE, NET_ADMIN, NET_RAW) and
     * privileged mode; restricted refuses a root container as well.
     */
    public Check podSecurity(String namespace, Profile profile) {
        String what = "PodSecurity of namespace " + namespace + " for profile " + profile;
        Namespace ns;
        try {
            ns = client.namespaces().withName(namespace).get();
        } catch (KubernetesClientException e) {
            return new Check(what, Check.Outcome.unknown, "cannot read the namespace's labels (" + e.getCode() + ")");
        }
        Map<String, String> labels = ns == null || ns.getMetadata() == null || ns.getMetadata().getLabels() == null
                ? Map.of() : ns.getMetadata().getLabels();
        String level = labels.get(PSA_ENFORCE);
        if (level == null || level.isBlank()) {
            return new Check(what, Check.Outcome.ok, "no " + PSA_ENFORCE + " label (the cluster's default applies)");
        }
        if (level.equals("privileged")) {
            return new Check(what, Check.Outcome.ok, "enforce=privileged");
        }
        String adds = switch (profile) {
            case general -> "capability SYS_PTRACE";
            case netadmin -> "capabilities NET_ADMIN and NET_RAW";
            case sysadmin -> "a privileged container";
        };
        return new Check(what, Check.Outcome.refused, "enforce=" + level + " refuses " + adds
                + "; use --via node, or a namespace labelled " + PSA_ENFORCE + "=privileged");
    }
}
