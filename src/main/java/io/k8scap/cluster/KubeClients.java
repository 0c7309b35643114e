package io.k8scap.cluster;

import io.fabric8.kubernetes.api.model.NamedCluster;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.internal.KubeConfigUtils;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import java.io.File;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * Builds a {@link KubernetesClient} the way kubectl does (--kubeconfig, else $KUBECONFIG, else
 * ~/.kube/config; --context, else current-context; -n, else the context's namespace, else
 * "default"), and maps API failures to the project's exit codes. No API call is made here.
 */
public final class KubeClients {
    /** Retries of a failed request (fabric8's default is 10 with exponential backoff: minutes on a dead server). */
    static final int REQUEST_RETRIES = 1;

    private KubeClients() {
    }

    /**
     * Work a connection can have had done on other threads while it is built: the JSON serializer
     * warmed up, the JDK's trusted CAs read ({@code io.k8scap.startup.Warmups} does both, for the
     * start-up's sake; {@link #NONE} does neither and changes no outcome).
     */
    public interface Warmup {
        /** The client's JSON (de)serializer; asked first thing, so it can be made meanwhile. */
        CompletableFuture<KubernetesSerialization> serialization();

        /** Called when the client will trust the JDK's CAs (https, no CA of its own in the kubeconfig). */
        void jdkTrustStore();

        Warmup NONE = new Warmup() {
            @Override
            public CompletableFuture<KubernetesSerialization> serialization() {
                return CompletableFuture.completedFuture(new KubernetesSerialization(LeanReads.mapper(), true));
            }

            @Override
            public void jdkTrustStore() {
                // read when the first request needs it
            }
        };
    }

    /**
     * Reads the kubeconfig and builds a client (no API call), the way kubectl finds them; throws
     * CONFIG (3) with one line naming the file or context.
     *
     * @param kubeconfigEnv the value of $KUBECONFIG, or null
     * @param home          the user's home directory (~/.kube/config)
     */
    public static KubeConnection connect(KubeSettings settings, String kubeconfigEnv, Path home, Warmup warmup) {
        return build(settings, kubeconfigEnv, home, warmup);
    }

    /** As {@link #connect(KubeSettings, String, Path, Warmup)} without warm-ups (tests). */
    public static KubeConnection connect(KubeSettings settings, String kubeconfigEnv, Path home) {
        return connect(settings, kubeconfigEnv, home, Warmup.NONE);
    }

