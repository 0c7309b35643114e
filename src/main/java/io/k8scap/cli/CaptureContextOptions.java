package io.k8scap.cli;

import picocli.CommandLine.Option;

/** {@code capture --metadata}: the pods' network context beside the capture. */
final class CaptureContextOptions {
    @Option(names = "--metadata",
            description = "Also save each pod's network context (addresses, routes, neighbours, ss -tanup, resolv.conf, sysctls, "
                    + "the node's conntrack entries for its IP) beside the capture, and in a merged pcapng's comments.")
    boolean metadata;
}
