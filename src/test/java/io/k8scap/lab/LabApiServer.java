package io.k8scap.lab;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Serves the lab's Pods and Node from the mock API server until killed, and writes a kubeconfig
 * for it — so k8scap can be run by hand or by a benchmark against the lab, exactly as against a
 * cluster. Usage (classpath from {@code mvn dependency:build-classpath}):
 * {@code java -cp … io.k8scap.lab.LabApiServer KUBECONFIG_OUT}
 */
public final class LabApiServer {
    private LabApiServer() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: LabApiServer KUBECONFIG_OUT");
            System.exit(2);
        }
        Path out = Path.of(args[0]).toAbsolutePath();
        MockCluster cluster = MockCluster.start().loadLab(Lab.load());
        Path written = cluster.writeKubeconfig(Files.createTempDirectory("k8scap-lab-api"), "default");
        Files.move(written, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        System.err.println("lab API server at " + cluster.url() + "; kubeconfig: " + out);
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::close));
        Thread.currentThread().join();
    }
}
