package io.k8scap.cli;

import io.k8scap.lab.Lab;
import io.k8scap.lab.MockCluster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a capture lab test across both lab nodes runs k8scap against: both nodes' pods behind the
 * mock API server, a kubeconfig for it, and an ssh config reaching each node by name. One per test class.
 */
record TwoNodeLab(Lab lab, Lab.Node2 node2, MockCluster cluster, Path kubeconfig, Path sshConfig) implements AutoCloseable {

    static TwoNodeLab start(Path dir) throws IOException {
        Lab lab = Lab.load();
        Lab.Node2 node2 = Lab.node2(lab.labDir());
        MockCluster cluster = MockCluster.start().loadLab(lab).loadNode2(node2);
        return new TwoNodeLab(lab, node2, cluster, cluster.writeKubeconfig(dir, "default"), LabCli.twoNodeSshConfig(dir, lab, node2));
    }

    /** {@code k8scap capture} with this lab's API server and nodes, then {@code extra}. */
    CliRunner.Result capture(String... extra) {
        List<String> all = new ArrayList<>(List.of("capture", "--kubeconfig", kubeconfig.toString(), "--ssh-config", sshConfig.toString(),
                "--node-address", "name"));
        all.addAll(List.of(extra));
        return CliRunner.run(all.toArray(String[]::new));
    }

    @Override
    public void close() {
        cluster.close();
    }
}
