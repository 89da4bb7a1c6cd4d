package dev.probe.source.dpdk.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static dev.probe.source.dpdk.internal.DpdkLayout.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * Slow-path operations on ethdev ports, taking and returning Java values only. Called on the thread
 * that opens, inspects or closes a source (and by the stats thread for {@link #stats}); the EAL must
 * have been started. Methods returning {@code int} return DPDK's status: 0 or a negative errno.
 */
public final class EthDev {
    private EthDev() {
    }

    /** What {@code rte_eth_dev_info_get} reports about a port, the fields the source uses. */
    public record Info(String driver, int minMtu, int maxMtu, long maxRxPktLen, int maxRxQueues, int rxDescMax,
                       int rxDescMin, int rxDescAlign, long rxOffloadCapa, int retaSize, int hashKeySize,
                       long flowTypeRssOffloads) {
    }

    /** A port's link: up or down, speed in Mbps (0 or -1 when unknown), duplex. */
    public record Link(boolean up, long speedMbps, boolean fullDuplex) {
    }

    /** The receive side of {@code rte_eth_stats}. */
    public record Stats(long ipackets, long ibytes, long imissed, long ierrors, long rxNombuf, long[] qIpackets) {
    }

    /** The ids of all valid ports, ascending. */
    public static List<Integer> ports() {
        final List<Integer> ids = new ArrayList<>();
        for (int p = 0; p < MAX_ETHPORTS; p++) {
            if (Rte.isValidPort(p)) {
                ids.add(p);
            }
        }
        return ids;
    }

    /** How many ports are available. */
    public static int count() {
        return Rte.devCountAvail();
    }

    /** The id of the port named {@code name} ({@code net_pcap0}, {@code 0000:3b:00.0}), or -1. */
    public static int portByName(final String name) {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment out = arena.allocate(JAVA_SHORT);
            final int rc = Rte.portByName(arena.allocateFrom(name), out);
            return rc == 0 ? out.get(JAVA_SHORT, 0) & 0xFFFF : -1;
        }
    }

    /** The port's device name, or null for an invalid port. */
    public static String name(final int port) {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment out = arena.allocate(ETH_NAME_MAX_LEN);
            return Rte.nameByPort(port, out) == 0 ? out.getString(0) : null;
        }
    }

    /** The port's NUMA socket, or {@link DpdkLayout#SOCKET_ID_ANY} when unknown. */
    public static int socket(final int port) {
        final int socket = Rte.socketId(port);
        return socket < 0 ? SOCKET_ID_ANY : socket;
    }

    /** The port's capabilities, or null when the call fails. */
    public static Info info(final int port) {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment i = arena.allocate(DEV_INFO_SIZE, 8);
            if (Rte.devInfoGet(port, i) != 0) {
                return null;
            }
            final MemorySegment driverName = i.get(ValueLayout.ADDRESS, DEV_INFO_DRIVER_NAME);
            final String driver = driverName.equals(MemorySegment.NULL) ? "?" : driverName.reinterpret(256).getString(0);
            return new Info(driver,
                    u16(i, DEV_INFO_MIN_MTU), u16(i, DEV_INFO_MAX_MTU),
                    Integer.toUnsignedLong(i.get(JAVA_INT, DEV_INFO_MAX_RX_PKTLEN)),
                    u16(i, DEV_INFO_MAX_RX_QUEUES),
                    u16(i, DEV_INFO_RX_DESC_LIM + DESC_LIM_NB_MAX),
                    u16(i, DEV_INFO_RX_DESC_LIM + DESC_LIM_NB_MIN),
                    u16(i, DEV_INFO_RX_DESC_LIM + DESC_LIM_NB_ALIGN),
                    i.get(JAVA_LONG, DEV_INFO_RX_OFFLOAD_CAPA),
                    u16(i, DEV_INFO_RETA_SIZE),
                    i.get(JAVA_BYTE, DEV_INFO_HASH_KEY_SIZE) & 0xFF,
                    i.get(JAVA_LONG, DEV_INFO_FLOW_TYPE_RSS_OFFLOADS));
        }
    }

    /** The link without waiting, or null when the driver cannot say. */
    public static Link link(final int port) {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment l = arena.allocate(LINK_SIZE, 8);
            if (Rte.linkGetNowait(port, l) != 0) {
                return null;
            }
            final long speed = Integer.toUnsignedLong(l.get(JAVA_INT, LINK_SPEED));
            final int flags = l.get(JAVA_SHORT, LINK_FLAGS) & 0xFFFF;
            return new Link((flags & LINK_FLAG_STATUS_UP) != 0, speed == ETH_SPEED_NUM_UNKNOWN ? -1 : speed,
                    (flags & LINK_FLAG_DUPLEX_FULL) != 0);
        }
    }

    /** The port's MAC address as {@code aa:bb:cc:dd:ee:ff}, or null. */
    public static String mac(final int port) {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment m = arena.allocate(ETHER_ADDR_SIZE, 2);
            if (Rte.macaddrGet(port, m) != 0) {
                return null;
            }
            return HexFormat.ofDelimiter(":").formatHex(m.toArray(JAVA_BYTE));
        }
    }

    /** The port's receive counters, with per-queue packets for the first {@code queues} queues; null on error. */
    public static Stats stats(final int port, final int queues) {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment s = arena.allocate(STATS_SIZE, 8);
            if (Rte.statsGet(port, s) != 0) {
                return null;
            }
            final long[] q = new long[Math.min(queues, ETHDEV_QUEUE_STAT_CNTRS)];
            for (int i = 0; i < q.length; i++) {
                q[i] = s.get(JAVA_LONG, STATS_Q_IPACKETS + 8L * i);
            }
            return new Stats(s.get(JAVA_LONG, STATS_IPACKETS), s.get(JAVA_LONG, STATS_IBYTES),
                    s.get(JAVA_LONG, STATS_IMISSED), s.get(JAVA_LONG, STATS_IERRORS),
                    s.get(JAVA_LONG, STATS_RX_NOMBUF), q);
        }
    }

    /**
     * rte_eth_dev_configure with {@code rxQueues} receive queues and no transmit queue.
     *
     * @param rssHf hash functions, 0 for no RSS
     * @param rssKey the RSS key, or null for the driver's default
     * @param mtu the MTU to request, 0 for the driver's default
     * @param offloads port receive offloads ({@code RTE_ETH_RX_OFFLOAD_*})
     */
    public static int configure(final int port, final int rxQueues, final long rssHf, final byte[] rssKey,
                                final int mtu, final long offloads) {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment conf = arena.allocate(ETH_CONF_SIZE, 8);
            conf.set(JAVA_INT, ETH_CONF_RXMODE + RXMODE_MQ_MODE, rssHf != 0 ? ETH_MQ_RX_RSS : ETH_MQ_RX_NONE);
            conf.set(JAVA_INT, ETH_CONF_RXMODE + RXMODE_MTU, mtu);
            conf.set(JAVA_LONG, ETH_CONF_RXMODE + RXMODE_OFFLOADS, offloads);
            fillRssConf(arena, conf.asSlice(ETH_CONF_RSS_CONF, RSS_CONF_SIZE), rssHf, rssKey);
            return Rte.configure(port, rxQueues, 0, conf);
        }
    }

    /** rte_eth_dev_rss_hash_update with {@code rssHf} and {@code rssKey} (null: leave the key). */
    public static int rssHashUpdate(final int port, final long rssHf, final byte[] rssKey) {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment conf = arena.allocate(RSS_CONF_SIZE, 8);
            fillRssConf(arena, conf, rssHf, rssKey);
            return Rte.rssHashUpdate(port, conf);
        }
    }

    /** Fills a redirection table of {@code retaSize} entries round-robin over {@code queues} queues. */
    public static int spreadReta(final int port, final int retaSize, final int queues) {
        final int groups = (retaSize + ETH_RETA_GROUP_SIZE - 1) / ETH_RETA_GROUP_SIZE;
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment reta = arena.allocate(RETA_ENTRY64_SIZE * groups, 8);
            for (int i = 0; i < retaSize; i++) {
                final long group = RETA_ENTRY64_SIZE * (i / ETH_RETA_GROUP_SIZE);
                final int slot = i % ETH_RETA_GROUP_SIZE;
                final long mask = reta.get(JAVA_LONG, group + RETA_ENTRY64_MASK);
                reta.set(JAVA_LONG, group + RETA_ENTRY64_MASK, mask | (1L << slot));
                reta.set(JAVA_SHORT, group + RETA_ENTRY64_RETA + 2L * slot, (short) (i % queues));
            }
            return Rte.retaUpdate(port, reta, retaSize);
        }
    }

    /** rte_eth_rx_queue_setup with the driver's default queue configuration. */
    public static int rxQueueSetup(final int port, final int queue, final int descriptors, final int socket,
                                   final MbufPool pool) {
        return Rte.rxQueueSetup(port, queue, descriptors, socket, MemorySegment.NULL, pool.segment());
    }

    /** rte_eth_dev_start. */
    public static int start(final int port) {
        return Rte.start(port);
    }

    /** rte_eth_dev_stop. */
    public static int stop(final int port) {
        return Rte.stop(port);
    }

    /** rte_eth_dev_close: the port id is released. */
    public static int close(final int port) {
        return Rte.close(port);
    }

    /** rte_eth_promiscuous_enable. */
    public static int promiscuousEnable(final int port) {
        return Rte.promiscuousEnable(port);
    }

    /** Counts a port the caller started, for the EAL exit hook. */
    public static void opened() {
        Eal.portOpened();
    }

    /** Counts a port the caller closed. */
    public static void closed() {
        Eal.portClosed();
    }

    /** The offset of the mbuf receive timestamp dynamic field, or -1 when no driver registered it. */
    public static int timestampFieldOffset() {
        try (Arena arena = Arena.ofConfined()) {
            return Rte.dynfieldLookup(arena.allocateFrom("rte_dynfield_timestamp"));
        }
    }

    /** The bit number of the mbuf receive timestamp flag in {@code ol_flags}, or -1. */
    public static int timestampFlagBit() {
        try (Arena arena = Arena.ofConfined()) {
            return Rte.dynflagLookup(arena.allocateFrom("rte_dynflag_rx_timestamp"));
        }
    }

    /** The calling thread's rte_errno described, for errors signalled by -1 or NULL. */
    public static String lastError() {
        final int errno = Rte.errno();
        return Rte.strerror(errno) + " (rte_errno " + errno + ")";
    }

    /** A negative status described. */
    public static String describe(final int status) {
        return Rte.strerror(-status) + " (" + status + ")";
    }

    private static void fillRssConf(final Arena arena, final MemorySegment rss, final long rssHf, final byte[] key) {
        if (key != null) {
            rss.set(ValueLayout.ADDRESS, RSS_CONF_RSS_KEY, arena.allocateFrom(JAVA_BYTE, key));
            rss.set(JAVA_BYTE, RSS_CONF_RSS_KEY_LEN, (byte) key.length);
        }
        rss.set(JAVA_LONG, RSS_CONF_RSS_HF, rssHf);
    }

    private static int u16(final MemorySegment s, final long offset) {
        return s.get(JAVA_SHORT_UNALIGNED, offset) & 0xFFFF;
    }
}
