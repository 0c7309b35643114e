package io.k8scap.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Config;
import io.fabric8.kubernetes.client.internal.KubeConfigUtils;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fast kubeconfig reader must give exactly what fabric8's own parser gives (fabric8's models
 * implement equals), and must really be taken for the kubeconfigs people have.
 */
class KubeconfigYamlTest {
    /** Every field of kubectl's kubeconfig v1, several clusters, contexts and users. */
    static final String RICH = """
            apiVersion: v1
            kind: Config
            current-context: dev
            preferences:
              colors: true
              extensions:
              - name: pref-ext
                extension:
                  theme: dark
            clusters:
            - name: c1
              cluster:
                server: https://127.0.0.1:6443
                certificate-authority: /etc/k8s/ca.crt
                tls-server-name: api.internal
                proxy-url: socks5://127.0.0.1:1080
                disable-compression: true
                extensions:
                - name: c1-ext
                  extension:
                    provider: example.com
                    tags: [a, b]
                    nested: {enabled: false, list: [{x: "1"}]}
            - name: c2
              cluster:
                server: https://127.0.0.1:7443
                certificate-authority-data: Q0EgREFUQQ==
                insecure-skip-tls-verify: false
            contexts:
            - name: dev
              context:
                cluster: c1
                user: alice
                namespace: flyte
                extensions:
                - name: ctx-ext
                  extension: {note: "set by a tool"}
            - name: prod
              context: {cluster: c2, user: bob}
            users:
            - name: alice
              user:
                client-certificate: /home/alice/client.crt
                client-key: /home/alice/client.key
                as: admin
                as-uid: "1000"
                as-groups: [system:masters, ops]
                as-user-extra:
                  reason: [debugging, "ticket 42"]
                  scopes: []
                extensions:
                - name: user-ext
                  extension:
                    origin: sso
            - name: bob
              user:
                client-certificate-data: Q0VSVA==
                client-key-data: S0VZ
                token: s3cr3t
                tokenFile: /var/run/secrets/token
                username: bob
                password: "p@ss: word"
            - name: oidc
              user:
                auth-provider:
                  name: oidc
                  config:
                    client-id: k8s
                    idp-issuer-url: https://issuer.example.com
                    refresh-token: "r3fresh"
            - name: plugin
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: /usr/local/bin/credential-helper
                  args: [get, --verbose, "--format=json"]
                  env:
                  - name: HELPER_MODE
                    value: cluster
                  - name: EMPTY
                    value: ""
                  installHint: |
                    Install the helper:
                      brew install credential-helper
                  provideClusterInfo: true
                  interactiveMode: Never
            extensions:
            - name: top-ext
              extension:
                owner: platform-team
            - name: empty-ext
              extension: {}
            """;

    static final String KIND = """
            apiVersion: v1
            clusters:
            - cluster:
                certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUMvakNDQWVhZ0F3SUJBZ0lCQURBTkJna3Foa2lHOXcwQkFRc0ZBREFWCi0tLS0tRU5EIENFUlRJRklDQVRFLS0tLS0K
                server: https://127.0.0.1:40589
              name: kind-kind
            contexts:
            - context:
                cluster: kind-kind
                user: kind-kind
              name: kind-kind
            current-context: kind-kind
            kind: Config
            preferences: {}
            users:
            - name: kind-kind
              user:
                client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSURJVENDQWdtZ0F3SUJBZ0lJSGVaQ1FOTnQ=
                client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpNSUlFb3dJQkFBS0NBUUVB
            """;

    static final String GKE = """
            apiVersion: v1
            clusters:
            - cluster:
                certificate-authority-data: Q0EgREFUQQ==
                server: https://34.78.1.2
              name: gke_my-project_europe-west1_prod
            contexts:
            - context:
                cluster: gke_my-project_europe-west1_prod
                user: gke_my-project_europe-west1_prod
              name: gke_my-project_europe-west1_prod
            current-context: gke_my-project_europe-west1_prod
            kind: Config
            preferences: {}
            users:
            - name: gke_my-project_europe-west1_prod
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1beta1
                  command: gke-gcloud-auth-plugin
                  installHint: Install gke-gcloud-auth-plugin for use with kubectl by following
                    https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl#install_plugin
                  provideClusterInfo: true
            """;

