package io.k8scap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class HomeTest {
    @Test
    void homeEnvironmentVariableWinsOverThePasswdEntry() {
        assertThat(Home.dir("/tmp/other", "/root")).isEqualTo(Path.of("/tmp/other"));
    }

    @Test
    void unsetOrEmptyHomeFallsBackToTheJvmsUserHome() {
        assertThat(Home.dir(null, "/root")).isEqualTo(Path.of("/root"));
        assertThat(Home.dir("", "/root")).isEqualTo(Path.of("/root"));
    }

    @Test
    void thisRunsHomeIsHomeWhenSet() {
        String env = System.getenv("HOME");
        assertThat(Home.dir()).isEqualTo(Path.of(env != null && !env.isEmpty() ? env : System.getProperty("user.home")));
    }
}
