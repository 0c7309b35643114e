package io.k8scap.bench;

import io.k8scap.lab.Lab;
import io.k8scap.lab.MockCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Benchmark-only API server (a main, not a test): the lab's pods and node as
 * {@link io.k8scap.lab.LabApiServer} serves them, plus {@code CLONES} extra pods in namespace
 * {@code bench} named {@code bench-0…} that point at the lab's real containers on lab-node-1,
 * alternately the docker pod and the containerd pod (same containerID, so the same netns and host
 * veth). Clone {@code i} carries labels {@code app=bench} and {@code bN=y} for every N in 1, 2, 4, 8
 * with {@code i < N}, so {@code -n bench -l b4=y} selects exactly 4 pods (2 on each real veth).
 * Usage: {@code java -cp … io.k8scap.bench.BenchApiServer [--https] KUBECONFIG_OUT [CLONES]}
 */
public final class BenchApiServer {
    private BenchApiServer() {}

    public static void main(String[] args) throws Exception {
        boolean https = args.length > 0 && args[0].equals("--https");
        if (https) {
            args = java.util.Arrays.copyOfRange(args, 1, args.length);
        }
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: BenchApiServer [--https] KUBECONFIG_OUT [CLONES]");
            System.exit(2);
        }
        Path out = Path.of(args[0]).toAbsolutePath();
        int clones = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        Lab lab = Lab.load();
        MockCluster cluster = MockCluster.start(https).loadLab(lab);
        Lab.LabPod[] sources = {lab.pod("docker"), lab.pod("containerd")};
        for (int i = 0; i < clones; i++) {
            Lab.LabPod src = sources[i % 2];
            StringBuilder labels = new StringBuilder("app=bench");
            for (int n : new int[] {1, 2, 4, 8}) {
                if (i < n) {
                    labels.append(",b").append(n).append("=y");
                }
            }
            cluster.addPod(new Lab.LabPod("bench" + i, "bench", "bench-" + i, "0b0b0b0b-0000-4000-8000-00000000000" + Integer.toHexString(i),
                    src.container(), src.containerId(), src.podIP(), false, labels.toString(), ""), lab.sshAddress());
        }
        Path written = cluster.writeKubeconfig(Files.createTempDirectory("k8scap-bench-api"), "default");
        Files.move(written, out, StandardCopyOption.REPLACE_EXISTING);
        System.err.println("bench API server at " + cluster.url() + " (" + clones + " clone pods in namespace bench); kubeconfig: " + out);
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::close));
        Thread.currentThread().join();
    }
}