    static final String EKS = """
            apiVersion: v1
            clusters:
            - cluster:
                certificate-authority-data: Q0EgREFUQQ==
                server: https://0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com
              name: arn:aws:eks:eu-west-1:123456789012:cluster/prod
            contexts:
            - context:
                cluster: arn:aws:eks:eu-west-1:123456789012:cluster/prod
                user: arn:aws:eks:eu-west-1:123456789012:cluster/prod
              name: arn:aws:eks:eu-west-1:123456789012:cluster/prod
            current-context: arn:aws:eks:eu-west-1:123456789012:cluster/prod
            kind: Config
            preferences: {}
            users:
            - name: arn:aws:eks:eu-west-1:123456789012:cluster/prod
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1beta1
                  args:
                  - --region
                  - eu-west-1
                  - eks
                  - get-token
                  - --cluster-name
                  - prod
                  - --output
                  - json
                  command: aws
                  env:
                  - name: AWS_PROFILE
                    value: prod
                  interactiveMode: IfAvailable
                  provideClusterInfo: false
            """;

    static final String MINIKUBE = """
            apiVersion: v1
            clusters:
            - cluster:
                certificate-authority: /home/me/.minikube/ca.crt
                extensions:
                - extension:
                    last-update: Tue, 20 Feb 2024 10:15:42 CET
                    provider: minikube.sigs.k8s.io
                    version: v1.32.0
                  name: cluster_info
                server: https://192.168.49.2:8443
              name: minikube
            contexts:
            - context:
                cluster: minikube
                extensions:
                - extension:
                    last-update: Tue, 20 Feb 2024 10:15:42 CET
                    provider: minikube.sigs.k8s.io
                    version: v1.32.0
                  name: context_info
                namespace: default
                user: minikube
              name: minikube
            current-context: minikube
            kind: Config
            preferences: {}
            users:
            - name: minikube
              user:
                client-certificate: /home/me/.minikube/profiles/minikube/client.crt
                client-key: /home/me/.minikube/profiles/minikube/client.key
            """;

    /** What kubectl writes for a config without entries (`kubectl config view` of an empty file). */
    static final String KUBECTL_EMPTY = """
            apiVersion: v1
            clusters: null
            contexts: null
            current-context: ""
            kind: Config
            preferences: {}
            users: null
            """;

    /** Explicit nulls for every kind of field: Jackson calls the setter with null, so must the fast path. */
    static final String NULLS = """
            apiVersion: ~
            kind:
            current-context: null
            preferences: {colors: null, extensions: null}
            extensions: null
            clusters:
            - name: c
              cluster: {server: null, insecure-skip-tls-verify: null, extensions: null}
            - name: nothing
              cluster: null
            contexts:
            - name: x
              context: {cluster: null, user: null, namespace: null, extensions: null}
            users:
            - name: u
              user:
                as-groups: null
                as-user-extra: null
                auth-provider: {name: gcp, config: null}
                exec: {command: x, args: null, env: null, provideClusterInfo: null}
                extensions:
                - name: e
                  extension: null
            - name: v
              user: null
            """;

    private static void assertFastAndEqual(String text) {
        Config fast = KubeconfigYaml.parseFast(text);
        assertThat(fast).as("the fast path is taken").isNotNull();
        assertThat(fast).isEqualTo(KubeConfigUtils.parseConfigFromString(text));
        assertThat(KubeconfigYaml.parse(text)).isEqualTo(fast);
    }

