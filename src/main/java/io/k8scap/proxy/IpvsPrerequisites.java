package io.k8scap.proxy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The IPVS prerequisite verdict for a node, with advice for its kube-proxy version. */
public final class IpvsPrerequisites {
    private IpvsPrerequisites() {
    }

    public static PrerequisitesView check(PrerequisiteInput in) {
        Set<String> loaded = KernelModules.loaded(in.procModules());
        Set<String> builtin = KernelModules.listed(in.modulesBuiltin());
        Set<String> available = KernelModules.listed(in.modulesDep());
        int[] kernel = version(in.kernelRelease());
        boolean oldConntrack = kernel != null && (kernel[0] < 4 || (kernel[0] == 4 && kernel[1] < 19));
        List<ModuleCheck> modules = new ArrayList<>();
        Set<String> procNet = new java.util.HashSet<>();
        if (in.procNetListing() != null) {
            procNet.addAll(List.of(in.procNetListing().strip().split("\\s+")));
        }
        boolean noModuleLists = in.procModules() == null && in.modulesBuiltin() == null;
        ModuleCheck.State ipVs = null;
        for (String m : List.of("ip_vs", "ip_vs_rr", "ip_vs_wrr", "ip_vs_sh", oldConntrack ? "nf_conntrack_ipv4" : "nf_conntrack")) {
            ModuleCheck.State state;
            if (loaded.contains(m)) {
                state = ModuleCheck.State.LOADED;
            } else if (builtin.contains(m) || (procNet.contains(m.startsWith("nf_conntrack") ? "nf_conntrack" : m))) {
                state = ModuleCheck.State.BUILTIN; // present in the running kernel without being a loaded module
            } else if (available.contains(m)) {
                state = ModuleCheck.State.AVAILABLE;
            } else if (m.startsWith("ip_vs_") && noModuleLists && ipVs != ModuleCheck.State.MISSING) {
                state = ModuleCheck.State.UNKNOWN;
            } else {
                state = ModuleCheck.State.MISSING;
            }
            if (m.equals("ip_vs")) {
                ipVs = state;
            }
            modules.add(new ModuleCheck(m, state));
        }
        List<ToolCheck> tools = List.of(tool("ipset", in.ipsetVersion()), tool("ipvsadm", in.ipvsadmVersion()));
        boolean ipvsInKernel = modules.get(0).state() != ModuleCheck.State.MISSING;
        boolean modulesOk = modules.stream().allMatch(ModuleCheck::ok);
        boolean satisfied = modulesOk && tools.stream().allMatch(ToolCheck::present);
        int[] kp = version(in.kubeProxyVersion());
        List<String> advice = new ArrayList<>();
        String kernelText = in.kernelRelease() == null ? "unknown" : in.kernelRelease().strip();
        if (!ipvsInKernel) {
            advice.add("This kernel (" + kernelText + ") has no IPVS: ip_vs is not loaded, not built in and no module file exists;"
                    + " kube-proxy cannot run in IPVS mode on this node.");
        }
        List<String> notLoaded = modules.stream().filter(m -> m.state() == ModuleCheck.State.AVAILABLE).map(ModuleCheck::name).toList();
        List<String> missing = modules.stream().filter(m -> m.state() == ModuleCheck.State.MISSING).map(ModuleCheck::name).toList();
        List<String> unknown = modules.stream().filter(m -> m.state() == ModuleCheck.State.UNKNOWN).map(ModuleCheck::name).toList();
        if (!unknown.isEmpty()) {
            advice.add("Cannot tell whether " + String.join(", ", unknown) + " are built in: the node has neither /proc/modules nor"
                    + " modules.builtin.");
        }
        if (ipvsInKernel && !missing.isEmpty()) {
            advice.add("Missing from this kernel: " + String.join(", ", missing) + ".");
        }
        if (!notLoaded.isEmpty()) {
            advice.add("Not loaded but available: " + String.join(", ", notLoaded) + " (modprobe them, and list them in /etc/modules-load.d/"
                    + " so they load at boot).");
        }
        tools.stream().filter(t -> !t.present()).forEach(t -> advice.add(t.name().equals("ipset")
                ? "ipset is missing: kube-proxy's IPVS mode needs it for its KUBE-CLUSTER-IP and related sets."
                : "ipvsadm is missing: kube-proxy does not need it, but without it the IPVS table cannot be inspected on this node."));
        String v = in.kubeProxyVersion() == null ? null : in.kubeProxyVersion().strip();
        if (!modulesOk) {
            if (kp == null) {
                advice.add("kube-proxy's version is unknown: up to 1.25 it silently falls back to iptables mode when IPVS modules are missing;"
                        + " 1.26 exits with an error; 1.27 and later probe IPVS by creating a dummy virtual server instead of checking modules.");
            } else if (kp[0] == 1 && kp[1] <= 25) {
                advice.add("kube-proxy " + v + " (≤ 1.25) silently falls back to iptables mode when these are missing: the node may not be"
                        + " in the mode its configuration says.");
            } else if (kp[0] == 1 && kp[1] == 26) {
                advice.add("kube-proxy " + v + " (1.26) exits with an error at start when these are missing.");
            } else {
                advice.add("kube-proxy " + v + " (≥ 1.27) does not check modules: it probes IPVS by creating a dummy virtual server and exits"
                        + " with an error if that fails" + (ipvsInKernel ? "; modules the kernel can load on demand are fine." : "."));
            }
        }
        if (kp == null || kp[0] > 1 || kp[1] >= 35) {
            advice.add("IPVS mode is deprecated from Kubernetes 1.35" + (kp == null ? "" : " (this node runs " + v + ")")
                    + ": plan a move to nftables mode (GA in 1.33, needs kernel ≥ 5.13" + (kernel == null ? "" : ", this one is "
                    + kernelText + (kernel[0] > 5 || (kernel[0] == 5 && kernel[1] >= 13) ? ", fine" : ", too old")) + ").");
        }
        if (satisfied) {
            advice.add(0, "IPVS prerequisites are met.");
        }
        return new PrerequisitesView(kernelText, List.copyOf(modules), tools, v, ipvsInKernel, satisfied, List.copyOf(advice));
    }

    private static ToolCheck tool(String name, String versionOutput) {
        if (versionOutput == null || versionOutput.isBlank() || versionOutput.contains("not found") || versionOutput.contains("No such file")) {
            return new ToolCheck(name, false, null);
        }
        for (String tok : versionOutput.strip().split("[\\s,]+")) {
            if (tok.length() > 1 && tok.charAt(0) == 'v' && Character.isDigit(tok.charAt(1))) {
                return new ToolCheck(name, true, tok.substring(1));
            }
        }
        return new ToolCheck(name, true, null);
    }

    /** "5.10.0-28-amd64" / "v1.28.3" → {5, 10} / {1, 28}; null when unparseable. */
    static int[] version(String text) {
        if (text == null) {
            return null;
        }
        String t = text.strip();
        if (t.startsWith("v")) {
            t = t.substring(1);
        }
        int kp = t.indexOf("Kubernetes v");
        if (kp >= 0) {
            t = t.substring(kp + "Kubernetes v".length());
        }
        String[] parts = t.split("[.\\-+]", 3);
        try {
            return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
        } catch (RuntimeException e) {
            return null;
        }
    }
}
