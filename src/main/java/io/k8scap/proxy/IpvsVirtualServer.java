package io.k8scap.proxy;

import java.util.List;
import java.util.Map;

/**
 * An IPVS virtual server.
 *
 * @param protocol TCP, UDP, SCTP or FWM
 * @param address IP without brackets (null for FWM)
 * @param port 0 for FWM
 * @param fwmark the firewall mark for FWM services
 * @param scheduler rr, wrr, sh, … (null in --stats/--rate listings)
 * @param persistent {@code persistent N} seconds, null when not persistent
 * @param mask persistence netmask, pe persistence engine, ops one-packet scheduling
 */
public record IpvsVirtualServer(String protocol, String address, int port, Integer fwmark, boolean ipv6, String scheduler,
        Integer persistent, String mask, String pe, boolean ops, Map<String, Long> counters, List<IpvsRealServer> realServers) {

    /** {@code TCP 10.96.0.1:443} / {@code FWM 100}, as a key and for messages. */
    public String key() {
        return protocol.equals("FWM") ? "FWM " + fwmark : protocol + " " + ChainNames.endpoint(address, port);
    }
}
