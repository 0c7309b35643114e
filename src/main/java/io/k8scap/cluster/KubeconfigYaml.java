package io.k8scap.cluster;

import io.fabric8.kubernetes.api.model.AuthInfo;
import io.fabric8.kubernetes.api.model.AuthProviderConfig;
import io.fabric8.kubernetes.api.model.Cluster;
import io.fabric8.kubernetes.api.model.Config;
import io.fabric8.kubernetes.api.model.Context;
import io.fabric8.kubernetes.api.model.ExecConfig;
import io.fabric8.kubernetes.api.model.ExecEnvVar;
import io.fabric8.kubernetes.api.model.NamedAuthInfo;
import io.fabric8.kubernetes.api.model.NamedCluster;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.api.model.NamedExtension;
import io.fabric8.kubernetes.api.model.Preferences;
import io.fabric8.kubernetes.api.model.runtime.RawExtension;
import io.fabric8.kubernetes.client.internal.KubeConfigUtils;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Reads a kubeconfig into fabric8's model without Jackson, which spends ≈ 0.1 s of a cold JVM
 * building YAML deserializers for the whole Config model, on the critical path of every command.
 *
 * <p>fabric8 ({@code KubeConfigUtils.parseConfigFromString}) loads the YAML with snakeyaml-engine
 * into Maps and Lists, then has Jackson convert that tree into {@link Config}. The fast path loads
 * it the very same way (same library, same settings, same bytes) and does the conversion by hand,
 * for exactly the fields of kubectl's kubeconfig v1. Whenever the tree holds anything else (an
 * unknown key at any level, a value of another type than the field's, a number where a string is
 * expected, a null inside a list, an extension that is not a plain mapping, several documents, a
 * JSON text) it declines and fabric8 parses the text: the result is always what fabric8 returns.
 * Syntax errors decline too, so fabric8 throws its usual messages.
 */
final class KubeconfigYaml {
    private KubeconfigYaml() {
    }

    /** What {@code KubeConfigUtils.parseConfigFromString(text)} returns (or throws), mostly without Jackson. */
    static Config parse(String text) {
        Config fast = parseFast(text);
        return fast != null ? fast : KubeConfigUtils.parseConfigFromString(text);
    }

    /** The kubeconfig read by hand, or null when the fast path declines (then only fabric8 knows the answer). */
    static Config parseFast(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (looksLikeJson(bytes)) {
            return null; // fabric8 reads these with Jackson's JSON parser, not snakeyaml-engine
        }
        Object doc;
        try {
            Iterator<Object> docs = new Load(LoadSettings.builder().build())
                    .loadAllFromInputStream(new ByteArrayInputStream(bytes)).iterator();
            if (!docs.hasNext()) {
                return null;
            }
            doc = docs.next();
            if (docs.hasNext()) {
                return null;
            }
        } catch (RuntimeException e) {
            return null; // syntax error, duplicate key, unknown tag...: fabric8 throws its own message
        }
        if (!(doc instanceof Map<?, ?> map)) {
            return null;
        }
        try {
            return config(map);
        } catch (RuntimeException declined) {
            return null; // Decline, or anything unforeseen: fabric8 decides
        }
    }

    /** fabric8's own test: the first byte that is no whitespace is '{' or '['. */
    private static boolean looksLikeJson(byte[] bytes) {
        for (byte b : bytes) {
            int c = b & 0xff;
            if (!Character.isWhitespace(c)) {
                return c == '{' || c == '[';
            }
        }
        return false;
    }

