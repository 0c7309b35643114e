package io.k8scap.cluster;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.k8scap.Escape;
import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the API server will refuse, asked before k8scap creates anything: RBAC (a
 * SelfSubjectAccessReview per verb, phrased as {@code kubectl auth can-i}) and the namespace's
 * PodSecurity admission level ({@code pod-security.kubernetes.io/enforce}). The one place both are
 * asked, for helper pods ({@link #helperPod}: refusals throw, exit 5) and for debug's ephemeral
 * containers ({@link #can}, {@link #podSecurity}: one {@link Check} line each).
 */
public final class Preflight {
    public static final String ENFORCE_LABEL = "pod-security.kubernetes.io/enforce";

    /** One check: {@code refused} ones stop the run (exit 5); {@code unknown} ones are only reported. */
    public record Check(String what, Outcome outcome, String detail) {
        public enum Outcome { ok, refused, unknown }

        public String line() {
            return "preflight: " + outcome + ": " + what + (detail == null || detail.isEmpty() ? "" : ": " + detail);
        }
    }

    /** The access a helper pod needs: verb, resource, subresource (as kubectl auth can-i). */
    record Access(String verb, String resource, String subresource) {
        String canI(String ns) {
            return verb + " " + resource + (subresource == null ? "" : "/" + subresource) + " -n " + ns;
        }
    }

    static final List<Access> HELPER_POD_NEEDS = List.of(
            new Access("create", "pods", null),
            new Access("get", "pods", null),
            new Access("delete", "pods", null),
            new Access("create", "pods", "exec"));

    private final KubernetesClient client;

    public Preflight(KubernetesClient client) {
        this.client = client;
    }

    // ---- the two questions ---------------------------------------------------------------------

    /** The API server's answer to one SelfSubjectAccessReview, or null when it gave none. */
    private SubjectAccessReviewStatus review(String group, String verb, String resource, String subresource, String namespace) {
        SelfSubjectAccessReview review = new SelfSubjectAccessReviewBuilder()
                .withNewSpec().withNewResourceAttributes()
                .withNamespace(namespace).withVerb(verb).withGroup(group).withResource(resource).withSubresource(subresource)
                .endResourceAttributes().endSpec().build();
        SelfSubjectAccessReview answer = client.authorization().v1().selfSubjectAccessReview().create(review);
        return answer == null ? null : answer.getStatus();
    }

    /** The namespace's PodSecurity enforce level (null: no label), or {@link #MISSING} when the namespace does not exist. */
    private String enforceLevel(String namespace) {
        Namespace ns = client.namespaces().withName(namespace).get();
        if (ns == null) {
            return MISSING;
        }
        Map<String, String> labels = ns.getMetadata() == null || ns.getMetadata().getLabels() == null ? Map.of() : ns.getMetadata().getLabels();
        return labels.get(ENFORCE_LABEL);
    }

    private static final String MISSING = new String("(no such namespace)"); // compared by identity

    // ---- helper pods: every refusal throws -----------------------------------------------------

    /**
     * Checks, before anything is created, that a helper pod like {@code pod} can exist in its
     * namespace: RBAC for each verb k8scap uses, the PodSecurity enforce label, then a server-side
     * dry-run create of the real spec, which runs every admission plugin — PodSecurity, OpenShift
     * SCCs, policy engines — without storing anything. A refusal is one line, exit 5 (DENIED),
     * saying what to change.
     *
     * @throws K8sCapException DENIED with what to change; an API failure mapped as usual
     */
    public void helperPod(Pod pod) {
        String ns = pod.getMetadata().getNamespace();
        rbac(ns);
        podSecurityLabel(ns);
        dryRun(pod);
    }

    /** SelfSubjectAccessReview for each of {@link #HELPER_POD_NEEDS}; all refusals named in one line. */
    void rbac(String ns) {
        List<String> denied = new ArrayList<>();
        for (Access a : HELPER_POD_NEEDS) {
            SubjectAccessReviewStatus answer;
            try {
                answer = review("", a.verb(), a.resource(), a.subresource(), ns);
            } catch (KubernetesClientException e) {
                throw KubeClients.fromApi(e, "create selfsubjectaccessreviews (to check " + a.canI(ns) + ")");
            }
            if (answer == null || !Boolean.TRUE.equals(answer.getAllowed())) {
                denied.add(a.verb() + " " + a.resource() + (a.subresource() == null ? "" : "/" + a.subresource()));
            }
        }
        if (!denied.isEmpty()) {
            throw K8sCapException.denied("not allowed to " + String.join(", ", denied) + " in namespace " + oneLine(ns)
                    + " (a helper pod needs create/get/delete pods and create pods/exec there; check with kubectl auth can-i create pods/exec -n "
                    + oneLine(ns) + "); ask for that access, pass --helper-namespace NS where you have it, or use --via ssh");
        }
    }

    /** Refuses a namespace whose PodSecurity enforce level is not privileged; an unreadable namespace is left to the dry run. */
    void podSecurityLabel(String ns) {
        String level;
        try {
            level = enforceLevel(ns);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 403 || e.getCode() == 404) {
                return; // many users may not read namespaces: the dry run below still asks admission
            }
            throw KubeClients.fromApi(e, "get namespaces/" + ns);
        }
        if (level == MISSING) {
            throw K8sCapException.notFound("namespace " + oneLine(ns) + " does not exist; pass --helper-namespace NS for the helper pods");
        }
        if (level != null && !level.toLowerCase(Locale.ROOT).equals("privileged")) {
            throw psa(ns, "it enforces PodSecurity level '" + oneLine(level) + "' (label " + ENFORCE_LABEL + ")");
        }
    }

    /** Server-side dry-run create of the real spec: admission answers, nothing is stored. */
    void dryRun(Pod pod) {
        String ns = pod.getMetadata().getNamespace();
        try {
            client.pods().inNamespace(ns).resource(pod).dryRun().create();
        } catch (KubernetesClientException e) {
            throw refusal(e, ns, "create pods -n " + ns + " (dry run)");
        }
    }

    private static K8sCapException psa(String ns, String why) {
        String n = oneLine(ns);
        return K8sCapException.denied("a privileged helper pod is not allowed in namespace " + n + ": " + why
                + "; pass --helper-namespace NS with " + ENFORCE_LABEL + "=privileged, or (if that is acceptable) kubectl label namespace "
                + n + " " + ENFORCE_LABEL + "=privileged --overwrite, or use --via ssh");
    }

    /** Maps a refused helper pod create: PodSecurity and OpenShift SCC refusals say what to change, the rest as usual. */
    public static K8sCapException refusal(KubernetesClientException e, String ns, String what) {
        String message = e.getStatus() == null || e.getStatus().getMessage() == null ? String.valueOf(e.getMessage()) : e.getStatus().getMessage();
        if (e.getCode() == 403 && message.contains("violates PodSecurity")) {
            String detail = message.substring(message.indexOf("violates PodSecurity"));
            return new K8sCapException(ExitCode.DENIED, psa(ns, "admission says it " + oneLine(detail)).getMessage(), e);
        }
        if (e.getCode() == 403 && message.contains("security context constraint")) {
            return new K8sCapException(ExitCode.DENIED, "a privileged helper pod is not allowed in namespace " + oneLine(ns)
                    + " (OpenShift SCC: " + oneLine(message) + "); grant the privileged SCC to your user there, pass --helper-namespace NS, or use --via ssh", e);
        }
        return KubeClients.fromApi(e, what);
    }

    // ---- checks reported one line each (debug --via ephemeral) ---------------------------------

    /** One SelfSubjectAccessReview, phrased as {@code kubectl auth can-i} would take it. */
    public Check can(String verb, String resource, String subresource, String namespace) {
        String what = verb + " " + resource + (subresource == null ? "" : "/" + subresource) + " -n " + namespace;
        SubjectAccessReviewStatus answer;
        try {
            answer = review(null, verb, resource, subresource, namespace);
        } catch (KubernetesClientException e) {
            return new Check(what, Check.Outcome.unknown, "cannot ask the API server (" + e.getCode() + "); check with kubectl auth can-i " + what);
        }
        if (answer == null) {
            return new Check(what, Check.Outcome.unknown, "the API server gave no answer; check with kubectl auth can-i " + what);
        }
        if (Boolean.TRUE.equals(answer.getAllowed())) {
            return new Check(what, Check.Outcome.ok, "");
        }
        String reason = answer.getReason();
        return new Check(what, Check.Outcome.refused, "RBAC does not allow it"
                + (reason == null || reason.isBlank() ? "" : " (" + reason + ")") + "; ask for it, or use --via node");
    }

    /**
     * The namespace's enforced PodSecurity level against what a container of profile
     * {@code profile} adds ({@code adds}, e.g. "capability SYS_PTRACE"): any level but privileged
     * refuses it.
     */
    public Check podSecurity(String namespace, String profile, String adds) {
        String what = "PodSecurity of namespace " + namespace + " for profile " + profile;
        String level;
        try {
            level = enforceLevel(namespace);
        } catch (KubernetesClientException e) {
            return new Check(what, Check.Outcome.unknown, "cannot read the namespace's labels (" + e.getCode() + ")");
        }
        if (level == null || level == MISSING || level.isBlank()) {
            return new Check(what, Check.Outcome.ok, "no " + ENFORCE_LABEL + " label (the cluster's default applies)");
        }
        if (level.equals("privileged")) {
            return new Check(what, Check.Outcome.ok, "enforce=privileged");
        }
        return new Check(what, Check.Outcome.refused, "enforce=" + level + " refuses " + adds
                + "; use --via node, or a namespace labelled " + ENFORCE_LABEL + "=privileged");
    }

    /** A cluster or user string as part of a one-line message: whitespace collapsed, control characters escaped, at most 300 characters. */
    public static String oneLine(String s) {
        String t = Escape.controls(s.replaceAll("\\s+", " ").trim(), false);
        return t.length() > 300 ? t.substring(0, 299) + "…" : t;
    }
}
