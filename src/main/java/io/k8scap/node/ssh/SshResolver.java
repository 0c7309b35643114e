package io.k8scap.node.ssh;

import io.k8scap.K8sCapException;
import io.k8scap.node.NodeAccessSettings;
import io.k8scap.node.NodeTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides how to reach a node, as OpenSSH would (no I/O beyond reading the ssh config once):
 * the ssh config is consulted with the node NAME when a Host entry other than a bare {@code *}
 * matches it (so the user's HostName/User/Port/IdentityFile/ProxyJump for that node apply), else
 * with the node ADDRESS. Flags override the config; OpenSSH's defaults fill the rest.
 */
public final class SshResolver {
    static final List<String> DEFAULT_KEYS = List.of("id_ed25519", "id_ecdsa", "id_rsa");

    private final NodeAccessSettings settings;
    private final Path home;
    private final String localUser;
    private final SshConfigFile config;

    /** Reads the ssh config ({@code settings.sshConfig()}, default ~/.ssh/config). */
    public SshResolver(NodeAccessSettings settings) {
        this(settings, io.k8scap.Home.dir(), System.getProperty("user.name"));
    }

    public SshResolver(NodeAccessSettings settings, Path home, String localUser) {
        this.settings = settings;
        this.home = home;
        this.localUser = localUser;
        Path sshDir = home.resolve(".ssh");
        boolean explicit = settings.sshConfig() != null;
        Path file = explicit ? expandTilde(settings.sshConfig().toString()) : sshDir.resolve("config");
        this.config = SshConfigFile.load(file, explicit, sshDir);
    }

    public SshRoute resolve(NodeTarget target) {
        SshConfigFile.HostConfig byName = config.lookup(target.name());
        SshConfigFile.HostConfig hc = byName.specificMatch() ? byName : config.lookup(target.address());
        // Without HostName, OpenSSH would dial the alias itself; k8scap knows the node's address, which
        // also works when the node name is not in DNS.
        String host = hc.first("HostName") != null ? expand(hc.first("HostName"), target.name(), 22, "") : target.address();
        int port = settings.sshPort() != null ? settings.sshPort() : configPort(hc);
        String user = settings.sshUser() != null ? settings.sshUser() : orDefault(hc.first("User"), localUser);
        SshEndpoint node = endpoint("node " + target.name(), host, port, user, hc, hc.host());

        List<JumpSpec> hops;
        if (settings.jump() != null) {
            hops = JumpSpec.parseList(settings.jump(), "--jump");
        } else {
            String pj = hc.first("ProxyJump");
            hops = JumpSpec.parseList(pj, "ProxyJump of Host " + hc.host() + " in the ssh config");
            if (pj == null) {
                String pc = hc.first("ProxyCommand");
                if (pc != null && !pc.equalsIgnoreCase("none")) {
                    throw K8sCapException.config("ssh config gives ProxyCommand for " + hc.host()
                            + ", which k8scap does not run: use ProxyJump (or --jump) for a bastion");
                }
            }
        }
        List<SshEndpoint> jumps = new ArrayList<>();
        for (JumpSpec hop : hops) {
            SshConfigFile.HostConfig jc = config.lookup(hop.host());
            String jhost = jc.first("HostName") != null ? expand(jc.first("HostName"), hop.host(), 22, "") : hop.host();
            int jport = hop.port() != null ? hop.port() : configPort(jc);
            String juser = hop.user() != null ? hop.user() : orDefault(jc.first("User"), localUser);
            jumps.add(endpoint("jump host " + hop, jhost, jport, juser, jc, hop.host()));
        }
        return new SshRoute(target, hc.host(), jumps, node);
    }

    private SshEndpoint endpoint(String label, String host, int port, String user, SshConfigFile.HostConfig hc, String alias) {
        List<SshEndpoint.Identity> ids = new ArrayList<>();
        for (Path p : settings.identityFiles()) {
            ids.add(new SshEndpoint.Identity(expandTilde(p.toString()), true));
        }
        for (String f : hc.all("IdentityFile")) {
            if (!f.equalsIgnoreCase("none")) {
                ids.add(new SshEndpoint.Identity(expandTilde(expand(f, alias, port, user)), true));
            }
        }
        if (ids.isEmpty()) {
            for (String k : DEFAULT_KEYS) {
                Path p = home.resolve(".ssh").resolve(k);
                if (Files.exists(p)) {
                    ids.add(new SshEndpoint.Identity(p, false));
                }
            }
        }
        List<Path> known = new ArrayList<>();
        if (settings.knownHosts() != null) {
            known.add(expandTilde(settings.knownHosts().toString()));
        } else {
            String ukh = hc.first("UserKnownHostsFile");
            if (ukh != null) {
                for (String f : SshConfigFile.words(ukh)) {
                    if (!f.equalsIgnoreCase("none")) {
                        known.add(expandTilde(expand(f, alias, port, user)));
                    }
                }
            } else {
                known.add(home.resolve(".ssh/known_hosts"));
                known.add(home.resolve(".ssh/known_hosts2"));
            }
            known.add(Path.of("/etc/ssh/ssh_known_hosts"));
        }
        return new SshEndpoint(label, host, port, user, ids, known, hc.first("HostKeyAlias"));
    }

    private static int configPort(SshConfigFile.HostConfig hc) {
        String p = hc.first("Port");
        if (p == null) {
            return 22;
        }
        try {
            int port = Integer.parseInt(p);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw K8sCapException.config("ssh config gives Port '" + p + "' for " + hc.host() + ", which is not a port number");
    }

    private static String orDefault(String v, String d) {
        return v != null ? v : d;
    }

    /** OpenSSH's tokens in HostName/IdentityFile/UserKnownHostsFile: %h %p %r %u %d %%. */
    private String expand(String s, String host, int port, String user) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '%' || i + 1 >= s.length()) {
                b.append(c);
                continue;
            }
            char t = s.charAt(++i);
            switch (t) {
                case 'h' -> b.append(host);
                case 'p' -> b.append(port);
                case 'r' -> b.append(user);
                case 'u' -> b.append(localUser);
                case 'd' -> b.append(home);
                case '%' -> b.append('%');
                default -> b.append('%').append(t);
            }
        }
        return b.toString();
    }

    private Path expandTilde(String s) {
        if (s.equals("~")) {
            return home;
        }
        if (s.startsWith("~/")) {
            return home.resolve(s.substring(2));
        }
        return Path.of(s);
    }
}
