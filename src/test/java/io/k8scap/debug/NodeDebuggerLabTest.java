package io.k8scap.debug;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import io.k8scap.lab.Lab;
import io.k8scap.node.LocalNodeSession;
import io.k8scap.node.NodeSession;
import io.k8scap.node.NodeTarget;
import io.k8scap.node.ShellQuote;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The node script {@code debug.sh} on this machine (the lab node, without the SSH hop) for the
 * failures that happen before the command starts: nsenter missing, the process gone.
 */
@Tag("lab")
class NodeDebuggerLabTest {
    private final Lab lab = Lab.loadPods();

    /** This machine, with nsenter hidden from the debug script (a bind mount in a private mount namespace). */
    private static final class NoNsenterNode implements NodeSession {
        private final LocalNodeSession local = new LocalNodeSession(new NodeTarget("lab-node-1", "127.0.0.1"), false);

        @Override
        public NodeTarget target() {
            return local.target();
        }

        @Override
        public boolean sudo() {
            return false;
        }

        @Override
        public int exec(String commandLine, InputStream stdin, OutputStream stdout, OutputStream stderr) {
            String hide = "for f in /usr/bin/nsenter /usr/sbin/nsenter /bin/nsenter /sbin/nsenter /usr/local/bin/nsenter /usr/local/sbin/nsenter;"
                    + " do [ -e \"$f\" ] && mount --bind /dev/null \"$f\"; done; exec sh -c \"$1\"";
            return local.exec(ShellQuote.join(List.of("unshare", "-m", "--propagation", "private", "sh", "-c", hide, "k8scap-test", commandLine)),
                    stdin, stdout, stderr);
        }

        @Override
        public void close() {}
    }

    @Test
    void nsenterMissingOnTheNodeIsUnavailable() {
        long pid = lab.truth("docker").pid();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThatThrownBy(() -> new NodeDebugger().run(new NoNsenterNode(), pid, false, List.of("true"), OutputStream.nullOutputStream(), err))
                .isInstanceOfSatisfying(K8sCapException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.UNAVAILABLE);
                    assertThat(e.getMessage()).isEqualTo("nsenter is missing on node lab-node-1: install util-linux there, or use --via ephemeral");
                });
        assertThat(err.toString(StandardCharsets.UTF_8)).as("the script's marker line is not shown to the user").isEmpty();
    }

    @Test
    void aProcessThatIsGoneIsNotFound() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        long gone = p.pid();
        assertThatThrownBy(() -> new NodeDebugger().run(new LocalNodeSession(), gone, false, List.of("true"),
                OutputStream.nullOutputStream(), OutputStream.nullOutputStream()))
                .isInstanceOfSatisfying(K8sCapException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.NOT_FOUND));
    }

    @Test
    void theCommandLineQuotesEveryArgument() {
        String line = new NodeDebugger().commandLine(42, true, List.of("sh", "-c", "echo $HOME; rm -rf /"), true);
        assertThat(line).startsWith("sudo -n sh -c ").endsWith(" k8scap-debug 42 1 sh -c 'echo $HOME; rm -rf /'");
    }
}
