package io.k8scap.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** context.sh's answer read back, the request k8scap sends, and the text written beside the capture. */
class PodContextTest {
    @Test
    void answerIsReadPerPidAndSectionAndOtherLinesAreIgnored() {
        String answer = """
                ctx\t123\taddr\t2: eth0@if38: <BROADCAST,UP> mtu 1500
                ctx\t123\taddr\t    inet 10.244.77.3/24 scope global eth0
                ctx\t123\tss\ttcp   LISTEN 0 9 *:8080 *:* users:(("httpd",pid=123,fd=3))
                ctx\t456\tnote\tthe container has no /etc/resolv.conf
                garbage\t1\taddr\tx
                ctx\tNaN\taddr\tx
                done\t-\tcontext
                """;
        Map<Long, Map<String, List<String>>> byPid = PodContext.parse(answer);
        assertThat(byPid).containsOnlyKeys(123L, 456L);
        assertThat(byPid.get(123L).get("addr")).containsExactly("2: eth0@if38: <BROADCAST,UP> mtu 1500", "    inet 10.244.77.3/24 scope global eth0");
        assertThat(byPid.get(123L).get("ss")).hasSize(1);
        assertThat(byPid.get(456L)).containsOnlyKeys("note");
    }

    @Test
    void requestSendsPidsAndOnlyAddressesNeverOtherText() {
        assertThat(PodContext.request(List.of(12L, 34L, 56L), java.util.Arrays.asList("10.0.0.7", "x; rm -rf /", null)))
                .containsExactly("context", "3", "12 10.0.0.7", "34 -", "56 -");
        assertThat(PodContext.request(List.of(7L), List.of("fd00::1"))).containsExactly("context", "1", "7 fd00::1");
    }

    @Test
    void textHasAHeadingPerSectionInAFixedOrder() {
        PodContext c = new PodContext("shop/cart-1", "lab-node-2", Instant.parse("2026-12-03T15:00:00Z"),
                Map.of("ss", List.of("tcp LISTEN"), "addr", List.of("inet 10.244.91.2/24")));
        String t = c.text();
        assertThat(t).startsWith("# k8scap network context of shop/cart-1 on node lab-node-2, at 2026-12-03T15:00:00Z\n");
        assertThat(t.indexOf("## ip addr")).isLessThan(t.indexOf("## ss -tanup"));
        assertThat(t).contains("## ip addr (pod network namespace)\ninet 10.244.91.2/24\n").doesNotContain("## ip route");
    }
}