    private static KubeConnection build(KubeSettings settings, String kubeconfigEnv, Path home, Warmup warmup) {
        CompletableFuture<KubernetesSerialization> serialization = warmup.serialization();
        List<Path> files = kubeconfigFiles(settings.kubeconfig(), kubeconfigEnv, home);
        String where = files.size() == 1 ? "kubeconfig " + files.get(0) : "kubeconfig files " + files;

        List<io.fabric8.kubernetes.api.model.Config> parsed = new ArrayList<>();
        for (Path f : files) {
            parsed.add(parse(f));
        }

        // kubectl's merge rule: the first file to set current-context, or a context/cluster name, wins.
        Map<String, NamedContext> contexts = new LinkedHashMap<>();
        Map<String, NamedCluster> clusters = new LinkedHashMap<>();
        String current = null;
        for (io.fabric8.kubernetes.api.model.Config c : parsed) {
            if (current == null && c.getCurrentContext() != null && !c.getCurrentContext().isBlank()) {
                current = c.getCurrentContext();
            }
            if (c.getContexts() != null) {
                c.getContexts().stream().filter(x -> x.getName() != null).forEach(x -> contexts.putIfAbsent(x.getName(), x));
            }
            if (c.getClusters() != null) {
                c.getClusters().stream().filter(x -> x.getName() != null).forEach(x -> clusters.putIfAbsent(x.getName(), x));
            }
        }

        String contextName = settings.context() != null && !settings.context().isBlank() ? settings.context() : current;
        if (contextName == null) {
            throw K8sCapException.config(where + " has no current-context; pass --context NAME"
                    + (contexts.isEmpty() ? " (it defines no contexts either)" : " (one of: " + Text.list(contexts.keySet()) + ")")
                    + ", see kubectl config get-contexts");
        }
        NamedContext context = contexts.get(contextName);
        if (context == null) {
            String source = settings.context() != null && !settings.context().isBlank() ? "--context" : "current-context";
            throw K8sCapException.config(source + " '" + Text.safe(contextName) + "' is not in " + where
                    + (contexts.isEmpty() ? " (it defines no contexts)" : " (contexts: " + Text.list(contexts.keySet()) + ")")
                    + "; see kubectl config get-contexts, or pass --kubeconfig PATH");
        }
        String clusterName = context.getContext() == null ? null : context.getContext().getCluster();
        NamedCluster cluster = clusterName == null ? null : clusters.get(clusterName);
        if (cluster == null || cluster.getCluster() == null || cluster.getCluster().getServer() == null
                || cluster.getCluster().getServer().isBlank()) {
            throw K8sCapException.config("context '" + Text.safe(contextName) + "' in " + where + " refers to cluster '"
                    + Text.safe(clusterName) + "' which has no server URL; fix the kubeconfig (kubectl config view)");
        }

        Config config;
        try {
            config = Config.empty();
            KubeConfigUtils.merge(config, contextName, parsed.toArray(io.fabric8.kubernetes.api.model.Config[]::new));
        } catch (RuntimeException e) {
            throw new K8sCapException(ExitCode.CONFIG, "cannot use context '" + Text.safe(contextName) + "' of " + where + ": "
                    + Text.safe(rootMessage(e), 200) + "; check it with kubectl config view", e);
        }
        if (plainHttp(config.getMasterUrl())) {
            // No TLS can happen on an http:// server (kubectl proxy, the lab's stand-in): skip loading the
            // JDK's ≈ 140 trusted CAs (≈ 50 ms of CPU at start-up) for a trust store nothing would consult.
            config.setTrustCerts(true);
        } else if (!config.isTrustCerts() && isBlank(config.getCaCertData()) && isBlank(config.getCaCertFile())) {
            warmup.jdkTrustStore(); // the client will trust the JDK's CAs: read them meanwhile
        }
        // With a CA in the kubeconfig (or insecure-skip-tls-verify) fabric8 builds its own trust store
        // (or none), so reading the JDK's shared one here would only be CPU taken from start-up.
        String contextNamespace = context.getContext().getNamespace();
        String namespace = firstNonBlank(settings.namespace(), contextNamespace, "default");
        config.setNamespace(namespace);
        config.setRequestRetryBackoffLimit(REQUEST_RETRIES);
        // HTTP/1.1: k8scap's requests are few and one after another (no watches), so HTTP/2's multiplexing
        // buys nothing, while setting up the JDK's HTTP/2 client costs ≈ 40 ms of CPU at start-up
        // (docs/performance.md). Exec and attach are WebSockets, HTTP/1.1 either way.
        config.setHttp2Disable(true);
        KubernetesClient client;
        try {
            client = new KubernetesClientBuilder().withConfig(config).withHttpClientFactory(new OrderedSendsHttpClientFactory())
                    .withKubernetesSerialization(serialization.join()).build();
        } catch (KubernetesClientException e) {
            throw new K8sCapException(ExitCode.CONFIG, "cannot build a Kubernetes client from context '" + Text.safe(contextName)
                    + "' of " + where + ": " + Text.safe(rootMessage(e), 200) + "; check certificates and keys it names", e);
        }
        return new KubeConnection(client, namespace, contextName, files);
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    static boolean plainHttp(String url) {
        return url != null && url.regionMatches(true, 0, "http://", 0, 7);
    }

    /** Which kubeconfig files to read: the flag, else $KUBECONFIG's existing entries, else ~/.kube/config. */
    static List<Path> kubeconfigFiles(Path flag, String kubeconfigEnv, Path home) {
        if (flag != null) {
            checkReadable(flag, "--kubeconfig " + flag + " does not exist; pass the path of a kubeconfig file");
            return List.of(flag);
        }
        if (kubeconfigEnv != null && !kubeconfigEnv.isBlank()) {
            List<Path> found = new ArrayList<>();
            for (String entry : kubeconfigEnv.split(File.pathSeparator)) {
                if (!entry.isBlank() && Files.exists(Path.of(entry))) {
                    Path p = Path.of(entry);
                    checkReadable(p, "");
                    if (!found.contains(p)) {
                        found.add(p);
                    }
                }
            }
            if (found.isEmpty()) {
                throw K8sCapException.config("none of the files in KUBECONFIG exists (" + Text.safe(kubeconfigEnv)
                        + "); fix KUBECONFIG or pass --kubeconfig PATH");
            }
            return found;
        }
        Path dflt = home.resolve(".kube").resolve("config");
        checkReadable(dflt, "no kubeconfig: " + dflt + " does not exist and KUBECONFIG is not set; pass --kubeconfig PATH");
        return List.of(dflt);
    }

    private static void checkReadable(Path p, String missingMessage) {
        if (!Files.exists(p)) {
            throw K8sCapException.config(missingMessage);
        }
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
            throw K8sCapException.config("kubeconfig " + p + " is not a readable file; check its permissions or pass --kubeconfig PATH");
        }
    }

    private static io.fabric8.kubernetes.api.model.Config parse(Path f) {
        String text;
        try {
            text = Files.readString(f);
        } catch (IOException | RuntimeException e) {
            throw new K8sCapException(ExitCode.CONFIG, "cannot read kubeconfig " + f + " (" + Text.safe(rootMessage(e), 120)
                    + "); check its permissions or pass --kubeconfig PATH", e);
        }
        if (text.isBlank()) {
            return new io.fabric8.kubernetes.api.model.Config(); // kubectl treats an empty file as an empty config
        }
        io.fabric8.kubernetes.api.model.Config c;
        try {
            c = KubeconfigYaml.parse(text); // fabric8's result, mostly without Jackson's start-up cost
        } catch (RuntimeException e) {
            throw new K8sCapException(ExitCode.CONFIG, "kubeconfig " + f + " is not valid kubeconfig YAML (" + yamlProblem(e)
                    + "); fix it or pass --kubeconfig PATH", e);
        }
        return c == null ? new io.fabric8.kubernetes.api.model.Config() : c;
    }

