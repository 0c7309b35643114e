package io.k8scap.startup;

import com.jcraft.jsch.JSch;
import com.jcraft.jsch.KeyPair;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.k8scap.K8sCap;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The training run {@code scripts/install.sh} records the class-data-sharing archive (JDK 17–23) or
 * AOT cache (JDK 24+) with: the JVM only archives the classes a run loads, and an archive made from
 * a run that stops early leaves the rest of a real command (deserializing a pod, the HTTP client's
 * response path, SSH) to be loaded and verified from the jar on every start — about 0.2 s of
 * {@code capture}'s time to first packet (docs/performance.md).
 *
 * <p>So the training runs the real {@code capture}, {@code locate} and help paths in-process against
 * a Kubernetes API on loopback that serves one realistic pod and node ({@code io/k8scap/startup/samples/}),
 * up to the SSH connection, which is refused by a closed loopback port (no node is contacted). What a
 * real SSH session would load next (key exchange, ciphers, channels) is loaded by name from the jar
 * and exercised through the JDK's crypto providers. Nothing leaves this machine; nothing is printed.
 * The commands run through the program's entry point ({@link K8sCap#run}), as a user's would.
 */
public final class Training {
    static final String NAMESPACE = "training";
    static final String POD = "training-7c9d8f6b5-x2x4q";

