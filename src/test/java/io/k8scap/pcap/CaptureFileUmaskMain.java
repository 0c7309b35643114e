package io.k8scap.pcap;

import java.nio.file.Path;

/** Run by CaptureFileTest in a child JVM started under {@code umask 000}: creates and commits a capture file. */
public final class CaptureFileUmaskMain {
    private CaptureFileUmaskMain() {
    }

    public static void main(String[] args) throws Exception {
        try (CaptureFile f = CaptureFile.create(Path.of(args[0]))) {
            f.out().write(new PcapHeader(false, false, 2, 4, 262144, 1).toBytes());
            if (args.length > 1) {
                return; // abort: leave NAME.partial
            }
            f.commit();
        }
    }
}
