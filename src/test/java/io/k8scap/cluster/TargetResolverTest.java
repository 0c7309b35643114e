package io.k8scap.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@EnableKubernetesMockClient(crud = true)
class TargetResolverTest {
    static final String NS = "flyte";

    KubernetesClient client;
    KubernetesMockServer server;

    final List<String> notices = new ArrayList<>();
    TargetResolver resolver;

    // ---- fixtures: a small namespace shaped like a real one --------------------------------

    static OwnerReference owner(String kind, String name, String uid) {
        return new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind(kind).withName(name).withUid(uid)
                .withController(true).build();
    }

    /** A running pod with one container "app" (containerd://<name>-id), scheduled to {@code node}. */
    static PodBuilder pod(String ns, String name, String node) {
        return new PodBuilder()
                .withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().withNodeName(node).addNewContainer().withName("app").withImage("busybox").endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP("10.244.1." + (name.length() % 250))
                .addNewContainerStatus().withName("app").withContainerID("containerd://" + name + "-id")
                .withNewState().withNewRunning().withStartedAt("2025-01-01T00:00:00Z").endRunning().endState()
                .endContainerStatus()
                .endStatus();
    }

    void create(HasMetadata... objects) {
        for (HasMetadata o : objects) {
            client.resource(o).create();
        }
    }

    /** Creates and returns the server's UID (the API server assigns UIDs; owner references must use them). */
    String uid(HasMetadata o) {
        return client.resource(o).create().getMetadata().getUid();
    }