    private static final Pattern LINE_COLUMN = Pattern.compile("line (\\d+), column (\\d+)");

    /** The parser's first line and position, without Java class names. */
    private static String yamlProblem(Throwable e) {
        String msg = rootMessage(e);
        if (msg.contains("Cannot construct instance") || msg.contains("Cannot deserialize") || msg.contains("Unrecognized")) {
            return "not a mapping with clusters, contexts and users";
        }
        Matcher m = LINE_COLUMN.matcher(msg);
        return Text.safe(firstLine(msg), 100) + (m.find() ? " at line " + m.group(1) + ", column " + m.group(2) : "");
    }

    /** As {@link #fromApi(KubernetesClientException, String, String)} without naming the API server. */
    public static K8sCapException fromApi(KubernetesClientException e, String what) {
        return fromApi(e, what, null);
    }

    /**
     * Maps an API failure to the exit-code table, in one line without credentials or stack trace.
     *
     * @param what      the request in {@code kubectl auth can-i} form: VERB RESOURCE[/NAME] [-n NS | -A],
     *                  e.g. {@code "list pods -n flyte"}
     * @param apiServer the API server URL (user info is dropped), or null
     */
    public static K8sCapException fromApi(KubernetesClientException e, String what, String apiServer) {
        String w = Text.safe(what);
        String server = apiServer == null ? "the API server" : "the API server " + withoutUserInfo(apiServer);
        String status = statusMessage(e);
        int code = e.getCode();
        Throwable net = networkCause(e);
        if (code == 401) {
            return new K8sCapException(ExitCode.DENIED, server + " rejected the credentials (401 Unauthorized) for " + w
                    + "; log in again or refresh the kubeconfig's token, then check with kubectl auth can-i " + w, e);
        }
        if (code == 403) {
            return new K8sCapException(ExitCode.DENIED, "not allowed to " + w + " (403 Forbidden" + status
                    + "); check your RBAC: kubectl auth can-i " + w, e);
        }
        if (code == 404) {
            return new K8sCapException(ExitCode.NOT_FOUND, "not found: " + w + " (404" + status + ")", e);
        }
        if (code == 429 || code == 503 || code == 504) {
            return new K8sCapException(ExitCode.UNAVAILABLE, server + " is overloaded or unavailable (" + code + status
                    + ") for " + w + "; try again shortly", e);
        }
        if (net instanceof SSLException) {
            return new K8sCapException(ExitCode.CONFIG, "TLS with " + server + " failed for " + w + " ("
                    + Text.safe(net.getMessage(), 120) + "); check certificate-authority in the kubeconfig", e);
        }
        if (net != null) {
            return new K8sCapException(ExitCode.UNAVAILABLE, "cannot reach " + server + " (" + describe(net) + ") to " + w
                    + "; check that the cluster is up and that --context/--kubeconfig point at it", e);
        }
        return new K8sCapException(ExitCode.FAILURE, "API request failed: " + w + " ("
                + (code > 0 ? code + status : Text.safe(firstLine(rootMessage(e)), 160)) + ")", e);
    }

    private static String statusMessage(KubernetesClientException e) {
        Status s = e.getStatus();
        if (s == null || s.getMessage() == null || s.getMessage().isBlank()) {
            return "";
        }
        return ": " + Text.safe(s.getMessage(), 200);
    }

    private static Throwable networkCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnknownHostException || t instanceof NoRouteToHostException
                    || t instanceof HttpTimeoutException || t instanceof InterruptedIOException
                    || t instanceof TimeoutException || t instanceof SSLException) {
                return t;
            }
        }
        return null;
    }

    private static String describe(Throwable t) {
        if (t instanceof UnknownHostException) {
            return "unknown host " + Text.safe(t.getMessage(), 100);
        }
        if (t instanceof ConnectException) {
            return "connection refused";
        }
        if (t instanceof NoRouteToHostException) {
            return "no route to host";
        }
        return "timed out";
    }

    static String withoutUserInfo(String url) {
        try {
            URI u = URI.create(url.trim());
            if (u.getUserInfo() == null) {
                return Text.safe(url);
            }
            return Text.safe(new URI(u.getScheme(), null, u.getHost(), u.getPort(), u.getPath(), null, null).toString());
        } catch (Exception e) {
            return Text.safe(url.replaceAll("//[^/@]*@", "//"));
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return Objects.requireNonNullElse(t.getMessage(), t.getClass().getSimpleName());
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }
}
