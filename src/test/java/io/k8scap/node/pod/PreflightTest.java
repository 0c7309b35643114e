package io.k8scap.node.pod;

import io.k8scap.node.PodAccessSettings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import io.k8scap.node.NodeTarget;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Preflight outcomes, all decided before a helper pod exists. The mock API server answers
 * SelfSubjectAccessReviews (allowed unless the test denies a verb) and dry-run creates (not stored;
 * refused with the API server's real PodSecurity message when the test says so).
 */
@Timeout(60)
class PreflightTest {
    static final String NS = "diag";
    HelperPodMock mock = new HelperPodMock();
    List<String> notices = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        mock.close();
    }

    HelperPodConnector connector() {
        return new HelperPodConnector(mock.client, PodAccessSettings.defaults(), new HelperPods(mock.client, notices::add, Duration.ofMillis(20)), "s1");
    }

    K8sCapException refused() {
        var e = org.assertj.core.api.Assertions.catchThrowableOfType(K8sCapException.class,
                () -> connector().open(new NodeTarget("node-a", null), NS));
        assertThat(e).as("preflight refusal").isNotNull();
        assertThat(e.getMessage()).doesNotContain("\n");
        assertThat(mock.helperPods()).as("nothing created").isEmpty();
        return e;
    }

    @Test
    void allowedAndPrivilegedNamespaceGoesAheadAndTheDryRunSentTheRealSpec() {
        mock.namespace(NS, "privileged").kubelet(HelperPodMock::running);
        try (PodNodeSession s = connector().open(new NodeTarget("node-a", null), NS)) {
            assertThat(mock.helperPods()).hasSize(1);
        }
        assertThat(mock.dryRuns).singleElement().satisfies(body -> assertThat(body)
                .contains("\"privileged\":true", "\"hostPID\":true", "\"hostNetwork\":true", "\"nodeName\":\"node-a\""));
    }

    @Test
    void anUnlabelledNamespaceIsLeftToTheDryRun() {
        mock.namespace(NS, null).kubelet(HelperPodMock::running);
        try (PodNodeSession s = connector().open(new NodeTarget("node-a", null), NS)) {
            assertThat(s.helperPod().namespace()).isEqualTo(NS);
        }
    }

    @Test
    void deniedExecIsRefusedInOneLineNamingTheVerbAndWhatToDo() {
        mock.namespace(NS, "privileged");
        mock.denied.add("create pods/exec");
        mock.denied.add("delete pods");
        K8sCapException e = refused();
        assertThat(e.exitCode()).isEqualTo(ExitCode.DENIED);
        assertThat(e.getMessage()).isEqualTo("not allowed to delete pods, create pods/exec in namespace diag (a helper pod needs"
                + " create/get/delete pods and create pods/exec there; check with kubectl auth can-i create pods/exec -n diag);"
                + " ask for that access, pass --helper-namespace NS where you have it, or use --via ssh");
    }

    @ParameterizedTest
    @ValueSource(strings = {"baseline", "restricted"})
    void aNamespaceEnforcingBaselineOrRestrictedIsRefusedSayingWhichLabel(String level) {
        mock.namespace(NS, level);
        K8sCapException e = refused();
        assertThat(e.exitCode()).isEqualTo(ExitCode.DENIED);
        assertThat(e.getMessage()).contains("not allowed in namespace diag: it enforces PodSecurity level '" + level
                + "' (label pod-security.kubernetes.io/enforce)", "--helper-namespace NS",
                "kubectl label namespace diag pod-security.kubernetes.io/enforce=privileged --overwrite");
        assertThat(mock.dryRuns).isEmpty();
    }

    @Test
    void aDryRunRefusedByAdmissionIsOneDeniedLine() {
        // The cluster's default level (AdmissionConfiguration) applies to an unlabelled namespace: only the dry run sees it.
        mock.namespace(NS, null);
        mock.dryRunRefusal = "pods \"k8scap-helper-node-a-x\" is forbidden: violates PodSecurity \"baseline:latest\": host namespaces"
                + " (hostNetwork=true, hostPID=true), privileged (container \"helper\" must not set securityContext.privileged=true)";
        K8sCapException e = refused();
        assertThat(e.exitCode()).isEqualTo(ExitCode.DENIED);
        assertThat(e.getMessage()).startsWith("a privileged helper pod is not allowed in namespace diag: admission says it violates PodSecurity \"baseline:latest\"")
                .contains("--helper-namespace NS").doesNotContain("403 Forbidden");
    }

    @Test
    void preflightRunsOncePerNamespace() {
        mock.namespace(NS, "privileged").kubelet(HelperPodMock::running);
        HelperPodConnector c = connector();
        c.open(new NodeTarget("node-a", null), NS).close();
        c.open(new NodeTarget("node-b", null), NS).close();
        assertThat(mock.dryRuns).hasSize(1);
    }

    @Test
    void helperNamespaceOverridesTheTargets() {
        mock.namespace("k8scap-helpers", "privileged").kubelet(HelperPodMock::running);
        var c = new HelperPodConnector(mock.client, PodAccessSettings.defaults().withNamespace("k8scap-helpers"),
                new HelperPods(mock.client, notices::add, Duration.ofMillis(20)), "s1");
        try (PodNodeSession s = c.open(new NodeTarget("node-a", null), "shop")) {
            assertThat(s.helperPod().namespace()).isEqualTo("k8scap-helpers");
        }
    }

    @Test
    void aMissingNamespaceIsNotFound() {
        assertThatThrownBy(() -> connector().open(new NodeTarget("node-a", null), "nope"))
                .isInstanceOfSatisfying(K8sCapException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.NOT_FOUND));
        assertThat(HelperPods.spec("nope", "n", "s", PodAccessSettings.defaults(), Instant.now())).isNotNull();
    }
}
