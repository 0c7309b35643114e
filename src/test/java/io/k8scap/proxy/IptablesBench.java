package io.k8scap.proxy;

import java.util.ArrayList;
import java.util.List;

/**
 * Not a test: prints how long parsing and checking a generated kube-proxy dump takes, for 1k/5k/10k/20k
 * services with 5 endpoints each (10k ≈ 160k rules). Run:
 * {@code mvn -o -q test-compile && java -cp "target/test-classes:target/classes:$(cat cp.txt)" io.k8scap.proxy.IptablesBench}
 * (cp.txt from {@code mvn -o -q dependency:build-classpath -Dmdep.outputFile=cp.txt}).
 */
public final class IptablesBench {
    public static void main(String[] args) {
        int[] sizes = args.length == 0 ? new int[] {1_000, 5_000, 10_000, 20_000} : java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        // Warm up the JIT on a mid-sized dump so the first size is not penalised.
        run(2_000, false);
        run(2_000, false);
        for (int n : sizes) {
            run(n, true);
        }
    }

    private static void run(int services, boolean print) {
        Api api = new Api();
        for (int i = 0; i < services; i++) {
            String ns = "ns" + (i % 50);
            String name = "svc" + i;
            api.service(ns, name, "10." + (96 + i / 65536) + "." + (i / 256 % 256) + "." + (i % 256), "http:80/TCP=8080");
            List<String> ips = new ArrayList<>();
            for (int e = 0; e < 5; e++) {
                int k = i * 5 + e;
                ips.add("10." + (128 + k / 65536) + "." + (k / 256 % 256) + "." + (k % 256));
            }
            api.endpoints(ns, name, ips.toArray(String[]::new));
        }
        ApiSnapshot snapshot = ApiSnapshot.of(api.services, api.slices, IpFamily.IPV4, "node-1");
        String dump = new IptablesDumpGenerator(snapshot, new IptablesDumpGenerator.Options(true, 10, null, false)).generate();
        // Best of three: the machine is shared, a single run measures the neighbours as much as the code.
        long bestParse = Long.MAX_VALUE;
        long bestCheck = Long.MAX_VALUE;
        long bestTotal = Long.MAX_VALUE;
        DataplaneView view = null;
        for (int round = 0; round < 3; round++) {
            long t0 = System.nanoTime();
            IptablesSave save = IptablesSaveParser.parse(dump);
            long t1 = System.nanoTime();
            view = new IptablesInspection(save, snapshot).view();
            long t2 = System.nanoTime();
            bestParse = Math.min(bestParse, t1 - t0);
            bestCheck = Math.min(bestCheck, t2 - t1);
            bestTotal = Math.min(bestTotal, t2 - t0);
            if (!view.findings().isEmpty()) {
                throw new IllegalStateException("generated dump should be consistent: " + view.findings().get(0));
            }
        }
        if (print) {
            System.out.printf("services=%,d endpoints=%,d rules(nat)=%,d dump=%,d bytes  parse=%d ms  check=%d ms  parse+check=%d ms (best of 3)%n",
                    services, services * 5, view.natRules(), dump.length(), bestParse / 1_000_000, bestCheck / 1_000_000, bestTotal / 1_000_000);
        }
    }
}
