package io.k8scap.node.pod;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import io.k8scap.cluster.KubeClients;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Checks, before anything is created, that a helper pod can exist in a namespace: RBAC
 * (SelfSubjectAccessReview for each verb k8scap uses) and PodSecurity admission (the namespace's
 * {@code pod-security.kubernetes.io/enforce} label; then a server-side dry-run create of the real
 * spec, which runs every admission plugin — PodSecurity, OpenShift SCCs, policy engines — without
 * storing anything). A refusal is one line, exit 5 (DENIED), saying what to change.
 */
public final class Preflight {
    public static final String ENFORCE_LABEL = "pod-security.kubernetes.io/enforce";

    /** The access a helper pod needs: verb, resource, subresource (as kubectl auth can-i). */
    record Access(String verb, String resource, String subresource) {
        String canI(String ns) {
            return verb + " " + resource + (subresource == null ? "" : "/" + subresource) + " -n " + ns;
        }
    }

    static final List<Access> NEEDED = List.of(
            new Access("create", "pods", null),
            new Access("get", "pods", null),
            new Access("delete", "pods", null),
            new Access("create", "pods", "exec"));

    private final KubernetesClient client;

    public Preflight(KubernetesClient client) {
        this.client = client;
    }

    /**
     * Runs every check for a helper pod like {@code pod} in its namespace.
     *
     * @throws K8sCapException DENIED with what to change; an API failure mapped as usual
     */
    public void check(Pod pod) {
        String ns = pod.getMetadata().getNamespace();
        rbac(ns);
        podSecurityLabel(ns);
        dryRun(pod);
    }

    /** SelfSubjectAccessReview for each of {@link #NEEDED}; all refusals named in one line. */
    void rbac(String ns) {
        List<String> denied = new ArrayList<>();
        for (Access a : NEEDED) {
            SelfSubjectAccessReview review = new SelfSubjectAccessReviewBuilder()
                    .withNewSpec().withNewResourceAttributes()
                    .withNamespace(ns).withVerb(a.verb()).withGroup("").withResource(a.resource()).withSubresource(a.subresource())
                    .endResourceAttributes().endSpec().build();
            SelfSubjectAccessReview answer;
            try {
                answer = client.authorization().v1().selfSubjectAccessReview().create(review);
            } catch (KubernetesClientException e) {
                throw KubeClients.fromApi(e, "create selfsubjectaccessreviews (to check " + a.canI(ns) + ")");
            }
            boolean allowed = answer != null && answer.getStatus() != null && Boolean.TRUE.equals(answer.getStatus().getAllowed());
            if (!allowed) {
                denied.add(a.verb() + " " + a.resource() + (a.subresource() == null ? "" : "/" + a.subresource()));
            }
        }
        if (!denied.isEmpty()) {
            throw K8sCapException.denied("not allowed to " + String.join(", ", denied) + " in namespace " + HelperPods.oneLine(ns)
                    + " (a helper pod needs create/get/delete pods and create pods/exec there; check with kubectl auth can-i create pods/exec -n "
                    + HelperPods.oneLine(ns) + "); ask for that access, pass --helper-namespace NS where you have it, or use --via ssh");
        }
    }

    /** Refuses a namespace whose PodSecurity enforce level is not privileged; an unreadable namespace is left to the dry run. */
    void podSecurityLabel(String ns) {
        Namespace namespace;
        try {
            namespace = client.namespaces().withName(ns).get();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 403 || e.getCode() == 404) {
                return; // many users may not read namespaces: the dry run below still asks admission
            }
            throw KubeClients.fromApi(e, "get namespaces/" + ns);
        }
        if (namespace == null) {
            throw K8sCapException.notFound("namespace " + HelperPods.oneLine(ns) + " does not exist; pass --helper-namespace NS for the helper pods");
        }
        String level = namespace.getMetadata().getLabels() == null ? null : namespace.getMetadata().getLabels().get(ENFORCE_LABEL);
        if (level != null && !level.toLowerCase(Locale.ROOT).equals("privileged")) {
            throw psa(ns, "it enforces PodSecurity level '" + HelperPods.oneLine(level) + "' (label " + ENFORCE_LABEL + ")");
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
        String n = HelperPods.oneLine(ns);
        return K8sCapException.denied("a privileged helper pod is not allowed in namespace " + n + ": " + why
                + "; pass --helper-namespace NS with " + ENFORCE_LABEL + "=privileged, or (if that is acceptable) kubectl label namespace "
                + n + " " + ENFORCE_LABEL + "=privileged --overwrite, or use --via ssh");
    }

    /** Maps a refused pod create: PodSecurity and OpenShift SCC refusals say what to change, the rest as usual. */
    static K8sCapException refusal(KubernetesClientException e, String ns, String what) {
        String message = e.getStatus() == null || e.getStatus().getMessage() == null ? String.valueOf(e.getMessage()) : e.getStatus().getMessage();
        if (e.getCode() == 403 && message.contains("violates PodSecurity")) {
            String detail = message.substring(message.indexOf("violates PodSecurity"));
            return new K8sCapException(ExitCode.DENIED, psa(ns, "admission says it " + HelperPods.oneLine(detail)).getMessage(), e);
        }
        if (e.getCode() == 403 && message.contains("security context constraint")) {
            return new K8sCapException(ExitCode.DENIED, "a privileged helper pod is not allowed in namespace " + HelperPods.oneLine(ns)
                    + " (OpenShift SCC: " + HelperPods.oneLine(message) + "); grant the privileged SCC to your user there, pass --helper-namespace NS, or use --via ssh", e);
        }
        return KubeClients.fromApi(e, what);
    }
}
