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
 *   <li>{@code node2.properties} — written by {@code scripts/lab/node2.sh}: the second node, {@link #node2()}</li>
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
        return keys(pods);
    }

    public LabPod pod(String key) {
        return pod(pods, key);
    }

    /** Any other {@code pod.<key>.<name>} property (e.g. {@code netnsName}, {@code sandboxID}), or "". */
    public String podProperty(String key, String name) {
        return pods.getProperty("pod." + key + "." + name, "");
    }

    /** The ground truth {@code scripts/lab/pods.sh up} read from the runtimes and the kernel. */
    public PodTruth truth(String key) {
        return truth(pods, key);
    }

    // ---- node2.properties ----------------------------------------------------------------
    /**
     * The second lab node, {@code lab-node-2}, from {@code node2.properties} (written by
     * {@code scripts/lab/node2.sh up}, which {@code scripts/lab.sh up} runs).
     */
    public static Node2 node2() {
        return node2(dir());
    }

    /** {@link #node2()} from a given lab directory (e.g. {@link #labDir()} of a loaded lab). */
    public static Node2 node2(Path labDir) {
        return new Node2(read(labDir.resolve("node2.properties")));
    }

    /**
     * {@code lab-node-2}: an sshd in its own network namespace ({@code k8scap-node2}) reached at
     * {@link #address()}:{@link #sshPort()}, sharing the host's PID and mount namespaces, with pods
     * whose veth peers live in that namespace on its bridge {@code cni0}. Its pods use the same
     * {@code pod.<key>.*} keys as {@code pods.properties}; in their {@link PodTruth}, {@code hostIf},
     * {@code hostIfIndex} and {@code peerIndex} are as seen from node 2's network namespace.
     */
    public static final class Node2 {
        public static final String NAME = "lab-node-2";

        private final Properties p;

        private Node2(Properties p) {
            this.p = p;
        }

        /** {@value #NAME} */
        public String name() { return req(p, "node.name"); }
        /** the node's address (InternalIP), 10.244.90.2 */
        public String address() { return req(p, "node.address"); }
        /** name of the node's network namespace under /var/run/netns ({@code k8scap-node2}) */
        public String netnsName() { return req(p, "node.netns"); }
        /** inode of the node's network namespace */
        public long netnsInode() { return Long.parseLong(req(p, "node.netnsInode")); }
        /** the host's end of the node's uplink veth ({@code k8scap-n2h}) */
        public String hostIf() { return req(p, "node.hostIf"); }
        /** the host's address on that veth, 10.244.90.1 */
        public String hostAddress() { return req(p, "node.hostAddress"); }
        /** the pods' bridge inside the node's netns ({@code cni0}) */
        public String bridge() { return req(p, "node.bridge"); }
        public String podCidr() { return req(p, "node.podCIDR"); }

        public int sshPort() { return Integer.parseInt(req(p, "ssh.port")); }
        public String sshUser() { return req(p, "ssh.user"); }
        /** the lab user key (the same as node 1's) */
        public Path identity() { return Path.of(req(p, "ssh.identity")); }
        /** a strict known_hosts with node 2's own host key for {@link #address()} only */
        public Path knownHosts() { return Path.of(req(p, "ssh.knownHosts")); }
        /** OpenSSH-style fingerprint of node 2's host key, {@code SHA256:…} */
        public String hostKeyFingerprint() { return req(p, "ssh.hostKeyFingerprint"); }

        /** keys of node 2's pods: {@code node2-docker}, {@code node2-containerd} */
        public List<String> podKeys() { return keys(p); }
        public LabPod pod(String key) { return Lab.pod(p, key); }
        public PodTruth truth(String key) { return Lab.truth(p, key); }
        public String podProperty(String key, String name) { return p.getProperty("pod." + key + "." + name, ""); }
    }

    // ---- shared parsing ------------------------------------------------------------------
    private static List<String> keys(Properties p) {
        List<String> keys = new ArrayList<>();
        for (String k : req(p, "pods").split(",")) {
            if (!k.isBlank()) {
                keys.add(k.trim());
            }
        }
        return keys;
    }

    private static LabPod pod(Properties pods, String key) {
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

    private static PodTruth truth(Properties pods, String key) {
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
