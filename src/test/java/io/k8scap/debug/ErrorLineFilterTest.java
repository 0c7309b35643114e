package io.k8scap.debug;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The node script's failure line is taken out of the remote stream; everything else passes untouched. */
class ErrorLineFilterTest {

    @ParameterizedTest(name = "[{index}] chunk {1}")
    @CsvSource(delimiter = '|', value = {
        // remote stderr (\\t, \\n escaped)                          | chunk | passed through                | marker
        "k8scap-debug-error\\tnotools\\tnsenter\\n                    | 1000  |                               | notools\\tnsenter",
        "k8scap-debug-error\\tnotools\\tnsenter\\n                    | 3     |                               | notools\\tnsenter",
        "k8scap-debug-error\\tgone\\t4242\\nthen more\\n              | 5     | then more\\n                  | gone\\t4242",
        "nsenter: failed to execute foo: No such file or directory\\n | 7     | nsenter: failed to execute foo: No such file or directory\\n | ",
        "k8scap\\n                                                    | 1     | k8scap\\n                     | ",
        "k8s                                                          | 1     | k8s                           | ",
        "later line\\nk8scap-debug-error\\tgone\\t1\\n                | 4     | later line\\nk8scap-debug-error\\tgone\\t1\\n | ",
        "k8scap-debug-error\\tdenied\\tuid 1000                       | 2     |                               | denied\\tuid 1000"})
    void filters(String input, int chunk, String passed, String marker) throws IOException {
        byte[] in = unescape(input).getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ErrorLineFilter f = new ErrorLineFilter(out);
        for (int i = 0; i < in.length; i += chunk) {
            f.write(in, i, Math.min(chunk, in.length - i));
        }
        f.finish();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(passed == null ? "" : unescape(passed));
        assertThat(f.marker()).isEqualTo(marker == null ? null : unescape(marker));
    }

    private static String unescape(String s) {
        return s.replace("\\t", "\t").replace("\\n", "\n");
    }
}