    private static Config config(Map<?, ?> m) {
        Config c = new Config();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            Object v = e.getValue();
            switch (key(e)) {
                case "apiVersion" -> c.setApiVersion(string(v));
                case "kind" -> c.setKind(string(v));
                case "current-context" -> c.setCurrentContext(string(v));
                case "preferences" -> c.setPreferences(object(v, KubeconfigYaml::preferences));
                case "clusters" -> c.setClusters(list(v, x -> namedCluster(map(x))));
                case "contexts" -> c.setContexts(list(v, x -> namedContext(map(x))));
                case "users" -> c.setUsers(list(v, x -> namedAuthInfo(map(x))));
                case "extensions" -> c.setExtensions(extensions(v));
                default -> throw Decline.INSTANCE;
            }
        }
        return c;
    }

    private static Preferences preferences(Map<?, ?> m) {
        Preferences p = new Preferences();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            switch (key(e)) {
                case "colors" -> p.setColors(bool(e.getValue()));
                case "extensions" -> p.setExtensions(extensions(e.getValue()));
                default -> throw Decline.INSTANCE;
            }
        }
        return p;
    }

    private static NamedCluster namedCluster(Map<?, ?> m) {
        NamedCluster n = new NamedCluster();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            switch (key(e)) {
                case "name" -> n.setName(string(e.getValue()));
                case "cluster" -> n.setCluster(object(e.getValue(), KubeconfigYaml::cluster));
                default -> throw Decline.INSTANCE;
            }
        }
        return n;
    }

    private static Cluster cluster(Map<?, ?> m) {
        Cluster c = new Cluster();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            Object v = e.getValue();
            switch (key(e)) {
                case "server" -> c.setServer(string(v));
                case "certificate-authority" -> c.setCertificateAuthority(string(v));
                case "certificate-authority-data" -> c.setCertificateAuthorityData(string(v));
                case "insecure-skip-tls-verify" -> c.setInsecureSkipTlsVerify(bool(v));
                case "tls-server-name" -> c.setTlsServerName(string(v));
                case "proxy-url" -> c.setProxyUrl(string(v));
                case "disable-compression" -> c.setDisableCompression(bool(v));
                case "extensions" -> c.setExtensions(extensions(v));
                default -> throw Decline.INSTANCE;
            }
        }
        return c;
    }

    private static NamedContext namedContext(Map<?, ?> m) {
        NamedContext n = new NamedContext();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            switch (key(e)) {
                case "name" -> n.setName(string(e.getValue()));
                case "context" -> n.setContext(object(e.getValue(), KubeconfigYaml::context));
                default -> throw Decline.INSTANCE;
            }
        }
        return n;
    }

    private static Context context(Map<?, ?> m) {
        Context c = new Context();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            Object v = e.getValue();
            switch (key(e)) {
                case "cluster" -> c.setCluster(string(v));
                case "user" -> c.setUser(string(v));
                case "namespace" -> c.setNamespace(string(v));
                case "extensions" -> c.setExtensions(extensions(v));
                default -> throw Decline.INSTANCE;
            }
        }
        return c;
    }

    private static NamedAuthInfo namedAuthInfo(Map<?, ?> m) {
        NamedAuthInfo n = new NamedAuthInfo();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            switch (key(e)) {
                case "name" -> n.setName(string(e.getValue()));
                case "user" -> n.setUser(object(e.getValue(), KubeconfigYaml::authInfo));
                default -> throw Decline.INSTANCE;
            }
        }
        return n;
    }

    private static AuthInfo authInfo(Map<?, ?> m) {
        AuthInfo a = new AuthInfo();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            Object v = e.getValue();
            switch (key(e)) {
                case "client-certificate" -> a.setClientCertificate(string(v));
                case "client-certificate-data" -> a.setClientCertificateData(string(v));
                case "client-key" -> a.setClientKey(string(v));
                case "client-key-data" -> a.setClientKeyData(string(v));
                case "token" -> a.setToken(string(v));
                case "tokenFile" -> a.setTokenFile(string(v));
                case "as" -> a.setAs(string(v));
                case "as-uid" -> a.setAsUid(string(v));
                case "as-groups" -> a.setAsGroups(list(v, KubeconfigYaml::nonNullString));
                case "as-user-extra" -> a.setAsUserExtra(v == null ? null : stringMap(v, x -> list(nonNull(x), KubeconfigYaml::nonNullString)));
                case "username" -> a.setUsername(string(v));
                case "password" -> a.setPassword(string(v));
                case "auth-provider" -> a.setAuthProvider(object(v, KubeconfigYaml::authProvider));
                case "exec" -> a.setExec(object(v, KubeconfigYaml::exec));
                case "extensions" -> a.setExtensions(extensions(v));
                default -> throw Decline.INSTANCE;
            }
        }
        return a;
    }

    private static AuthProviderConfig authProvider(Map<?, ?> m) {
        AuthProviderConfig p = new AuthProviderConfig();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            Object v = e.getValue();
            switch (key(e)) {
                case "name" -> p.setName(string(v));
                case "config" -> p.setConfig(v == null ? null : stringMap(v, KubeconfigYaml::nonNullString));
                default -> throw Decline.INSTANCE;
            }
        }
        return p;
    }

    private static ExecConfig exec(Map<?, ?> m) {
        ExecConfig x = new ExecConfig();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            Object v = e.getValue();
            switch (key(e)) {
                case "apiVersion" -> x.setApiVersion(string(v));
                case "command" -> x.setCommand(string(v));
                case "args" -> x.setArgs(list(v, KubeconfigYaml::nonNullString));
                case "env" -> x.setEnv(list(v, y -> execEnvVar(map(y))));
                case "installHint" -> x.setInstallHint(string(v));
                case "provideClusterInfo" -> x.setProvideClusterInfo(bool(v));
                case "interactiveMode" -> x.setInteractiveMode(string(v));
                default -> throw Decline.INSTANCE;
            }
        }
        return x;
    }

    private static ExecEnvVar execEnvVar(Map<?, ?> m) {
        ExecEnvVar v = new ExecEnvVar();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            switch (key(e)) {
                case "name" -> v.setName(string(e.getValue()));
                case "value" -> v.setValue(string(e.getValue()));
                default -> throw Decline.INSTANCE;
            }
        }
        return v;
    }

    private static List<NamedExtension> extensions(Object v) {
        return list(v, x -> namedExtension(map(x)));
    }

    private static NamedExtension namedExtension(Map<?, ?> m) {
        NamedExtension n = new NamedExtension();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            switch (key(e)) {
                case "name" -> n.setName(string(e.getValue()));
                case "extension" -> n.setExtension(extension(e.getValue()));
                default -> throw Decline.INSTANCE;
            }
        }
        return n;
    }

    /**
     * fabric8 reads an extension with its KubernetesDeserializer: a mapping without kind or
     * apiVersion becomes a RawExtension of the plain tree (what minikube writes: provider, version,
     * last-update). A typed resource, a scalar or numbers that Jackson might widen are declined.
     */
    private static Object extension(Object v) {
        if (v == null) {
            return null;
        }
        Map<?, ?> m = map(v);
        if (m.containsKey("kind") || m.containsKey("apiVersion")) {
            throw Decline.INSTANCE;
        }
        return new RawExtension(plain(m, 0));
    }

    /**
     * A copy of a tree of mappings with string keys, lists, strings and booleans; anything else
     * declines, and so does a tree deeper than any real extension (an alias can make it endless).
     */
    private static Object plain(Object v, int depth) {
        if (v instanceof String || v instanceof Boolean) {
            return v;
        }
        if (depth > 32) {
            throw Decline.INSTANCE;
        }
        if (v instanceof Map<?, ?> m) {
            return stringMap(m, x -> plain(x, depth + 1));
        }
        if (v instanceof List<?> l) {
            return list(l, x -> plain(x, depth + 1));
        }
        throw Decline.INSTANCE; // null, numbers, dates, binary
    }

    // ---- the values Jackson would take as they are ----

    private static String key(Map.Entry<?, ?> e) {
        if (e.getKey() instanceof String k) {
            return k;
        }
        throw Decline.INSTANCE;
    }

    /** A string field: a string or null (a number or boolean would be converted by Jackson: declined). */
    private static String string(Object v) {
        if (v == null || v instanceof String) {
            return (String) v;
        }
        throw Decline.INSTANCE;
    }

    private static String nonNullString(Object v) {
        if (v instanceof String s) {
            return s;
        }
        throw Decline.INSTANCE;
    }

    private static Object nonNull(Object v) {
        if (v != null) {
            return v;
        }
        throw Decline.INSTANCE;
    }

    private static Boolean bool(Object v) {
        if (v == null || v instanceof Boolean) {
            return (Boolean) v;
        }
        throw Decline.INSTANCE;
    }

    private static Map<?, ?> map(Object v) {
        if (v instanceof Map<?, ?> m) {
            return m;
        }
        throw Decline.INSTANCE; // includes null list items
    }

    private static <T> T object(Object v, Function<Map<?, ?>, T> build) {
        return v == null ? null : build.apply(map(v));
    }

    private static <T> List<T> list(Object v, Function<Object, T> item) {
        if (v == null) {
            return null;
        }
        if (!(v instanceof List<?> l)) {
            throw Decline.INSTANCE;
        }
        List<T> out = new ArrayList<>(l.size());
        for (Object x : l) {
            out.add(item.apply(x));
        }
        return out;
    }

    private static <T> Map<String, T> stringMap(Object v, Function<Object, T> value) {
        Map<String, T> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map(v).entrySet()) {
            out.put(key(e), value.apply(e.getValue()));
        }
        return out;
    }

    /** Thrown, without a stack trace, wherever the tree holds something the fast path does not map exactly. */
    private static final class Decline extends RuntimeException {
        static final Decline INSTANCE = new Decline();

        private Decline() {
            super(null, null, false, false);
        }
    }
}
