package io.k8scap.cluster;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;

/**
 * The JSON mapper of k8scap's Kubernetes client: fabric8's, except that what k8scap never reads
 * from pods and nodes is skipped when reading them: volumes, probes, env, resources, security
 * contexts, affinity and tolerations of pods (and of workloads' pod templates), managedFields, a
 * node's image list. Jackson then never builds deserializers for those (≈ 270 of the 470 model
 * classes a Pod and a Node take): the first pod read costs about half (≈ 0.1 s less before the
 * first answer is usable), and big real objects parse faster.
 *
 * <p>Writing is unchanged ({@code allowGetters}): a helper pod k8scap creates keeps its security
 * context, volumes and tolerations. A field listed here reads as null (lists: empty); code that
 * starts reading one must take it off the list ({@code LeanReadsTest} shows both directions).
 */
public final class LeanReads {
    private LeanReads() {}

    public static ObjectMapper mapper() {
        return new ObjectMapper()
                .addMixIn(PodSpec.class, PodSpecReads.class)
                .addMixIn(Container.class, ContainerReads.class)
                .addMixIn(EphemeralContainer.class, ContainerReads.class)
                .addMixIn(ContainerStatus.class, ContainerStatusReads.class)
                .addMixIn(PodStatus.class, PodStatusReads.class)
                .addMixIn(ObjectMeta.class, ObjectMetaReads.class)
                .addMixIn(NodeStatus.class, NodeStatusReads.class);
    }

    @JsonIgnoreProperties(allowGetters = true, value = {"affinity", "dnsConfig", "evictionResponders", "hostAliases", "imagePullSecrets",
        "os", "readinessGates", "resourceClaims", "resources", "schedulingGates", "schedulingGroup", "securityContext", "tolerations",
        "topologySpreadConstraints", "volumes"})
    interface PodSpecReads {}

    @JsonIgnoreProperties(allowGetters = true, value = {"env", "envFrom", "lifecycle", "livenessProbe", "readinessProbe", "resizePolicy",
        "resources", "restartPolicyRules", "securityContext", "startupProbe", "volumeDevices", "volumeMounts"})
    interface ContainerReads {}

    @JsonIgnoreProperties(allowGetters = true, value = {"allocatedResources", "allocatedResourcesStatus", "resources", "user", "volumeMounts"})
    interface ContainerStatusReads {}

    @JsonIgnoreProperties(allowGetters = true, value = {"allocatedResources", "extendedResourceClaimStatus", "nodeAllocatableResourceClaimStatuses",
        "resourceClaimStatuses", "resources", "volumeHealth"})
    interface PodStatusReads {}

    @JsonIgnoreProperties(allowGetters = true, value = {"managedFields"})
    interface ObjectMetaReads {}

    @JsonIgnoreProperties(allowGetters = true, value = {"config", "daemonEndpoints", "declaredFeatures", "features", "images", "runtimeHandlers",
        "volumesAttached", "volumesInUse"})
    interface NodeStatusReads {}
}
