package io.k8scap.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8scap.Home;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Names a shell completes (kubectl's {@code __complete}): contexts from the kubeconfig (no API call),
 * namespaces, pods of the effective namespace, and nodes from the API. Failures are thrown as they
 * come; the caller, completion, stays silent about them.
 */
public final class CompletionNames {
    private CompletionNames() {}

    /** The contexts of the kubeconfig(s) {@code settings} and $KUBECONFIG name, in file order. */
    public static List<String> contexts(KubeSettings settings) throws IOException {
        Set<String> names = new LinkedHashSet<>();
        for (Path f : KubeClients.kubeconfigFiles(settings.kubeconfig(), System.getenv("KUBECONFIG"), Home.dir())) {
            List<NamedContext> contexts = KubeconfigYaml.parse(Files.readString(f)).getContexts();
            if (contexts != null) {
                contexts.stream().map(NamedContext::getName).filter(n -> n != null).forEach(names::add);
            }
        }
        return new ArrayList<>(names);
    }

    public static List<String> namespaces(KubeSettings settings) {
        try (KubeConnection c = KubeClients.connect(settings, System.getenv("KUBECONFIG"), io.k8scap.Home.dir())) {
            return names(c.client().namespaces().list().getItems());
        }
    }

    /** Pods of the namespace {@code settings} chooses (-n, else the context's, else "default"). */
    public static List<String> pods(KubeSettings settings) {
        try (KubeConnection c = KubeClients.connect(settings, System.getenv("KUBECONFIG"), io.k8scap.Home.dir())) {
            KubernetesClient client = c.client();
            return names(client.pods().inNamespace(c.namespace()).list().getItems());
        }
    }

    public static List<String> nodes(KubeSettings settings) {
        try (KubeConnection c = KubeClients.connect(settings, System.getenv("KUBECONFIG"), io.k8scap.Home.dir())) {
            return names(c.client().nodes().list().getItems());
        }
    }

    private static List<String> names(List<? extends HasMetadata> items) {
        return items.stream().map(i -> i.getMetadata() == null ? null : i.getMetadata().getName())
                .filter(n -> n != null).sorted().toList();
    }
}
