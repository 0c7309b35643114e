package io.k8scap.lab;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * What {@code scripts/lab.sh up} built on this machine, read from the files it writes under
 * {@code $K8SCAP_LAB_DIR} (default {@code /var/lib/k8scap-lab}):
 * <ul>
 *   <li>{@code ssh.properties} — written by {@code scripts/lab/sshd.sh}</li>
 *   <li>{@code pods.properties} — written by {@code scripts/lab/pods.sh}</li>
 * </ul>
 * Lab tests ({@code @Tag("lab")}) use this to load the mock API server with Pods and Nodes that
 * describe exactly these containers, and to know the ground truth to compare against.
 */
public final class Lab {
    public static final String NODE_NAME = "lab-node-1";

    private final Path dir;
    private final Properties ssh;
    private final Properties pods;

    private Lab(Path dir, Properties ssh, Properties pods) {
        this.dir = dir;
        this.ssh = ssh;
        this.pods = pods;
    }

    public static Path dir() {
        String d = System.getenv("K8SCAP_LAB_DIR");
        return Path.of(d == null || d.isBlank() ? "/var/lib/k8scap-lab" : d);
    }

    /** Loads the lab, failing with a clear message when {@code scripts/lab.sh up} has not run. */
    public static Lab load() {
        Path d = dir();
        return new Lab(d, read(d.resolve("ssh.properties")), read(d.resolve("pods.properties")));
    }

    /**
     * Loads only {@code pods.properties}, for tests that need the pods but not the lab sshd; the
     * {@code ssh*} getters of the result fail with "lab state has no ssh.…".
     */
    public static Lab loadPods() {
        Path d = dir();
        return new Lab(d, new Properties(), read(d.resolve("pods.properties")));
    }

