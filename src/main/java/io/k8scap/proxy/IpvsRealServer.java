package io.k8scap.proxy;

import java.util.Map;

/**
 * A real server of an IPVS virtual server.
 *
 * @param address IP without brackets
 * @param forward Masq, Local, Tunnel or Route (null in --stats/--rate listings)
 * @param weight null in --stats/--rate listings; 0 = terminating endpoint being drained
 * @param counters the listing's numeric columns by header name (ActiveConn, InActConn, Conns, InPkts, CPS, …),
 *     K/M/G expanded
 */
public record IpvsRealServer(String address, int port, String forward, Integer weight, Map<String, Long> counters) {
    public String endpoint() {
        return ChainNames.endpoint(address, port);
    }
}
