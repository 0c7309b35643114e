package io.k8scap.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LabelSelectorsTest {
    static final Map<String, String> LABELS = Map.of("app", "web", "tier", "frontend", "app.kubernetes.io/name", "web");

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "app=web                                  | true",
        "app==web                                 | true",
        "app = web                                | true",
        "app=db                                   | false",
        "app!=db                                  | true",
        "app!=web                                 | false",
        "missing!=x                               | true",
        "app in (db, web)                         | true",
        "app in (db,cache)                        | false",
        "app notin (db,cache)                     | true",
        "missing notin (a)                        | true",
        "tier                                     | true",
        "missing                                  | false",
        "!missing                                 | true",
        "!tier                                    | false",
        "app=web,tier in (frontend),!canary       | true",
        "app=web,tier=backend                     | false",
        "app.kubernetes.io/name=web               | true",
        "app=                                     | false",
        "missing=                                 | false",
    })
    void kubectlSelectorSyntax(String selector, boolean matches) {
        assertThat(LabelSelectors.matches(LabelSelectors.parse(selector), LABELS)).isEqualTo(matches);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "app=web,                 | empty requirement",
        "app in (a,b              | cannot read 'app in (a,b'",
        "app>1                    | cannot read 'app>1'",
        "app=we b                 | cannot read 'app=we b'",
        "app in (a b)             | 'a b' is not a label value",
        "=web                     | cannot read '=web'",
    })
    void malformedSelectorIsAUsageErrorNamingThePart(String selector, String why) {
        K8sCapException e = catchThrowableOfType(K8sCapException.class, () -> LabelSelectors.parse(selector));
        assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(e.getMessage()).isEqualTo("bad label selector -l " + selector + ": " + why
                + "; use key=value, key!=value, key in (a,b), key notin (a,b), key, !key (comma = and)");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "In           | web,db | true",
        "NotIn        | web    | false",
        "Exists       | ''     | true",
        "DoesNotExist | ''     | false",
    })
    void workloadSelectorExpressions(String op, String values, boolean matches) {
        var sel = new LabelSelectorBuilder().addToMatchLabels("tier", "frontend").addNewMatchExpression().withKey("app")
                .withOperator(op).withValues(values.isEmpty() ? new String[0] : values.split(",")).endMatchExpression().build();
        assertThat(LabelSelectors.matches(LabelSelectors.of(sel), LABELS)).isEqualTo(matches);
        assertThat(LabelSelectors.matches(LabelSelectors.of(sel), Map.of("app", "web"))).isFalse();
    }
}
