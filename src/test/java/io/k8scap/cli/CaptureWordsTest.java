package io.k8scap.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class CaptureWordsTest {
    private static CaptureWords split(String typed) {
        List<String> words = Arrays.asList(typed.split(" \\| "));
        int dash = words.indexOf("--");
        if (dash >= 0) {
            words = new java.util.ArrayList<>(words);
            words.remove(dash);
            return CaptureWords.split(words, words.size() - dash, false, null);
        }
        return CaptureWords.split(words, -1, false, null);
    }

    /** Words separated by " | " (so that one word may hold spaces), as the shell hands them over. */
    @ParameterizedTest(name = "capture {0}")
    @CsvSource(delimiter = ';', value = {
        "web                                  ; web               ; ",
        "web | tcp port 80                    ; web               ; tcp port 80",
        "web | tcp | port | 80                ; web               ; tcp port 80",
        "pod-a | pod-b | pod-c                ; pod-a,pod-b,pod-c ; ",
        "pod-a | deploy/api | sts/db          ; pod-a,deploy/api,sts/db ; ",
        "pod-a | pod-b | port | 8080          ; pod-a,pod-b       ; port 8080",
        "pod-a | pod-b | -- | tcp | port | 80 ; pod-a,pod-b       ; tcp port 80",
        "pod-a | -- | host | db-0             ; pod-a             ; host db-0",
        "web | tcp[13] & 2 != 0               ; web               ; tcp[13] & 2 != 0",
        "web | not | arp                      ; web               ; not arp",
        "web | 10.244.1.7                     ; web               ; 10.244.1.7",
        "port                                 ; port              ; ",
    })
    void targetsThenTheFilter(String typed, String targets, String filter) {
        CaptureWords w = split(typed.strip());
        assertThat(w.targets()).containsExactly(targets.strip().split(","));
        assertThat(w.filter()).isEqualTo(filter == null ? null : filter.strip());
    }

    @Test
    void nameShapedWordsInABareFilterAreTheOnesToCheck() {
        assertThat(split("web | tcp | cart").nameLike()).containsExactly("cart");
        assertThat(split("web | host | db-0 | and | port | 80").nameLike()).containsExactly("db-0");
        assertThat(split("web | tcp port 80").nameLike()).isEmpty();
        assertThat(split("web | -- | host | db-0").nameLike()).as("after --, the user said it is the filter").isEmpty();
    }

    @Test
    void withSelectorEveryWordIsTheFilterAndNamesAreRefused() {
        assertThat(CaptureWords.split(List.of("tcp", "port", "80"), -1, true, null)).isEqualTo(new CaptureWords(List.of(), "tcp port 80", List.of()));
        assertThat(CaptureWords.split(List.of("udp"), 1, true, null).filter()).isEqualTo("udp");
        assertThatThrownBy(() -> CaptureWords.split(List.of("web", "udp"), 1, true, null)).isInstanceOf(CaptureWords.Invalid.class)
                .hasMessage("give either names (web) or -l, not both");
    }

    @Test
    void filterFlagMakesEveryWordATargetAndExcludesDash() {
        assertThat(CaptureWords.split(List.of("a", "tcp"), -1, false, "port 80")).isEqualTo(new CaptureWords(List.of("a", "tcp"), "port 80", List.of()));
        assertThatThrownBy(() -> CaptureWords.split(List.of("a", "udp"), 1, false, "port 80"))
                .hasMessage("give the filter either after -- or with --filter, not both");
    }

    @Test
    void theDashFormForMessages() {
        assertThat(CaptureWords.dashForm(List.of("web", "cart"), "tcp")).isEqualTo("k8scap capture web cart -- tcp");
    }
}
