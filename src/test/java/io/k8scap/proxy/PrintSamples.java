package io.k8scap.proxy;

/**
 * Prints the generated iptables-save text for the samples, to load with iptables-restore into a scratch network
 * namespace and record what the real iptables-save prints back (iptables-*.save test resources). Args:
 * {@code cluster|ipv6|legacy}.
 */
public final class PrintSamples {
    private PrintSamples() {
    }

    public static void main(String[] args) {
        String which = args.length == 0 ? "cluster" : args[0];
        ApiSnapshot api = which.equals("ipv6") ? Samples.ipv6().snapshot(IpFamily.IPV6) : Samples.cluster().snapshot();
        IptablesDumpGenerator.Options options = which.equals("legacy") ? new IptablesDumpGenerator.Options(false, 5, null, true)
                : IptablesDumpGenerator.Options.modern();
        System.out.print(new IptablesDumpGenerator(api, options).generate());
    }
}
