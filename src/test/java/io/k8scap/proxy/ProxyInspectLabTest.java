package io.k8scap.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.k8scap.cli.CliRunner;
import io.k8scap.lab.Lab;
import io.k8scap.lab.MockCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code k8scap proxy-inspect} over real SSH to lab node 2 (an sshd in netns k8scap-node2), whose own iptables and
 * nft rulesets get kube-proxy-shaped rules generated from the same API objects the mock API server serves
 * (scripts/lab/kubeproxy.sh loads them with iptables-restore / nft -f). Consistent rules must pass; each kind of
 * injected drift must be reported with exit 7.
 */
@Tag("lab")
class ProxyInspectLabTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NODE = Lab.Node2.NAME;
    private static Lab.Node2 node2;
    private static MockCluster cluster;
    private static Path kubeconfig;
    private static Path sshConfig;
    private static ApiSnapshot snapshot;
    private static String consistentDump;

    @TempDir
    static Path dir;

    @BeforeAll
    static void setUp() throws IOException {
        node2 = Lab.node2();
        cluster = MockCluster.start();
        cluster.client().nodes().resource(new NodeBuilder().withNewMetadata().withName(NODE).addToLabels("lab", "proxy").endMetadata()
                .withNewStatus().addNewAddress().withType("InternalIP").withAddress(node2.address()).endAddress().endStatus().build()).create();
        // a node whose sshd does not answer: port 1 on node 2's address (inside the lab's namespace)
        cluster.client().nodes().resource(new NodeBuilder().withNewMetadata().withName("lab-node-gone").endMetadata().build()).create();
        Api api = Samples.cluster();
        // the samples' second node is "node-2": make it this node, so Local-policy services have a local endpoint here
        api.slices.forEach(sl -> sl.getEndpoints().forEach(e -> {
            if ("node-2".equals(e.getNodeName())) {
                e.setNodeName(NODE);
            }
        }));
        for (Service s : api.services) {
            cluster.client().services().inNamespace(s.getMetadata().getNamespace()).resource(s).create();
        }
        for (EndpointSlice s : api.slices) {
            cluster.client().discovery().v1().endpointSlices().inNamespace(s.getMetadata().getNamespace()).resource(s).create();
        }
        snapshot = ApiSnapshot.of(api.services, api.slices, IpFamily.IPV4, NODE);
        consistentDump = new IptablesDumpGenerator(snapshot, IptablesDumpGenerator.Options.modern()).generate();
        kubeconfig = cluster.writeKubeconfig(dir, "default");
        String entry = """
                Host %s
                  HostName %s
                  Port %d
                  User %s
                  IdentityFile %s
                  UserKnownHostsFile %s
                """;
        sshConfig = Files.writeString(dir.resolve("ssh_config"),
                entry.formatted(NODE, node2.address(), node2.sshPort(), node2.sshUser(), node2.identity(), node2.knownHosts())
                        + entry.formatted("lab-node-gone", node2.address(), 1, node2.sshUser(), node2.identity(), node2.knownHosts()));
    }

    @AfterEach
    void restoreNode2() throws Exception {
        kubeproxy("down");
        cluster.client().configMaps().inNamespace("kube-system").withName("kube-proxy").delete();
    }

    @AfterAll
    static void tearDown() throws Exception {
        kubeproxy("down");
        if (cluster != null) {
            cluster.close();
        }
    }

    private static void kubeproxy(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("scripts/lab/kubeproxy.sh"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("scripts/lab/kubeproxy.sh %s: %s", String.join(" ", args), out).isZero();
    }

    private static void loadIptables(String dump) throws Exception {
        Path f = Files.writeString(dir.resolve("iptables.save"), dump);
        kubeproxy("up", "--iptables", f.toString());
    }

    private static void loadNft(String ruleset) throws Exception {
        Path f = Files.writeString(dir.resolve("kube-proxy.nft"), ruleset);
        kubeproxy("up", "--nft", f.toString());
    }

    private static CliRunner.Result inspect(String... args) {
        List<String> all = new ArrayList<>(List.of("proxy-inspect", "--kubeconfig", kubeconfig.toString(), "--node-address", "name",
                "--ssh-config", sshConfig.toString(), "--ssh-timeout", "5s"));
        all.addAll(List.of(args));
        return CliRunner.run(all.toArray(String[]::new));
    }

    @Test
    void consistentIptablesRulesPassWithTheTableAndExit0() throws Exception {
        loadIptables(consistentDump);
        var r = inspect("--node", NODE).assertExit(0);
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).matches("NODE +MODE +SOURCE +SERVICES +RULES\\(nat\\) +DRIFT");
        int natRules = (int) consistentDump.lines().dropWhile(l -> !l.equals("*nat")).filter(l -> l.startsWith("-A ")).count();
        assertThat(lines.get(1)).matches("lab-node-2 +iptables +evidence +" + programmedPorts() + " +" + String.format("%,d", natRules) + " +0");
        // one node: the per-service model follows, with kube-dns' two backends at 50% each
        assertThat(r.out()).contains("kube-system/kube-dns:dns").containsPattern("10\\.244\\.0\\.5:53 50%, 10\\.244\\.0\\.6:53 50%");
        assertThat(r.err()).doesNotContain("error:");
    }

    @Test
    void theConfigMapModeIsTheSourceWhenTheNodeAgrees() throws Exception {
        loadIptables(consistentDump);
        cluster.client().configMaps().inNamespace("kube-system").resource(new ConfigMapBuilder().withNewMetadata().withName("kube-proxy")
                .withNamespace("kube-system").endMetadata().addToData("config.conf", "apiVersion: kubeproxy.config.k8s.io/v1alpha1\n"
                        + "kind: KubeProxyConfiguration\nmode: \"\"\n").build()).create();
        var r = inspect("-l", "lab=proxy", "-o", "json").assertExit(0);
        JsonNode item = JSON.readTree(r.out()).path("items").get(0);
        assertThat(item.path("node").asText()).isEqualTo(NODE);
        assertThat(item.path("mode").asText()).isEqualTo("iptables");
        assertThat(item.path("source").asText()).isEqualTo("configmap+evidence");
        assertThat(item.path("iptablesBackend").asText()).isEqualTo("nft");
        assertThat(item.path("drift").asInt()).isZero();
    }

    @Test
    void aConfigMapSayingIpvsOnAnIptablesNodeIsReported() throws Exception {
        loadIptables(consistentDump);
        cluster.client().configMaps().inNamespace("kube-system").resource(new ConfigMapBuilder().withNewMetadata().withName("kube-proxy")
                .withNamespace("kube-system").endMetadata().addToData("config.conf", "kind: KubeProxyConfiguration\nmode: ipvs\n").build()).create();
        var r = inspect("--node", NODE).assertExit(0);
        assertThat(r.out()).containsPattern("lab-node-2 +iptables +evidence ");
        assertThat(r.err()).contains("lab-node-2: note: the configmap says ipvs but the node has only iptables rules");
    }

    static List<Arguments> drift() {
        String kubernetesSvc = ChainNames.svc("default/kubernetes:https", "tcp");
        String stale = "KUBE-SEP-STALESTALESTALE1";
        return List.of(
                Arguments.of("a KUBE-SEP jump deleted", (UnaryOperator<String>) d -> deleteLine(d,
                        "-A " + ChainNames.svc("kube-system/kube-dns:dns", "udp") + " ", "-j " + ChainNames.sep("kube-system/kube-dns:dns", "udp", "10.244.0.6:53")),
                        "missing-backend", "kube-system/kube-dns:dns"),
                Arguments.of("a probability changed", (UnaryOperator<String>) d -> d.replaceFirst("--probability 0\\.50000000000", "--probability 0.25000000000"),
                        "wrong-probability", null),
                Arguments.of("a stale SEP chain jumped to", (UnaryOperator<String>) d -> addToNat(d, stale,
                        "-A " + stale + " -p tcp -m tcp -j DNAT --to-destination 10.244.77.7:6443")
                        .replaceFirst("(?m)^(-A " + kubernetesSvc + " .*-j KUBE-SEP-\\w+)$",
                                "-A " + kubernetesSvc + " -m statistic --mode random --probability 0.50000000000 -j " + stale + "\n$1"),
                        "stale-backend", "default/kubernetes:https"),
                Arguments.of("DNAT to :0", (UnaryOperator<String>) d -> d.replaceFirst("--to-destination 10\\.244\\.0\\.5:53\n", "--to-destination :0\n"),
                        "malformed-dnat", "--to-destination :0"),
                Arguments.of("REJECT for a service with endpoints", (UnaryOperator<String>) d -> d.replaceFirst("\\*filter\n((?:.*\n)*?)COMMIT\n",
                        "*filter\n$1-A KUBE-SERVICES -d 10.96.0.1/32 -p tcp -m comment --comment \"default/kubernetes:https has no endpoints\""
                                + " -m tcp --dport 443 -j REJECT --reject-with icmp-port-unreachable\nCOMMIT\n"),
                        "reject-with-endpoints", "default/kubernetes:https"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drift")
    void eachInjectedDriftIsReportedWithExit7(String what, UnaryOperator<String> mutate, String kind, String detail) throws Exception {
        String dump = mutate.apply(consistentDump);
        assertThat(dump).as("the mutation applied").isNotEqualTo(consistentDump);
        loadIptables(dump);
        var r = inspect("--node", NODE).assertExit(7);
        assertThat(r.out()).containsPattern("lab-node-2 +iptables +evidence +\\d+ +[\\d,]+ +[1-9]");
        assertThat(r.out()).containsPattern("lab-node-2 +error +" + kind + " ");
        if (detail != null) {
            assertThat(r.out()).contains(detail);
        }
        JsonNode item = JSON.readTree(inspect("--node", NODE, "-o", "json").assertExit(7).out()).path("items").get(0);
        assertThat(item.path("dataplanes").get(0).path("findings").findValuesAsText("kind")).contains(kind);
    }

    @Test
    void anUnreferencedChainIsAWarningNotDrift() throws Exception {
        loadIptables(addToNat(consistentDump, "KUBE-SEP-ORPHANORPHANORPH",
                "-A KUBE-SEP-ORPHANORPHANORPH -p tcp -m tcp -j DNAT --to-destination 10.244.8.8:80"));
        var r = inspect("--node", NODE).assertExit(0);
        assertThat(r.out()).containsPattern("lab-node-2 +warning +unreferenced-chain +KUBE-SEP-ORPHANORPHANORPH");
    }

    @Test
    void serviceTraceShowsTheRulePathAndTheRulesWalked() throws Exception {
        loadIptables(consistentDump);
        var r = inspect("--node", NODE, "--service", "kube-system/kube-dns:dns").assertExit(0);
        List<String> services = consistentDump.lines().filter(l -> l.startsWith("-A KUBE-SERVICES ") && l.contains("--comment")).toList();
        List<String> natServices = new ArrayList<>();
        boolean nat = false;
        for (String l : consistentDump.lines().toList()) {
            nat = l.equals("*nat") || (nat && !l.equals("COMMIT"));
            if (nat && l.startsWith("-A KUBE-SERVICES ")) {
                natServices.add(l);
            }
        }
        int walked = 0;
        for (int i = 0; i < natServices.size(); i++) {
            if (natServices.get(i).contains("-d 10.96.0.10/32 -p udp")) {
                walked = i + 1;
            }
        }
        assertThat(services).isNotEmpty();
        String svc = ChainNames.svc("kube-system/kube-dns:dns", "udp");
        assertThat(r.out()).contains("lab-node-2: kube-system/kube-dns:dns 10.96.0.10:53/udp (iptables)")
                .containsPattern("nat KUBE-SERVICES #" + walked + " .*→ " + svc)
                .containsPattern("nat " + svc + " #\\d+ p=0\\.50000 .*→ " + ChainNames.sep("kube-system/kube-dns:dns", "udp", "10.244.0.5:53"))
                .contains("→ DNAT 10.244.0.6:53")
                .contains("first packet walks " + walked + " of " + natServices.size() + " KUBE-SERVICES rules before it matches")
                .contains("IPVS and nftables find the service with one hash lookup");
    }

    @Test
    void nftablesModeIsDetectedAndConsistentRulesPass() throws Exception {
        loadNft(NftRulesetGenerator.generate(snapshot));
        var r = inspect("--node", NODE).assertExit(0);
        assertThat(r.out()).containsPattern("lab-node-2 +nftables +evidence +" + programmedPorts() + " +[\\d,]+ +0");
        var t = inspect("--node", NODE, "--service", "kube-system/kube-dns:dns").assertExit(0);
        assertThat(t.out()).contains("(nftables)").contains("@service-ips");
    }

    @Test
    void nftablesDriftIsReportedWithExit7() throws Exception {
        String ruleset = NftRulesetGenerator.generate(snapshot);
        String broken = ruleset.replace("dnat to 10.244.0.5:53\n", "dnat to 10.244.0.99:53\n");
        assertThat(broken).isNotEqualTo(ruleset);
        loadNft(broken);
        var r = inspect("--node", NODE).assertExit(7);
        assertThat(r.out()).containsPattern("lab-node-2 +error +malformed-dnat +kube-system/kube-dns:dns .*10\\.244\\.0\\.99:53");
    }

    @Test
    void ipvsModeOnThisKernelSaysPlainlyThereIsNoIpvs() throws Exception {
        loadIptables(consistentDump);
        var r = inspect("--mode", "ipvs", "--node", NODE).assertExit(6);
        assertThat(r.out()).containsPattern("lab-node-2 prerequisites: ip_vs ✘ ")
                .contains("has no IPVS: ip_vs is not loaded, not built in and no module file exists");
        assertThat(r.err()).contains("error: lab-node-2: This kernel (" + System.getProperty("os.version") + ") has no IPVS");
    }

    @Test
    void checkIpvsIsInformationAlongsideTheRealMode() throws Exception {
        loadIptables(consistentDump);
        var r = inspect("--node", NODE, "--check-ipvs").assertExit(0);
        assertThat(r.out()).containsPattern("lab-node-2 +iptables ").contains("lab-node-2 prerequisites: ip_vs ✘")
                .contains("ipset ✔");
    }

    @Test
    void anUnreachableNodeShowsItsErrorAndExit6DriftElsewhereWins() throws Exception {
        loadIptables(consistentDump);
        var r = inspect("--via", "ssh", "--node", NODE, "--node", "lab-node-gone").assertExit(6);
        assertThat(r.out()).containsPattern("lab-node-2 +iptables +evidence +\\d+ +[\\d,]+ +0 +-\n").containsPattern("lab-node-gone +- .*ssh to node lab-node-gone");
        assertThat(r.err()).contains("error: lab-node-gone: ");
        loadIptables(consistentDump.replaceFirst("--to-destination 10\\.244\\.0\\.5:53\n", "--to-destination :0\n"));
        inspect("--via", "ssh", "--node", NODE, "--node", "lab-node-gone").assertExit(7);
    }

    /** Runs {@code ip ARGS} inside node 2's network namespace (the lab's, as root). */
    private static void ipInNode2(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", "k8scap-node2", "ip"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("ip %s: %s", String.join(" ", args), out).isZero();
    }

    @Test
    void aNodeWithCiliumDevicesAndTheReplacementOnSaysCiliumServesTheServiceNotMissingServices() throws Exception {
        // the devices Cilium's agent creates (a veth pair cilium_host/cilium_net), for real, in node 2's namespace
        ipInNode2("link", "add", "cilium_host", "type", "veth", "peer", "name", "cilium_net");
        cluster.client().configMaps().inNamespace("kube-system").resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                .withNewMetadata().withName("cilium-config").endMetadata().addToData("kube-proxy-replacement", "true").build()).create();
        try {
            var r = inspect("--node", NODE, "--service", "kube-system/kube-dns").assertExit(6);
            assertThat(r.err()).contains("error: lab-node-2: node lab-node-2 has no kube-proxy: Cilium's kube-proxy replacement")
                    .contains("cilium-config kube-proxy-replacement=true").contains("cilium_host, cilium_net on the node")
                    .contains("Service kube-system/kube-dns (cluster IP ").contains("cilium-dbg service list")
                    .doesNotContain("missing-service");
            assertThat(r.out()).doesNotContain("missing-service");
            // with kube-proxy's rules back as well, the node is inspected and the replacement is a note
            loadIptables(consistentDump);
            var both = inspect("--node", NODE).assertExit(0);
            assertThat(both.err()).contains("note: Cilium's kube-proxy replacement is on (cilium-config kube-proxy-replacement=true;"
                    + " cilium_host, cilium_net on the node) yet the node also has kube-proxy rules");
        } finally {
            ipInNode2("link", "del", "cilium_host");
            cluster.client().configMaps().inNamespace("kube-system").withName("cilium-config").delete();
        }
    }

    @Test
    void aNodeWithNoServiceProxyAtAllSaysWhatThatMeansForTheServiceAsked() throws Exception {
        var r = inspect("--node", NODE, "--service", "kube-system/kube-dns").assertExit(6);
        assertThat(r.err()).contains("error: lab-node-2: node lab-node-2 has no service proxy that k8scap can see")
                .contains("connections from this node (and its pods) to Service kube-system/kube-dns (cluster IP ")
                .contains("are not translated to any endpoint and time out")
                .contains("--field-selector spec.nodeName=lab-node-2");
        assertThat(r.out()).doesNotContain("missing-service");
    }

    @Test
    void withKubeProxyDeployedAnEmptyNodeIsOneNoteExplainingTheMissingServices() throws Exception {
        cluster.client().configMaps().inNamespace("kube-system").resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                .withNewMetadata().withName("kube-proxy").endMetadata().addToData("config.conf", "mode: iptables\n").build()).create();
        var r = inspect("--node", NODE, "--service", "kube-system/kube-dns").assertExit(7);
        assertThat(r.err()).contains("lab-node-2: note: the API deploys kube-proxy but node lab-node-2 has none of its rules")
                .contains("connections from this node to Service kube-system/kube-dns (cluster IP ");
        assertThat(r.out()).contains("missing-service");
    }

    @Test
    void aWindowsNodeIsReportedAsNotInspectable() throws Exception {
        cluster.client().nodes().resource(new NodeBuilder().withNewMetadata().withName("lab-node-win").addToLabels("kubernetes.io/os", "windows")
                .endMetadata().build()).create();
        try {
            loadIptables(consistentDump);
            var r = inspect("--node", NODE, "--node", "lab-node-win").assertExit(6);
            assertThat(r.err()).contains("error: lab-node-win: node lab-node-win runs Windows: kube-proxy there uses the winkernel mode");
            assertThat(r.out()).containsPattern("lab-node-2 +iptables +evidence ");
        } finally {
            cluster.client().nodes().withName("lab-node-win").delete();
        }
    }

    private static int programmedPorts() {
        return (int) snapshot.ports().stream().filter(p -> !p.clusterEndpoints().isEmpty()).count();
    }

    /** Declares {@code chain} in the nat table (the generator writes it last) and appends {@code rule} to it. */
    private static String addToNat(String dump, String chain, String rule) {
        String declared = dump.replace("*nat\n", "*nat\n:" + chain + " - [0:0]\n");
        int commit = declared.lastIndexOf("COMMIT\n");
        return declared.substring(0, commit) + rule + "\n" + declared.substring(commit);
    }

    private static String deleteLine(String dump, String prefix, String contains) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(prefix) + ".*" + Pattern.quote(contains) + "\n").matcher(dump);
        return m.replaceFirst("");
    }
}