    private static Properties read(Path f) {
        Properties p = new Properties();
        if (!Files.isRegularFile(f)) {
            throw new IllegalStateException(f + " is missing: run `sudo scripts/lab.sh up` first (scripts/test.sh does)");
        }
        try (Reader r = Files.newBufferedReader(f)) {
            p.load(r);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + f, e);
        }
        return p;
    }

    public Path labDir() {
        return dir;
    }

    // ---- ssh.properties ------------------------------------------------------------------
    /** e.g. 127.0.0.1 */
    public String sshAddress() { return req(ssh, "ssh.address"); }
    /** the lab node's sshd port (root login by key) */
    public int sshPort() { return Integer.parseInt(req(ssh, "ssh.port")); }
    /** a second sshd on loopback, usable as a --jump bastion */
    public int jumpPort() { return Integer.parseInt(req(ssh, "ssh.jumpPort")); }
    public String sshUser() { return req(ssh, "ssh.user"); }
    /** private key (ed25519) authorized for root, for the sudo user and for the no-sudo user */
    public Path identity() { return Path.of(req(ssh, "ssh.identity")); }
    /** a strict known_hosts holding the lab host key for both ports */
    public Path knownHosts() { return Path.of(req(ssh, "ssh.knownHosts")); }
    /** a known_hosts holding a different key for the same host:port (the "changed host key" case) */
    public Path wrongKnownHosts() { return Path.of(req(ssh, "ssh.wrongKnownHosts")); }
    /** OpenSSH-style fingerprint of the lab host key, {@code SHA256:…} */
    public String hostKeyFingerprint() { return req(ssh, "ssh.hostKeyFingerprint"); }
    /** a non-root user allowed {@code sudo -n} without password */
    public String sudoUser() { return req(ssh, "ssh.sudoUser"); }
    /** a non-root user whose sudo asks for a password */
    public String noSudoUser() { return req(ssh, "ssh.noSudoUser"); }

    // ---- pods.properties -----------------------------------------------------------------
    /** keys of the lab pods, e.g. {@code docker}, {@code containerd}, {@code host}, {@code ipvlan} */
    public List<String> podKeys() {
        List<String> keys = new ArrayList<>();
        for (String k : req(pods, "pods").split(",")) {
            if (!k.isBlank()) {
                keys.add(k.trim());
            }
        }
        return keys;
    }

    public LabPod pod(String key) {
        String p = "pod." + key + ".";
        return new LabPod(
                key,
                req(pods, p + "namespace"),
                req(pods, p + "name"),
                req(pods, p + "uid"),
                req(pods, p + "container"),
                req(pods, p + "containerID"),
                pods.getProperty(p + "podIP", ""),
                Boolean.parseBoolean(pods.getProperty(p + "hostNetwork", "false")),
                pods.getProperty(p + "labels", ""),
                pods.getProperty(p + "owner", ""));
    }

    /** Any other {@code pod.<key>.<name>} property (e.g. {@code netnsName}, {@code sandboxID}), or "". */
    public String podProperty(String key, String name) {
        return pods.getProperty("pod." + key + "." + name, "");
    }

    /** The ground truth {@code scripts/lab/pods.sh up} read from the runtimes and the kernel. */
    public PodTruth truth(String key) {
        String p = "pod." + key + ".expect.";
        return new PodTruth(
                Long.parseLong(req(pods, p + "pid")),
                Long.parseLong(req(pods, p + "netns")),
                pods.getProperty(p + "podIf", ""),
                Integer.parseInt(pods.getProperty(p + "podIfIndex", "-1")),
                pods.getProperty(p + "podIfKind", ""),
                Integer.parseInt(pods.getProperty(p + "linkIndex", "-1")),
                Integer.parseInt(pods.getProperty(p + "peerIndex", "-1")),
                pods.getProperty(p + "hostIf", ""),
                Integer.parseInt(pods.getProperty(p + "hostIfIndex", "-1")),
                pods.getProperty(p + "url", ""),
                pods.getProperty(p + "content", ""));
    }

    private static String req(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null) {
            throw new IllegalStateException("lab state has no " + key + ": re-run `sudo scripts/lab.sh up`");
        }
        return v;
    }

    /**
     * One lab pod: real containers on this machine.
     *
     * @param key         short key in pods.properties
     * @param containerId with scheme, e.g. {@code docker://<64 hex>} or {@code containerd://<id>}
     * @param labels      comma-separated k=v labels to put on the Pod object
     * @param owner       {@code Kind/name} of the owning workload to model in the API (e.g. {@code ReplicaSet/web-7c9d8f6b5}), or ""
     */
    public record LabPod(String key, String namespace, String name, String uid, String container,
                         String containerId, String podIP, boolean hostNetwork, String labels, String owner) {}

    /**
     * Ground truth for one lab pod ({@code pod.<key>.expect.*}), read by pods.sh from docker/ctr and
     * the kernel — what {@code k8scap locate} must find.
     *
     * @param pid         PID of the app container's main process (host PID namespace)
     * @param netns       inode of {@code /proc/<pid>/ns/net}
     * @param podIf       the pod's interface inside its netns ({@code eth0}), "" for hostNetwork
     * @param podIfIndex  its ifindex inside the netns, -1 for hostNetwork
     * @param podIfKind   {@code veth}, {@code ipvlan} or {@code macvlan} ("" for hostNetwork)
     * @param linkIndex   the N of {@code eth0@ifN} (for ipvlan/macvlan: the parent's ifindex, not a peer), or -1
     * @param peerIndex   ifindex of the veth peer on the host, -1 when there is none
     * @param hostIf      host-side veth name ({@code veth…}, {@code cali…}), "" when there is none
     * @param hostIfIndex its ifindex on the host, -1 when there is none
     * @param url         an http URL the pod serves (busybox httpd), reachable from lab netns / loopback
     * @param content     the exact body it serves (without the trailing newline)
     */
    public record PodTruth(long pid, long netns, String podIf, int podIfIndex, String podIfKind, int linkIndex,
                           int peerIndex, String hostIf, int hostIfIndex, String url, String content) {
        public boolean hasPeer() {
            return peerIndex >= 0;
        }
    }
}
