package io.k8scap.capture;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Default capture file names: {@code <ns>_<pod>_<UTC>.pcap}, or {@code <ns>_<what>_<UTC>.pcapng} for several pods. */
public final class OutputNames {
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private OutputNames() {}

    public static String single(String namespace, String pod, Instant at) {
        return safe(namespace) + "_" + safe(pod) + "_" + UTC.format(at) + ".pcap";
    }

    /** For several pods merged into one pcapng: {@code what} is the target word or selector the user gave. */
    public static String merged(String namespace, String what, Instant at) {
        return safe(namespace) + "_" + safe(what) + "_" + UTC.format(at) + ".pcapng";
    }

    /** The network context of one pod ({@code --metadata}), beside the capture: {@code <ns>_<pod>_<UTC>.context.txt}. */
    public static String context(String namespace, String pod, Instant at) {
        return safe(namespace) + "_" + safe(pod) + "_" + UTC.format(at) + ".context.txt";
    }

    /** Keeps letters, digits, dot, dash and underscore; anything else (slashes, spaces, '=', …) becomes '-'. */
    static String safe(String s) {
        String t = s == null || s.isBlank() ? "pods" : s.replaceAll("[^A-Za-z0-9._-]+", "-").replaceAll("^[.-]+", "");
        return t.isEmpty() ? "pods" : t;
    }
}
