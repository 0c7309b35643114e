package io.k8scap.proxy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * kube-proxy's chain names, recomputed the way kube-proxy computes them, so that chains can be mapped to
 * Services even when comments are missing (kube-proxy drops them above 1000 endpoints).
 *
 * <p>iptables: {@code KUBE-SVC-} + first 16 chars of base32(sha256(spn + protocol)); endpoints add
 * {@code ip:port}. nftables: {@code service-} + first 8 chars of base32(sha256(text)) + {@code -} + text, with
 * text {@code ns/name/proto/portName} (endpoints: {@code …__ip/port}).
 */
public final class ChainNames {
    private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();
    /** knftables.NameLengthMax (256) minus the longest prefix kube-proxy reserves (16). */
    private static final int NFT_BASE_MAX = 240;

    private ChainNames() {
    }

    /** Service port name as kube-proxy prints it: {@code ns/name} or {@code ns/name:portName}. */
    public static String servicePortName(String namespace, String name, String portName) {
        return portName == null || portName.isEmpty() ? namespace + "/" + name : namespace + "/" + name + ":" + portName;
    }

    /** Endpoint as kube-proxy joins it ({@code net.JoinHostPort}): IPv6 in brackets. */
    public static String endpoint(String ip, int port) {
        return ip.indexOf(':') >= 0 ? "[" + ip + "]:" + port : ip + ":" + port;
    }

    public static String svc(String spn, String protocol) {
        return "KUBE-SVC-" + hash16(spn + lower(protocol));
    }

    public static String svl(String spn, String protocol) {
        return "KUBE-SVL-" + hash16(spn + lower(protocol));
    }

    public static String ext(String spn, String protocol) {
        return "KUBE-EXT-" + hash16(spn + lower(protocol));
    }

    public static String fw(String spn, String protocol) {
        return "KUBE-FW-" + hash16(spn + lower(protocol));
    }

    /** Legacy (before 1.24) chain for externalTrafficPolicy: Local. */
    public static String xlb(String spn, String protocol) {
        return "KUBE-XLB-" + hash16(spn + lower(protocol));
    }

    public static String sep(String spn, String protocol, String endpoint) {
        return "KUBE-SEP-" + hash16(spn + lower(protocol) + endpoint);
    }

    /** First 16 characters of base32 (standard alphabet) of SHA-256 of {@code text}. */
    public static String hash16(String text) {
        return base32Prefix(sha256(text), 16);
    }

    /** First 8 characters of base32 of SHA-256 of {@code text} (nftables mode). */
    public static String hash8(String text) {
        return base32Prefix(sha256(text), 8);
    }

    /** nftables base name {@code HASH8-ns/name/proto/portName} (kube-proxy's servicePortChainNameBase). */
    public static String nftServiceBase(String namespace, String name, String protocol, String portName) {
        return hashAndTruncate(namespace + "/" + name + "/" + lower(protocol) + "/" + (portName == null ? "" : portName));
    }

    /**
     * nftables base name {@code HASH8-ns/name/proto/portName__ip/port}. Colons of IPv6 addresses are not allowed in
     * nft chain names: kube-proxy replaces them with dots before hashing ({@code __fd00.10.244..5/8080}).
     */
    public static String nftEndpointBase(String namespace, String name, String protocol, String portName, String ip, int port) {
        return hashAndTruncate(namespace + "/" + name + "/" + lower(protocol) + "/" + (portName == null ? "" : portName)
                + "__" + ip.replace(':', '.') + "/" + port);
    }

    private static String hashAndTruncate(String base) {
        String name = hash8(base) + "-" + base;
        return name.length() > NFT_BASE_MAX ? name.substring(0, NFT_BASE_MAX - 3) + "..." : name;
    }

    private static String lower(String protocol) {
        return protocol.toLowerCase(java.util.Locale.ROOT);
    }

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
    });

    private static byte[] sha256(String text) {
        return SHA256.get().digest(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String base32Prefix(byte[] data, int chars) {
        StringBuilder out = new StringBuilder(chars);
        int buffer = 0;
        int bits = 0;
        for (int i = 0; i < data.length && out.length() < chars; i++) {
            buffer = (buffer << 8) | (data[i] & 0xff);
            bits += 8;
            while (bits >= 5 && out.length() < chars) {
                out.append(BASE32[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        return out.toString();
    }
}