    private Training() {}

    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory("k8scap-training");
        try {
            run(dir);
        } finally {
            deleteTree(dir);
        }
    }

    /** Runs the training in {@code dir}; returns each command's exit code by its first arguments (for the test). */
    static Map<String, Integer> run(Path dir) throws IOException {
        Map<String, Integer> codes = new LinkedHashMap<>();
        HttpServer api = api();
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int sshPort = closed.getLocalPort();
            closed.close(); // now a closed port: the SSH connection is refused at once
            Path kubeconfig = dir.resolve("kubeconfig");
            Files.writeString(kubeconfig, kubeconfig(api.getAddress().getPort()));
            Path key = dir.resolve("id_ed25519");
            writeKey(key);
            Path knownHosts = Files.createFile(dir.resolve("known_hosts"));
            List<String> node = List.of("--kubeconfig", kubeconfig.toString(), "-n", NAMESPACE, "--ssh-config", "/dev/null",
                    "--ssh-port", Integer.toString(sshPort), "-i", key.toString(), "--known-hosts", knownHosts.toString());
            String pcap = dir.resolve("training.pcap").toString();
            run(codes, List.of("--help"));
            run(codes, List.of("capture", "--help"));
            run(codes, concat(List.of("capture", POD, "tcp port 8080", "-w", pcap, "--via", "ssh"), node));
            // --via auto (the default): SSH refused, so the helper-pod preflight runs (and is refused: 404)
            run(codes, concat(List.of("capture", "-l", "app=training", "-w", pcap), node));
            run(codes, concat(List.of("locate", POD, "-o", "json", "--via", "ssh"), node));
            run(codes, concat(List.of("locate", "deploy/absent"), node));
        } finally {
            api.stop(0);
        }
        preload();
        preloadJdk();
        exerciseCrypto();
        exerciseTls();
        return codes;
    }

    private static void run(Map<String, Integer> codes, List<String> args) {
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        codes.put(String.join(" ", args.subList(0, Math.min(2, args.size()))), K8sCap.run(args.toArray(String[]::new), sink, sink));
    }

    /** The API server: GET pod, list pods, GET node; everything else 404 with a Status, as the real one. */
    private static HttpServer api() throws IOException {
        byte[] pod = resource("pod.json");
        byte[] node = resource("node.json");
        byte[] list = ("{\"apiVersion\":\"v1\",\"kind\":\"PodList\",\"metadata\":{\"resourceVersion\":\"81234\"},\"items\":["
                + new String(pod, StandardCharsets.UTF_8) + "]}").getBytes(StandardCharsets.UTF_8);
        byte[] notFound = ("{\"apiVersion\":\"v1\",\"kind\":\"Status\",\"metadata\":{},\"status\":\"Failure\","
                + "\"message\":\"not found\",\"reason\":\"NotFound\",\"code\":404}").getBytes(StandardCharsets.UTF_8);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                if (path.equals("/api/v1/namespaces/" + NAMESPACE + "/pods/" + POD)) {
                    reply(exchange, 200, pod);
                } else if (path.equals("/api/v1/namespaces/" + NAMESPACE + "/pods")) {
                    reply(exchange, 200, list);
                } else if (path.equals("/api/v1/nodes/training-node")) {
                    reply(exchange, 200, node);
                } else {
                    reply(exchange, 404, notFound);
                }
            }
        });
        server.start();
        return server;
    }

    private static void reply(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getRequestBody().readAllBytes();
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    private static String kubeconfig(int port) {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: training
                  cluster: {server: "http://127.0.0.1:%d"}
                contexts:
                - name: training
                  context: {cluster: training, user: training, namespace: training}
                current-context: training
                users:
                - name: training
                  user: {token: training}
                """.formatted(port);
    }

    private static void writeKey(Path file) throws IOException {
        try {
            KeyPair kp = KeyPair.genKeyPair(new JSch(), KeyPair.ECDSA, 256); // JSch writes no Ed25519 private key file
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            kp.writePrivateKey(out);
            Files.write(file, out.toByteArray());
            kp.dispose();
        } catch (com.jcraft.jsch.JSchException e) {
            throw new IOException("cannot make a training key: " + e.getMessage(), e);
        }
    }

    /** Loads (without initializing) k8scap's and JSch's classes: what SSH sessions and later phases use. */
    private static void preload() {
        Path jar;
        try {
            jar = Path.of(Training.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            return;
        }
        if (!Files.isRegularFile(jar)) {
            return; // run from a classes directory (tests): nothing to archive
        }
        ClassLoader loader = Training.class.getClassLoader();
        List<String> names = new ArrayList<>();
        try (JarFile jf = new JarFile(jar.toFile())) {
            for (Enumeration<JarEntry> e = jf.entries(); e.hasMoreElements(); ) {
                String n = e.nextElement().getName();
                if (n.endsWith(".class") && !n.contains("-") && (n.startsWith("io/k8scap/") || n.startsWith("com/jcraft/jsch/"))) {
                    names.add(n.substring(0, n.length() - ".class".length()).replace('/', '.'));
                }
            }
        } catch (IOException e) {
            return;
        }
        for (String n : names) {
            try {
                Class.forName(n, false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                // optional integrations of JSch (Bouncy Castle, JNA, log4j) are not on the class path
            }
        }
    }

    /**
     * Loads the JDK's HTTP client (HTTP/2 included) and TLS classes: clusters are reached over
     * https with HTTP/2, which the loopback API here (plain HTTP/1.1) does not exercise.
     *
     * @return how many classes it loaded
     */
    static int preloadJdk() {
        int loaded = 0;
        try {
            java.nio.file.FileSystem jrt = java.nio.file.FileSystems.getFileSystem(java.net.URI.create("jrt:/"));
            for (String dir : List.of("/modules/java.net.http/jdk/internal/net/http", "/modules/java.base/sun/security/ssl")) {
                Path root = jrt.getPath(dir);
                Path module = root.getRoot().resolve(root.subpath(0, 2)); // absolute, like the walked paths
                try (var walk = Files.walk(root)) {
                    for (Path p : walk.filter(f -> f.toString().endsWith(".class")).toList()) {
                        String n = module.relativize(p).toString();
                        try {
                            // the platform loader: java.net.http is not a boot module (null found none of its classes)
                            Class.forName(n.substring(0, n.length() - ".class".length()).replace('/', '.'), false,
                                    ClassLoader.getPlatformClassLoader());
                            loaded++;
                        } catch (ClassNotFoundException | LinkageError e) {
                            // not in this JDK
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // no jrt file system (not a modular JDK): the archive just holds less
        }
        return loaded;
    }

    /** A TLS client handshake's first flight (ClientHello), in memory: what connecting to an https API server loads first. */
    private static void exerciseTls() {
        try {
            javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
            ctx.init(null, null, null);
            javax.net.ssl.SSLEngine engine = ctx.createSSLEngine("training.invalid", 443);
            engine.setUseClientMode(true);
            engine.beginHandshake();
            java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
            engine.wrap(java.nio.ByteBuffer.allocate(0), out);
            engine.closeOutbound();
        } catch (java.security.GeneralSecurityException | javax.net.ssl.SSLException | RuntimeException e) {
            // no TLS provider: the archive just holds less
        }
    }

    /** The JDK crypto an SSH session uses: X25519 key exchange, Ed25519 host keys, AES-GCM, HMAC, SHA-2. */
    private static void exerciseCrypto() {
        try {
            KeyPairGenerator xg = KeyPairGenerator.getInstance("X25519");
            java.security.KeyPair a = xg.generateKeyPair();
            java.security.KeyPair b = xg.generateKeyPair();
            KeyAgreement ka = KeyAgreement.getInstance("X25519");
            ka.init(a.getPrivate());
            ka.doPhase(b.getPublic(), true);
            byte[] secret = ka.generateSecret();
            java.security.KeyPair ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(ed.getPrivate());
            s.update(secret);
            byte[] sig = s.sign();
            s.initVerify(ed.getPublic());
            s.update(secret);
            s.verify(sig);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(MessageDigest.getInstance("SHA-256").digest(secret), 0, 16, "AES"),
                    new GCMParameterSpec(128, new byte[12]));
            c.doFinal(new byte[64]);
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.doFinal(sig);
            MessageDigest.getInstance("SHA-512").digest(sig);
        } catch (java.security.GeneralSecurityException e) {
            // a JDK without one of these: the archive just holds less
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = Training.class.getResourceAsStream("/io/k8scap/startup/samples/" + name)) {
            if (in == null) {
                throw new IOException("training resource " + name + " is missing from the jar");
            }
            return in.readAllBytes();
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
