package io.k8scap.node.ssh;

import com.jcraft.jsch.HostKey;
import com.jcraft.jsch.HostKeyRepository;
import com.jcraft.jsch.UserInfo;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * Wraps JSch's known_hosts repository to remember what the server presented and what the check
 * said, so a refusal can name the key type and its SHA256 fingerprint. Never writes known_hosts.
 * With {@code insecure} every key is accepted.
 */
final class HostKeyVerifier implements HostKeyRepository {
    private final HostKeyRepository knownHosts;
    private final boolean insecure;
    private final String id;
    private volatile byte[] presented;
    private volatile int result = -1;

    HostKeyVerifier(HostKeyRepository knownHosts, boolean insecure, String id) {
        this.knownHosts = knownHosts;
        this.insecure = insecure;
        this.id = id;
    }

    @Override
    public int check(String host, byte[] key) {
        presented = key.clone();
        result = insecure ? OK : knownHosts.check(host, key);
        return result;
    }

    /** OK, NOT_INCLUDED, CHANGED, or -1 when no key was checked yet. */
    int result() {
        return result;
    }

    byte[] presented() {
        return presented;
    }

    @Override
    public void add(HostKey hostkey, UserInfo ui) {
        // k8scap never edits the user's known_hosts
    }

    @Override
    public void remove(String host, String type) {}

    @Override
    public void remove(String host, String type, byte[] key) {}

    @Override
    public String getKnownHostsRepositoryID() {
        return id;
    }

    @Override
    public HostKey[] getHostKey() {
        return knownHosts.getHostKey();
    }

    @Override
    public HostKey[] getHostKey(String host, String type) {
        return knownHosts.getHostKey(host, type);
    }

    /** The algorithm name at the start of an SSH public key blob, e.g. {@code ssh-ed25519}. */
    static String keyType(byte[] blob) {
        if (blob == null || blob.length < 4) {
            return "unknown";
        }
        int len = ((blob[0] & 0xff) << 24) | ((blob[1] & 0xff) << 16) | ((blob[2] & 0xff) << 8) | (blob[3] & 0xff);
        if (len <= 0 || len > blob.length - 4) {
            return "unknown";
        }
        return new String(blob, 4, len, StandardCharsets.US_ASCII);
    }

    /** OpenSSH's fingerprint, as {@code ssh-keygen -lf} prints it: {@code SHA256:} + unpadded base64. */
    static String fingerprint(byte[] blob) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(blob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