    @BeforeEach
    void cluster() {
        resolver = new TargetResolver(client, notices::add);
        // Deployment → ReplicaSet → 2 pods; plus a pod with the same labels owned by another workload.
        String deploy = uid(new DeploymentBuilder().withNewMetadata().withNamespace(NS).withName("flyteadmin").endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", "flyteadmin").endSelector().endSpec().build());
        String rs = uid(new ReplicaSetBuilder().withNewMetadata().withNamespace(NS).withName("flyteadmin-7d9")
                .withOwnerReferences(owner("Deployment", "flyteadmin", deploy))
                .addToLabels("app", "flyteadmin").endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", "flyteadmin").endSelector().endSpec().build());
        create(pod(NS, "flyteadmin-7d9-a", "node-1").editMetadata().addToLabels("app", "flyteadmin")
                        .withOwnerReferences(owner("ReplicaSet", "flyteadmin-7d9", rs)).endMetadata().build(),
                pod(NS, "flyteadmin-7d9-b", "node-2").editMetadata().addToLabels("app", "flyteadmin")
                        .withOwnerReferences(owner("ReplicaSet", "flyteadmin-7d9", rs)).endMetadata().build(),
                pod(NS, "impostor-1", "node-1").editMetadata().addToLabels("app", "flyteadmin")
                        .withOwnerReferences(owner("ReplicaSet", "impostor", "rs-other")).endMetadata().build());
        // StatefulSet with an owned pod.
        String sts = uid(new StatefulSetBuilder().withNewMetadata().withNamespace(NS).withName("db").endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", "db").endSelector().endSpec().build());
        create(pod(NS, "db-0", "node-2").editMetadata().addToLabels(Map.of("app", "db", "tier", "data"))
                .withOwnerReferences(owner("StatefulSet", "db", sts)).endMetadata().build());
        // DaemonSet (set-based selector) whose pods carry no owner references: found by its selector; hostNetwork.
        create(new DaemonSetBuilder().withNewMetadata().withNamespace(NS).withName("agent").endMetadata()
                        .withNewSpec().withNewSelector().addNewMatchExpression().withKey("app").withOperator("In")
                        .withValues("agent").endMatchExpression().endSelector().endSpec().build(),
                pod(NS, "agent-x", "node-1").editMetadata().addToLabels("app", "agent").endMetadata()
                        .editSpec().withHostNetwork(true).endSpec().build());
        // Job whose only pod has finished.
        String job = uid(new JobBuilder().withNewMetadata().withNamespace(NS).withName("migrate").endMetadata()
                .withNewSpec().endSpec().build());
        create(pod(NS, "migrate-abc", "node-1").editMetadata().withOwnerReferences(owner("Job", "migrate", job)).endMetadata()
                .editStatus().withPhase("Succeeded").endStatus().build());
        // Services: one with a selector, one without (EndpointSlice names the pod).
        create(new ServiceBuilder().withNewMetadata().withNamespace(NS).withName("web").endMetadata()
                        .withNewSpec().addToSelector("app", "flyteadmin").endSpec().build(),
                new ServiceBuilder().withNewMetadata().withNamespace(NS).withName("external-db").endMetadata()
                        .withNewSpec().endSpec().build(),
                new EndpointSliceBuilder().withNewMetadata().withNamespace(NS).withName("external-db-x1")
                        .addToLabels(TargetResolver.SERVICE_NAME_LABEL, "external-db").endMetadata()
                        .withAddressType("IPv4")
                        .addNewEndpoint().withAddresses("10.244.1.4")
                        .withNewTargetRef().withKind("Pod").withName("db-0").withNamespace(NS).endTargetRef().endEndpoint()
                        .build());
        // A word naming two workload kinds.
        create(new DeploymentBuilder().withNewMetadata().withNamespace(NS).withName("cache").endMetadata()
                        .withNewSpec().withNewSelector().addToMatchLabels("app", "cache").endSelector().endSpec().build(),
                new StatefulSetBuilder().withNewMetadata().withNamespace(NS).withName("cache").endMetadata()
                        .withNewSpec().withNewSelector().addToMatchLabels("app", "cache").endSelector().endSpec().build());
        // A deployment scaled to zero.
        create(new DeploymentBuilder().withNewMetadata().withNamespace(NS).withName("idle").endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", "idle").endSelector().endSpec().build());
        // Pods in trouble, a multi-container pod, pods sharing a prefix with no workload.
        create(pod(NS, "pending-pod", null).editStatus().withPhase("Pending").withContainerStatuses()
                        .addNewCondition().withType("PodScheduled").withStatus("False").withReason("Unschedulable")
                        .withMessage("0/3 nodes are available: 3 Insufficient cpu.").endCondition().endStatus().build(),
                pod(NS, "crash", "node-1").editStatus().editFirstContainerStatus().withContainerID(null)
                        .withNewState().withNewWaiting().withReason("CrashLoopBackOff").endWaiting().endState()
                        .endContainerStatus().endStatus().build(),
                pod(NS, "multi", "node-2").editMetadata().addToAnnotations(TargetResolver.DEFAULT_CONTAINER_ANNOTATION, "sidecar")
                        .endMetadata()
                        .editSpec().addNewContainer().withName("sidecar").withImage("envoy").endContainer().endSpec()
                        .editStatus().addNewContainerStatus().withName("sidecar").withContainerID("containerd://multi-sidecar")
                        .endContainerStatus().endStatus().build(),
                pod(NS, "batchy-1", "node-1").build(),
                pod(NS, "batchy-2", "node-2").editStatus().withPhase("Failed").endStatus().build());
        // Another namespace.
        create(pod("other", "lonely", "node-3").editMetadata().addToLabels("app", "flyteadmin").endMetadata().build(),
                pod("other", "db-0", "node-3").build());
    }

    List<ResolvedPod> resolve(String... targets) {
        return resolver.resolve(new TargetQuery(NS, false, List.of(targets), null, null));
    }

    static List<String> keys(List<ResolvedPod> pods) {
        return pods.stream().map(ResolvedPod::key).toList();
    }

    K8sCapException failure(TargetQuery q) {
        K8sCapException e = catchThrowableOfType(K8sCapException.class, () -> resolver.resolve(q));
        assertThat(e).as("expected resolution of %s to fail", q).isNotNull();
        assertThat(e.getMessage()).as("one line").doesNotContain("\n");
        return e;
    }

    K8sCapException failure(String... targets) {
        return failure(new TargetQuery(NS, false, List.of(targets), null, null));
    }

    // ---- forms ------------------------------------------------------------------------------

    @Test
    void exactPodNameGivesThePodWithNodeContainerAndContainerId() {
        List<ResolvedPod> pods = resolve("flyteadmin-7d9-a");
        String uid = client.pods().inNamespace(NS).withName("flyteadmin-7d9-a").get().getMetadata().getUid();
        assertThat(pods).containsExactly(new ResolvedPod(NS, "flyteadmin-7d9-a", uid, "node-1",
                "10.244.1.16", false, "app", "containerd://flyteadmin-7d9-a-id"));
        assertThat(notices).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({
        "deploy/flyteadmin, deployment flyte/flyteadmin",
        "deployment/flyteadmin, deployment flyte/flyteadmin",
        "deployments/flyteadmin, deployment flyte/flyteadmin",
        "rs/flyteadmin-7d9, replicaset flyte/flyteadmin-7d9",
        "replicaset/flyteadmin-7d9, replicaset flyte/flyteadmin-7d9",
        "flyteadmin, deployment flyte/flyteadmin",
    })
    void workloadFormsGiveTheWorkloadsPodsOnlyAndSaySo(String target, String described) {
        assertThat(keys(resolve(target))).containsExactly("flyte/flyteadmin-7d9-a", "flyte/flyteadmin-7d9-b");
        assertThat(notices).containsExactly(target + ": " + described + " → 2 pods: flyteadmin-7d9-a, flyteadmin-7d9-b");
    }

    @ParameterizedTest
    @CsvSource({"svc/web", "service/web", "services/web"})
    void serviceWithSelectorGivesEveryPodItsSelectorMatches(String target) {
        // Unlike deploy/, a Service routes to any pod with the labels, the impostor included.
        assertThat(keys(resolve(target))).containsExactly("flyte/flyteadmin-7d9-a", "flyte/flyteadmin-7d9-b", "flyte/impostor-1");
        assertThat(notices).containsExactly(target + ": service flyte/web → 3 pods: flyteadmin-7d9-a, flyteadmin-7d9-b, impostor-1");
    }

    @ParameterizedTest
    @CsvSource({"pod/db-0", "po/db-0", "pods/db-0", "sts/db", "statefulset/db", "db", "svc/external-db"})
    void podAndStatefulSetFormsAndSelectorlessServiceViaEndpointSlices(String target) {
        assertThat(keys(resolve(target))).containsExactly("flyte/db-0");
    }

    @Test
    void daemonSetPodsWithoutOwnerReferencesAreFoundByItsSelectorAndHostNetworkIsNoted() {
        List<ResolvedPod> pods = resolve("ds/agent");
        assertThat(pods).singleElement().satisfies(p -> {
            assertThat(p.name()).isEqualTo("agent-x");
            assertThat(p.hostNetwork()).isTrue();
        });
        assertThat(notices).anySatisfy(n -> assertThat(n).contains("flyte/agent-x").contains("hostNetwork")
                .contains("shares the network namespace of node"));
    }

    @Test
    void bareWordFallsBackToDaemonSet() {
        assertThat(keys(resolve("agent"))).containsExactly("flyte/agent-x");
        assertThat(notices.get(0)).isEqualTo("agent: daemonset flyte/agent → 1 pod: agent-x");
    }

    @Test
    void prefixMatchIsTheLastResortAndSaysSoAndSkipsFinishedPods() {
        assertThat(keys(resolve("batchy"))).containsExactly("flyte/batchy-1");
        assertThat(notices).containsExactly(
                "no pod or workload named batchy in namespace flyte; using pods whose name starts with batchy-: batchy-1, batchy-2",
                "skipping: pod flyte/batchy-2 has finished (phase Failed), so it has no running containers;"
                        + " pick a running pod (kubectl get pods -n flyte)");
    }

    @Test
    void severalTargetsAreDeduplicatedInOrder() {
        List<ResolvedPod> pods = resolve("flyteadmin-7d9-b", "deploy/flyteadmin", "svc/external-db", "db-0");
        assertThat(keys(pods)).containsExactly("flyte/flyteadmin-7d9-b", "flyte/flyteadmin-7d9-a", "flyte/db-0");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "app=flyteadmin          | flyte/flyteadmin-7d9-a, flyte/flyteadmin-7d9-b, flyte/impostor-1",
        "app in (db,agent)       | flyte/agent-x, flyte/db-0",
        "app=db,tier=data        | flyte/db-0",
        "tier                    | flyte/db-0",
        "app,app!=flyteadmin     | flyte/agent-x, flyte/db-0",
        "app notin (flyteadmin, db, agent), app | ''",
    })
    void labelSelectorSyntax(String selector, String expected) {
        TargetQuery q = new TargetQuery(NS, false, List.of(), selector, null);
        if (expected.isEmpty()) {
            K8sCapException e = failure(q);
            assertThat(e.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
            assertThat(e.getMessage()).isEqualTo("no pods match -l " + selector + " in namespace flyte;"
                    + " check the labels (kubectl get pods --show-labels -n flyte) or use -A");
            return;
        }
        assertThat(String.join(", ", keys(resolver.resolve(q)))).isEqualTo(expected);
        assertThat(notices.get(0)).startsWith("-l " + selector + ": ");
    }

    @Test
    void selectorWithoutKeyExcludesLabelledPods() {
        // !app: pods with no app label at all.
        List<ResolvedPod> pods = resolver.resolve(new TargetQuery(NS, false, List.of(), "!app", null));
        assertThat(keys(pods)).contains("flyte/batchy-1", "flyte/multi").doesNotContain("flyte/db-0", "flyte/agent-x");
    }

    @Test
    void selectorAcrossAllNamespaces() {
        List<ResolvedPod> pods = resolver.resolve(new TargetQuery(NS, true, List.of(), "app=flyteadmin", null));
        assertThat(keys(pods)).containsExactly("flyte/flyteadmin-7d9-a", "flyte/flyteadmin-7d9-b", "flyte/impostor-1",
                "other/lonely");
        assertThat(notices.get(0)).isEqualTo("-l app=flyteadmin: 4 pods in any namespace: flyte/flyteadmin-7d9-a,"
                + " flyte/flyteadmin-7d9-b, flyte/impostor-1, other/lonely");
    }

    @Test
    void podNameAcrossAllNamespaces() {
        assertThat(keys(resolver.resolve(new TargetQuery("default", true, List.of("lonely"), null, null))))
                .containsExactly("other/lonely");
        K8sCapException e = failure(new TargetQuery("default", true, List.of("db-0"), null, null));
        assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(e.getMessage()).isEqualTo("pod/db-0 exists in several namespaces (flyte, other); pick one with -n NAMESPACE");
    }

    // ---- containers -------------------------------------------------------------------------

    @Test
    void defaultContainerAnnotationIsHonouredAndNamed() {
        assertThat(resolve("multi")).singleElement().satisfies(p -> {
            assertThat(p.containerName()).isEqualTo("sidecar");
            assertThat(p.containerId()).isEqualTo("containerd://multi-sidecar");
        });
        assertThat(notices).containsExactly("pod flyte/multi: using container sidecar (of app, sidecar; pick another with -c)");
    }

    @Test
    void dashCPicksTheContainer() {
        List<ResolvedPod> pods = resolver.resolve(new TargetQuery(NS, false, List.of("multi"), null, "app"));
        assertThat(pods).singleElement().satisfies(p -> {
            assertThat(p.containerName()).isEqualTo("app");
            assertThat(p.containerId()).isEqualTo("containerd://multi-id");
        });
        assertThat(notices).isEmpty();
    }

    @Test
    void unknownContainerListsThePodsContainers() {
        K8sCapException e = failure(new TargetQuery(NS, false, List.of("multi"), null, "envoy"));
        assertThat(e.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(e.getMessage()).isEqualTo("container 'envoy' not found in pod flyte/multi; its containers: app, sidecar"
                + " (pick one with -c)");
    }

    @Test
    void unknownContainerInAWorkloadIsAnErrorNotASkip() {
        K8sCapException e = failure(new TargetQuery(NS, false, List.of("deploy/flyteadmin"), null, "nope"));
        assertThat(e.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(e.getMessage()).startsWith("container 'nope' not found in pod flyte/flyteadmin-7d9-a");
    }

    // ---- errors -----------------------------------------------------------------------------

    @Test
    void unknownNameSuggestsCloseNames() {
        K8sCapException e = failure("flyteadmn");
        assertThat(e.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(e.getMessage()).isEqualTo("no pod or workload named 'flyteadmn' in namespace flyte;"
                + " did you mean deploy/flyteadmin, flyteadmin-7d9-a, flyteadmin-7d9-b?"
                + "; check the name, or use -n NAMESPACE or -A");
    }

    @Test
    void unknownNameWithNothingCloseStillSaysWhatToTry() {
        K8sCapException e = failure("zzzzzz");
        assertThat(e.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(e.getMessage()).isEqualTo("no pod or workload named 'zzzzzz' in namespace flyte;"
                + " check the name, or use -n NAMESPACE or -A");
    }

    @Test
    void unknownKindNameSuggestsThatKindsNames() {
        K8sCapException e = failure("sts/dbb");
        assertThat(e.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(e.getMessage()).isEqualTo("statefulset 'dbb' not found in namespace flyte; did you mean sts/db?"
                + "; check the name, or use -n NAMESPACE or -A");
    }

    @Test
    void podInAnotherNamespaceIsNotFoundHere() {
        K8sCapException e = failure("lonely");
        assertThat(e.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(e.getMessage()).contains("'lonely'").contains("in namespace flyte").contains("-n NAMESPACE or -A");
    }

    @Test
    void wordNamingSeveralWorkloadKindsIsAmbiguous() {
        K8sCapException e = failure("cache");
        assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(e.getMessage()).isEqualTo("'cache' names several workloads in namespace flyte: deploy/cache, sts/cache;"
                + " pick one, e.g. deploy/cache");
    }

    @Test
    void workloadWithoutPods() {
        K8sCapException e = failure("deploy/idle");
        assertThat(e.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(e.getMessage()).isEqualTo("deployment flyte/idle has no pods (scaled to 0, or not started yet);"
                + " check kubectl get deployments.apps idle -n flyte");
    }

    @Test
    void pendingPodIsUnavailableWithTheSchedulersReason() {
        K8sCapException e = failure("pending-pod");
        assertThat(e.exitCode()).isEqualTo(ExitCode.UNAVAILABLE);
        assertThat(e.getMessage()).isEqualTo("pod flyte/pending-pod is Pending and not scheduled to a node"
                + " (Unschedulable: 0/3 nodes are available: 3 Insufficient cpu.); see kubectl describe pod pending-pod -n flyte");
    }

    @Test
    void finishedPodNamesItsPhase() {
        K8sCapException e = failure("migrate-abc");
        assertThat(e.exitCode()).isEqualTo(ExitCode.UNAVAILABLE);
        assertThat(e.getMessage()).contains("pod flyte/migrate-abc").contains("phase Succeeded");
    }

    @Test
    void jobWhoseOnlyPodFinishedIsUnavailable() {
        K8sCapException e = failure("job/migrate");
        assertThat(e.exitCode()).isEqualTo(ExitCode.UNAVAILABLE);
        assertThat(e.getMessage()).contains("pod flyte/migrate-abc").contains("phase Succeeded");
        assertThat(notices).containsExactly("job/migrate: job flyte/migrate → 1 pod: migrate-abc");
    }

    @Test
    void crashLoopingContainerNamesTheReason() {
        K8sCapException e = failure("crash");
        assertThat(e.exitCode()).isEqualTo(ExitCode.UNAVAILABLE);
        assertThat(e.getMessage()).isEqualTo("container app of pod flyte/crash is not running (waiting: CrashLoopBackOff);"
                + " see kubectl describe pod crash -n flyte");
    }

    @Test
    void terminatedContainerNamesReasonAndExitCode() {
        create(pod(NS, "oom", "node-1").editStatus().editFirstContainerStatus().withNewState().withNewTerminated()
                .withReason("OOMKilled").withExitCode(137).endTerminated().endState().endContainerStatus().endStatus().build());
        K8sCapException e = failure("oom");
        assertThat(e.exitCode()).isEqualTo(ExitCode.UNAVAILABLE);
        assertThat(e.getMessage()).contains("not running (terminated: OOMKilled, exit code 137)");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "cm/x     | unknown kind 'cm' in cm/x; use one of pod/, deploy/, sts/, ds/, rs/, job/, svc/",
        "deploy/  | 'deploy/' is not KIND/NAME; e.g. deploy/web",
        "a/b/c    | unknown kind 'a' in a/b/c; use one of pod/, deploy/, sts/, ds/, rs/, job/, svc/",
    })
    void badKindSyntaxIsAUsageError(String target, String message) {
        K8sCapException e = failure(target);
        assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(e.getMessage()).isEqualTo(message);
    }

    @Test
    void namesAndSelectorTogetherOrNeitherIsAUsageError() {
        K8sCapException both = failure(new TargetQuery(NS, false, List.of("db-0"), "app=db", null));
        assertThat(both.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(both.getMessage()).isEqualTo("give either names (db-0) or -l app=db, not both");
        K8sCapException none = failure(new TargetQuery(NS, false, List.of(), null, null));
        assertThat(none.exitCode()).isEqualTo(ExitCode.USAGE);
    }

    @Test
    void forbiddenPodGetIsDeniedWithTheCanIHint() {
        server.expect().get().withPath("/api/v1/namespaces/flyte/pods/secret-pod")
                .andReturn(403, new StatusBuilder().withCode(403).withReason("Forbidden")
                        .withMessage("pods \"secret-pod\" is forbidden: User \"bob\" cannot get resource \"pods\" in API group \"\""
                                + " in the namespace \"flyte\"").build())
                .always();
        K8sCapException e = failure("secret-pod");
        assertThat(e.exitCode()).isEqualTo(ExitCode.DENIED);
        assertThat(e.getMessage()).startsWith("not allowed to get pods/secret-pod -n flyte (403 Forbidden: pods \"secret-pod\"")
                .endsWith("); check your RBAC: kubectl auth can-i get pods/secret-pod -n flyte");
    }

    @Test
    void forbiddenPodListForSelectorIsDenied() {
        server.expect().get().withPath("/api/v1/namespaces/flyte/pods?labelSelector=app%3Ddb")
                .andReturn(403, new StatusBuilder().withCode(403).withMessage("pods is forbidden").build()).always();
        K8sCapException e = failure(new TargetQuery(NS, false, List.of(), "app=db", null));
        assertThat(e.exitCode()).isEqualTo(ExitCode.DENIED);
        assertThat(e.getMessage()).isEqualTo("not allowed to list pods -n flyte (403 Forbidden: pods is forbidden);"
                + " check your RBAC: kubectl auth can-i list pods -n flyte");
    }

    @Test
    void unauthorizedSaysCredentialsWereRejected() {
        server.expect().get().withPath("/api/v1/namespaces/flyte/pods/db-0")
                .andReturn(401, new StatusBuilder().withCode(401).withMessage("Unauthorized").build()).always();
        K8sCapException e = failure("db-0");
        assertThat(e.exitCode()).isEqualTo(ExitCode.DENIED);
        assertThat(e.getMessage()).contains("rejected the credentials (401 Unauthorized) for get pods/db-0 -n flyte")
                .contains("kubectl auth can-i get pods/db-0 -n flyte");
    }

    @Test
    void podsOfTheDeploymentAreNotConfusedWithPodsThatOnlyShareItsLabels() {
        assertThat(keys(resolve("deploy/flyteadmin"))).doesNotContain("flyte/impostor-1");
    }
}
