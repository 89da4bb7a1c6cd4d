package dev.probe.source.dpdk;

import com.typesafe.config.Config;
import dev.probe.source.dpdk.internal.Eal;
import dev.probe.source.dpdk.internal.EthDev;

import java.util.ArrayList;
import java.util.List;

/**
 * Lists the ports DPDK sees, for {@code bin/probe ports}. Starts the process's EAL with
 * {@code probe.source.dpdk.eal-args} if it is not running yet. Called on the main thread.
 */
public final class DpdkPorts {
    private static final String[] RSS_NAMES = new String[64];

    static {
        final String[] names = {null, null, "ipv4", "frag-ipv4", "ipv4-tcp", "ipv4-udp", "ipv4-sctp", "ipv4-other",
            "ipv6", "frag-ipv6", "ipv6-tcp", "ipv6-udp", "ipv6-sctp", "ipv6-other", "l2-payload", "ipv6-ex",
            "ipv6-tcp-ex", "ipv6-udp-ex", "port", "vxlan", "geneve", "nvgre", null, "gtpu", "eth", "s-vlan",
            "c-vlan", "esp", "ah", "l2tpv3", "pfcp", "pppoe", "ecpri", "mpls", "ipv4-chksum", "l4-chksum",
            "l2tpv2"};
        System.arraycopy(names, 0, RSS_NAMES, 0, names.length);
    }

    private DpdkPorts() {
    }

    /**
     * Every port, by id.
     *
     * @throws dev.probe.api.ProbeException when DPDK is unavailable or the EAL cannot start
     */
    public static List<DpdkPortInfo> list(final Config config) {
        Dpdk.ensureAvailable();
        Eal.init(DpdkSettings.ealArgs(config));
        final List<DpdkPortInfo> ports = new ArrayList<>();
        for (final int id : EthDev.ports()) {
            final EthDev.Info info = EthDev.info(id);
            final EthDev.Link link = EthDev.link(id);
            final String mac = EthDev.mac(id);
            ports.add(new DpdkPortInfo(id, EthDev.name(id), info == null ? "?" : info.driver(),
                    mac == null ? "?" : mac, link != null && link.up(), link == null ? -1 : link.speedMbps(),
                    info == null ? 0 : info.maxRxQueues(), info == null ? 0 : info.rxDescMax(),
                    info == null ? List.of() : rssNames(info.flowTypeRssOffloads())));
        }
        return List.copyOf(ports);
    }

    /** DPDK's names of the RSS offload bits set in {@code flowTypeRssOffloads}, {@code bit<n>} when unnamed. */
    public static List<String> rssNames(final long flowTypeRssOffloads) {
        final List<String> names = new ArrayList<>();
        for (int bit = 0; bit < 64; bit++) {
            if ((flowTypeRssOffloads & (1L << bit)) != 0) {
                names.add(RSS_NAMES[bit] != null ? RSS_NAMES[bit] : "bit" + bit);
            }
        }
        return names;
    }

    /** A plain-text table of {@code ports}, one line each under a header, ending with a newline. */
    public static String format(final List<DpdkPortInfo> ports) {
        final List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "NAME", "DRIVER", "MAC", "LINK", "RX QUEUES", "RX DESC", "RSS"});
        for (final DpdkPortInfo p : ports) {
            final String speed = p.linkSpeedMbps() < 0 ? "" : p.linkSpeedMbps() >= 1000
                    ? " " + (p.linkSpeedMbps() / 1000) + "G" : p.linkSpeedMbps() > 0 ? " " + p.linkSpeedMbps() + "M" : "";
            rows.add(new String[] {Integer.toString(p.id()), p.name(), p.driver(), p.mac(),
                (p.linkUp() ? "up" : "down") + speed, Integer.toString(p.maxRxQueues()),
                Integer.toString(p.maxRxDescriptors()),
                p.rssOffloads().isEmpty() ? "none" : String.join(",", p.rssOffloads())});
        }
        final int[] width = new int[rows.get(0).length];
        for (final String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        final StringBuilder out = new StringBuilder();
        if (ports.isEmpty()) {
            out.append("No DPDK ports: bind a NIC to a DPDK driver, or add --vdev to probe.source.dpdk.eal-args\n");
            return out.toString();
        }
        for (final String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                out.append(c == row.length - 1 ? row[c] : String.format("%-" + width[c] + "s  ", row[c]));
            }
            out.append('\n');
        }
        return out.toString();
    }
}