    /** The fast path declines and parse(text) gives (or throws) exactly what fabric8 does. */
    private static void assertDeclinedAndSameAsFabric8(String text) {
        assertThat(KubeconfigYaml.parseFast(text)).as("the fast path declines").isNull();
        Object expected;
        try {
            expected = KubeConfigUtils.parseConfigFromString(text);
        } catch (RuntimeException e) {
            expected = e.getClass() + ": " + e.getMessage();
        }
        Object actual;
        try {
            actual = KubeconfigYaml.parse(text);
        } catch (RuntimeException e) {
            actual = e.getClass() + ": " + e.getMessage();
        }
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void everyKubeconfigFieldIsReadLikeFabric8ReadsIt() {
        assertFastAndEqual(RICH);
        Config c = KubeconfigYaml.parseFast(RICH);
        // not vacuous: the fields really were filled
        assertThat(c.getUsers()).hasSize(4);
        assertThat(c.getUsers().get(3).getUser().getExec().getEnv()).hasSize(2);
        assertThat(c.getUsers().get(2).getUser().getAuthProvider().getConfig()).containsEntry("client-id", "k8s");
        assertThat(c.getUsers().get(0).getUser().getAsUserExtra()).containsKey("reason");
        assertThat(c.getClusters().get(0).getCluster().getDisableCompression()).isTrue();
        assertThat(c.getPreferences().getColors()).isTrue();
    }

    @Test
    void realWorldKubeconfigsTakeTheFastPath() {
        for (String text : new String[] {KIND, GKE, EKS, MINIKUBE, KubeClientsTest.KUBECONFIG}) {
            assertFastAndEqual(text);
        }
    }

    @Test
    void minikubeExtensionsAreTheSameRawExtensionsFabric8Makes() {
        Config c = KubeconfigYaml.parseFast(MINIKUBE);
        Object ext = c.getClusters().get(0).getCluster().getExtensions().get(0).getExtension();
        Object expected = KubeConfigUtils.parseConfigFromString(MINIKUBE).getClusters().get(0).getCluster()
                .getExtensions().get(0).getExtension();
        assertThat(ext).isEqualTo(expected).isNotNull();
        assertThat(ext.getClass()).isEqualTo(expected.getClass());
    }

    @Test
    void explicitNullsAndKubectlsEmptyConfigAreReadLikeFabric8ReadsThem() {
        assertFastAndEqual(KUBECTL_EMPTY);
        assertFastAndEqual(NULLS);
        assertThat(KubeconfigYaml.parseFast(KUBECTL_EMPTY).getClusters()).isNull(); // not the default empty list
    }

    @Test
    void flowStyleAndAnchorsAreTheSameTreeSoTheFastPathTakesThem() {
        // flow style: snakeyaml-engine gives the same Maps and Lists as block style -> fast path
        assertFastAndEqual("""
                # a comment first: a text starting with '{' is JSON to fabric8 (Jackson's JSON parser)
                {apiVersion: v1, kind: Config, current-context: a,
                 clusters: [{name: a, cluster: {server: "https://127.0.0.1:6443"}}],
                 contexts: [{name: a, context: {cluster: a, user: a}}], users: [{name: a, user: {token: t}}]}
                """);
        // anchor and alias: resolved by the loader into the same tree fabric8 converts -> fast path
        assertFastAndEqual("""
                clusters:
                - name: a
                  cluster: &shared {server: "https://127.0.0.1:6443", insecure-skip-tls-verify: true}
                - name: b
                  cluster: *shared
                users:
                - name: u
                  user: {token: t}
                """);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // an unknown key at the top, in a cluster, in an exec env entry: fabric8 keeps them as additionalProperties
        "apiVersion: v1\nfoo: bar\n",
        "clusters:\n- name: a\n  cluster: {server: 'https://h', certificate-authority-datum: x}\n",
        "users:\n- name: u\n  user: {exec: {command: c, env: [{name: A, value: b, secret: true}]}}\n",
        // a YAML merge key: YAML 1.2 has none, so '<<' is an unknown key
        "base: &b {server: 'https://h'}\nclusters:\n- name: a\n  cluster: {<<: *b}\n",
        // a !!binary value where a string belongs: the loader makes bytes, Jackson converts them
        "users:\n- name: u\n  user:\n    client-key-data: !!binary |\n      S0VZ\n",
        // numbers and booleans where strings belong: Jackson converts them
        "contexts:\n- name: x\n  context: {cluster: a, namespace: 123}\n",
        "users:\n- name: u\n  user: {password: true}\n",
        "users:\n- name: u\n  user: {exec: {command: c, args: [get, 42]}}\n",
        "users:\n- name: u\n  user: {auth-provider: {name: x, config: {expires-in: 3600}}}\n",
        // a string where a boolean belongs
        "clusters:\n- name: a\n  cluster: {server: 'https://h', insecure-skip-tls-verify: 'true'}\n",
        // a null list item
        "clusters:\n- \n- name: a\n",
        // an extension that names a kind, and one holding a number
        "extensions:\n- name: e\n  extension: {apiVersion: v1, kind: ConfigMap, metadata: {name: x}}\n",
        "extensions:\n- name: e\n  extension: {count: 3}\n",
        // JSON (fabric8 reads it with Jackson's JSON parser)
        "{\"apiVersion\": \"v1\", \"current-context\": \"a\"}",
        // several documents
        "apiVersion: v1\n---\napiVersion: v1\n",
        // no mapping at all, and syntax errors: fabric8 throws its own message
        "hello world\n",
        "clusters: [ {{ this is: not yaml\n\t- ]:\n",
        "a: 1\na: 2\n",
        "# only a comment\n",
    })
    void anythingElseFallsBackToFabric8AndGivesTheSameResult(String text) {
        assertDeclinedAndSameAsFabric8(text);
    }

    @Test
    void anExtensionMadeEndlessByAnAliasIsDeclinedNotFollowed() {
        // fabric8 itself dies of a StackOverflowError on this one (Jackson serializes the cycle);
        // the fast path must neither loop nor answer, so parse() behaves exactly as before
        assertThat(KubeconfigYaml.parseFast("extensions:\n- name: e\n  extension: &e {self: [*e]}\n")).isNull();
    }

    @Test
    void theFallbackReallyKeepsWhatOnlyFabric8Maps() {
        Config c = KubeconfigYaml.parse("apiVersion: v1\nfoo: bar\n");
        assertThat(c.getAdditionalProperties()).isEqualTo(Map.of("foo", "bar"));
        assertThat(Objects.requireNonNull(c).getApiVersion()).isEqualTo("v1");
    }
}
