package dev.probe.source.dpdk;

import com.typesafe.config.Config;
import dev.probe.api.ProbeException;
import dev.probe.api.Settings;
import dev.probe.source.dpdk.internal.DpdkLayout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The validated {@code probe.source.dpdk} settings, read once on the thread that opens the source.
 * Checks that depend on the device (queue and descriptor limits, RSS, timestamps) happen at open.
 *
 * @param ealArgs arguments for {@code rte_eal_init}, without the program name
 * @param port port name ({@code net_pcap0}, {@code 0000:3b:00.0}) or numeric id
 * @param rxQueues receive queues, one receive worker each
 * @param rxDescriptors descriptors per receive queue
 * @param rssFields what RSS hashes on, when there is more than one queue
 * @param rssSymmetric whether to use the symmetric key so both directions of a flow share a queue
 * @param mbufs mbufs in the pool
 * @param mbufCache per-lcore cache of the pool
 * @param dataRoom frame bytes one mbuf holds
 * @param promiscuous whether to enable promiscuous mode
 * @param linkWait how long to wait for the link to come up
 * @param timestamps where capture times come from
 */
public record DpdkSettings(List<String> ealArgs, String port, int rxQueues, int rxDescriptors,
                           List<RssField> rssFields, boolean rssSymmetric, int mbufs, int mbufCache, int dataRoom,
                           boolean promiscuous, Duration linkWait, Timestamps timestamps, Config config) {

    /** The section this source reads. */
    public static final String PREFIX = "probe.source.dpdk.";

    /** What RSS may hash on; each maps to DPDK's {@code RTE_ETH_RSS_*} group of the same name. */
    public enum RssField {
        IP(DpdkLayout.ETH_RSS_IP), TCP(DpdkLayout.ETH_RSS_TCP), UDP(DpdkLayout.ETH_RSS_UDP),
        SCTP(DpdkLayout.ETH_RSS_SCTP), L2_PAYLOAD(DpdkLayout.ETH_RSS_L2_PAYLOAD);

        private final long mask;

        RssField(final long mask) {
            this.mask = mask;
        }

        /** The {@code rss_hf} bits of this field. */
        public long mask() {
            return mask;
        }

        /** The setting's spelling: {@code ip}, {@code l2-payload}. */
        public String key() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** Where capture times come from. */
    public enum Timestamps {
        /** The device's receive timestamp ({@code RTE_ETH_RX_OFFLOAD_TIMESTAMP}). */
        NIC,
        /** The host clock, read once per poll. */
        CLOCK
    }

    /** Reads and validates {@code probe.source.dpdk}. */
    public static DpdkSettings from(final Config config) {
        final List<String> eal = ealArgs(config);
        final String port = Settings.nonEmptyString(config, PREFIX + "port");
        final int rxQueues = Settings.intInRange(config, PREFIX + "rx-queues", 1, 1024);
        final int rxDescriptors = Settings.intInRange(config, PREFIX + "rx-descriptors", 1, 65535);
        final List<RssField> fields = new ArrayList<>();
        final Set<String> allowed = Set.of("ip", "tcp", "udp", "sctp", "l2-payload");
        for (final String f : Settings.stringList(config, PREFIX + "rss.fields")) {
            if (!allowed.contains(f)) {
                throw Settings.invalid(config, PREFIX + "rss.fields", "a list of " + String.join(", ",
                        allowed.stream().sorted().toList()));
            }
            fields.add(RssField.valueOf(f.toUpperCase(Locale.ROOT).replace('-', '_')));
        }
        final boolean symmetric = Settings.bool(config, PREFIX + "rss.symmetric");
        final int dataRoom = Settings.intInRange(config, PREFIX + "data-room", 64, 65535 - DpdkLayout.PKTMBUF_HEADROOM);
        final int cache = Settings.intInRange(config, PREFIX + "mbuf-cache", 0, 512);
        final int mbufs = Settings.intInRange(config, PREFIX + "mbufs", 1, Integer.MAX_VALUE);
        // DPDK's own limit first (rte_mempool_create refuses a cache above it), though the count below implies it
        if (cache * 3L > mbufs * 2L) {
            throw Settings.invalid(config, PREFIX + "mbuf-cache", "at most mbufs / 1.5 = " + (mbufs * 2L / 3));
        }
        final long least = leastMbufs(config, rxQueues, rxDescriptors, cache);
        if (mbufs < least) {
            throw Settings.invalid(config, PREFIX + "mbufs", "at least " + mbufsFormula(config, rxQueues,
                    rxDescriptors, cache) + ", so that every descriptor, burst, ring slot, transmit worker's claim"
                    + " and per-thread mempool cache can hold an mbuf at once");
        }
        final boolean promiscuous = Settings.bool(config, PREFIX + "promiscuous");
        final Duration linkWait = Settings.duration(config, PREFIX + "link-wait", Duration.ZERO);
        final Timestamps timestamps = Timestamps.valueOf(
                Settings.oneOf(config, PREFIX + "timestamps", Set.of("nic", "clock")).toUpperCase(Locale.ROOT));
        return new DpdkSettings(eal, port, rxQueues, rxDescriptors, List.copyOf(fields), symmetric, mbufs, cache,
                dataRoom, promiscuous, linkWait, timestamps, config);
    }

    /**
     * The fewest mbufs that cannot run out while every place that holds them is full:
     * {@code rx-queues x (rx-descriptors + probe.transmit.ring-size + probe.receive.burst-size
     * + probe.transmit.workers-per-ring x probe.transmit.burst-size) + threads x 1.5 x mbuf-cache}, where
     * threads = 1 (the EAL main thread) + rx-queues (receive workers) + rx-queues x workers-per-ring
     * (transmit workers), each registered with DPDK and so owning a mempool cache, which fills up to
     * 1.5 times its size before flushing. Runtime settings that are absent count 0.
     */
    static long leastMbufs(final Config config, final int rxQueues, final int rxDescriptors, final int cache) {
        final RuntimeSizes r = RuntimeSizes.of(config);
        final long perQueue = (long) rxDescriptors + r.ring + r.rxBurst + (long) r.workersPerRing * r.txBurst;
        return rxQueues * perQueue + threads(rxQueues, r) * cacheFill(cache);
    }

    private static String mbufsFormula(final Config config, final int rxQueues, final int rxDescriptors,
                                       final int cache) {
        final RuntimeSizes r = RuntimeSizes.of(config);
        return leastMbufs(config, rxQueues, rxDescriptors, cache) + " = rx-queues " + rxQueues
                + " x (rx-descriptors " + rxDescriptors + " + probe.transmit.ring-size " + r.ring
                + " + probe.receive.burst-size " + r.rxBurst + " + probe.transmit.workers-per-ring "
                + r.workersPerRing + " x probe.transmit.burst-size " + r.txBurst + ") + " + threads(rxQueues, r)
                + " threads (1 main + rx-queues " + rxQueues + " + rx-queues " + rxQueues + " x workers-per-ring "
                + r.workersPerRing + ") x " + cacheFill(cache) + " (1.5 x mbuf-cache " + cache + ")";
    }

    private static long threads(final int rxQueues, final RuntimeSizes r) {
        return 1L + rxQueues + (long) rxQueues * r.workersPerRing;
    }

    /** The most mbufs one lcore's mempool cache holds: its flush threshold, 1.5 x its size. */
    private static long cacheFill(final int cache) {
        return cache * 3L / 2;
    }

    /** The runtime settings the pool size depends on, 0 when absent. */
    private record RuntimeSizes(int ring, int rxBurst, int workersPerRing, int txBurst) {
        static RuntimeSizes of(final Config config) {
            return new RuntimeSizes(optional(config, "probe.transmit.ring-size"), optional(config, "probe.receive.burst-size"),
                    optional(config, "probe.transmit.workers-per-ring"), optional(config, "probe.transmit.burst-size"));
        }

        private static int optional(final Config config, final String path) {
            return config.hasPath(path) ? Math.max(0, config.getInt(path)) : 0;
        }
    }

    /** Reads only {@code probe.source.dpdk.eal-args}, for tools that start the EAL without a source. */
    public static List<String> ealArgs(final Config config) {
        return Settings.stringList(config, PREFIX + "eal-args");
    }

    /** The error for setting {@code key} (relative to {@link #PREFIX}) that the device cannot honour. */
    ProbeException invalid(final String key, final String expected) {
        return Settings.invalid(config, PREFIX + key, expected);
    }

    /** The RSS hash functions requested, before masking with the device's capabilities. */
    long rssMask() {
        long mask = 0;
        for (final RssField f : rssFields) {
            mask |= f.mask();
        }
        return mask;
    }
}
