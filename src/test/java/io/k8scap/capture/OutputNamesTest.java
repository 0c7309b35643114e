package io.k8scap.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class OutputNamesTest {
    private static final Instant AT = Instant.parse("2026-11-24T15:30:12.345Z");

    @Test
    void singlePodFileNameHasNamespacePodAndUtcTime() {
        assertThat(OutputNames.single("flyte", "flyteadmin-675b978d44-98zg5", AT)).isEqualTo("flyte_flyteadmin-675b978d44-98zg5_20261124T153012Z.pcap");
    }

    @Test
    void mergedFileIsPcapngAndNamesWhatWasAskedSafely() {
        assertThat(OutputNames.merged("flyte", "app=flyteadmin", AT)).isEqualTo("flyte_app-flyteadmin_20261124T153012Z.pcapng");
        assertThat(OutputNames.merged("flyte", "deploy/flyteadmin", AT)).isEqualTo("flyte_deploy-flyteadmin_20261124T153012Z.pcapng");
        assertThat(OutputNames.merged("all", "../../etc/x", AT)).isEqualTo("all_etc-x_20261124T153012Z.pcapng");
    }
}
