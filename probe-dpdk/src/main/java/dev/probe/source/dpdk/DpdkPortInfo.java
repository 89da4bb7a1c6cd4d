package dev.probe.source.dpdk;

import java.util.List;

/**
 * What DPDK reports about one port, for {@code bin/probe ports}.
 *
 * @param id the port id ({@code probe.source.dpdk.port} accepts it or the name)
 * @param name the device name: {@code net_pcap0}, {@code 0000:3b:00.0}
 * @param driver the driver: {@code net_pcap}, {@code net_ice}
 * @param mac the MAC address, {@code aa:bb:cc:dd:ee:ff}, or {@code ?}
 * @param linkUp whether the link is up
 * @param linkSpeedMbps link speed in Mbps, 0 when none, -1 when unknown
 * @param maxRxQueues the most receive queues ({@code rx-queues})
 * @param maxRxDescriptors the most descriptors per receive queue ({@code rx-descriptors})
 * @param rssOffloads what RSS can hash on, DPDK's names without prefix ({@code ipv4-tcp}); empty for none
 */
public record DpdkPortInfo(int id, String name, String driver, String mac, boolean linkUp, long linkSpeedMbps,
                           int maxRxQueues, int maxRxDescriptors, List<String> rssOffloads) {
}
