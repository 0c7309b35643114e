package io.k8scap.startup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The install-time training run must get as far as a real command does before it needs a node:
 * if it stopped earlier (the API's answers no longer parse, an option was renamed), the archive it
 * records would silently cover less and every start would be slower.
 */
class TrainingTest {
    @Test
    void theArchiveGetsTheJdkHttp2AndTlsClasses() {
        // Both bugs this caught: the walk relativized against a relative path (nothing was loaded),
        // and java.net.http is a platform-loader module (the boot loader finds none of its classes).
        // Without them a cluster's first HTTP/2 answer and TLS handshake load ≈ 500 classes from the JDK image.
        assertThat(Training.preloadJdk()).isGreaterThan(400);
    }

    @Test
    void capturesAndLocatesUpToTheSshConnectionWhichIsRefused(@TempDir Path dir) throws Exception {
        Map<String, Integer> codes = Training.run(dir);

        assertThat(codes).containsEntry("--help", 0).containsEntry("capture --help", 0);
        // 6 = UNAVAILABLE: the pod and its node were read from the API and the SSH connection to the
        // node's address (a closed loopback port) was refused; anything else means it stopped earlier.
        assertThat(codes).containsEntry("capture " + Training.POD, 6).containsEntry("locate " + Training.POD, 6);
        // --via auto then tries a helper pod: its preflight (SelfSubjectAccessReview) gets the API's 404
        assertThat(codes).containsEntry("capture -l", 4);
        // the API's 404 Status is understood: not found
        assertThat(codes).containsEntry("locate deploy/absent", 4);
    }
}
