package dev.probe.source.dpdk;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import dev.probe.api.ProbeException;
import dev.probe.api.Settings;
import dev.probe.source.dpdk.internal.CaptureFiles;
import dev.probe.source.dpdk.internal.DpdkLayout;
import dev.probe.source.dpdk.internal.EalArgs;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The validated {@code probe.source.dpdk} settings, read once on the thread that opens the source (or
 * checks the configuration). Everything that can be known without starting DPDK is checked here: types
 * and ranges; the options, cores and capture files of {@code eal-args}; the queues a {@code --vdev} port
 * offers.
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
 * @param live whether the port is treated as live
 * @param config the whole configuration, for error messages
 */
public record DpdkSettings(List<String> ealArgs, String port, int rxQueues, int rxDescriptors,
                           List<RssField> rssFields, boolean rssSymmetric, int mbufs, int mbufCache, int dataRoom,
                           boolean promiscuous, Duration linkWait, Timestamps timestamps, Live live, Config config) {

    /** The section this source reads. */
    public static final String PREFIX = "probe.source.dpdk.";
    /** The longest {@code link-wait}. */
    static final Duration MAX_LINK_WAIT = Duration.ofMinutes(10);

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

    /** Whether the port is treated as live ({@link dev.probe.spi.CaptureSource#isLive()}). */
    public enum Live {
        /** A {@code net_pcap} port replaying {@code rx_pcap} files is not live; every other port is. */
        AUTO,
        /** Live: packets the transmit rings have no room for are dropped and counted. */
        TRUE,
        /** Not live: read only as fast as the transmit rings take packets. */
        FALSE
    }

    /**
     * Reads and validates {@code probe.source.dpdk}: everything {@link DpdkSource#open} would reject that
     * is known without starting DPDK.
     *
     * @throws ProbeException naming the first bad setting, what was expected and the value given
     */
    public static DpdkSettings from(final Config config) {
        final List<String> eal = ealArgs(config);
        final String port = port(config);
        final int rxQueues = integer(config, PREFIX + "rx-queues", 1, 1024);
        final int rxDescriptors = integer(config, PREFIX + "rx-descriptors", 1, 65535);
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
        final int dataRoom = integer(config, PREFIX + "data-room", 64, 65535 - DpdkLayout.PKTMBUF_HEADROOM);
        final int cache = integer(config, PREFIX + "mbuf-cache", 0, 512);
        final int mbufs = integer(config, PREFIX + "mbufs", 1, Integer.MAX_VALUE);
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
        final Duration linkWait = duration(config, PREFIX + "link-wait", MAX_LINK_WAIT);
        final Timestamps timestamps = Timestamps.valueOf(
                Settings.oneOf(config, PREFIX + "timestamps", Set.of("nic", "clock")).toUpperCase(Locale.ROOT));
        final Live live = Live.valueOf(
                Settings.oneOf(config, PREFIX + "live", Set.of("auto", "true", "false")).toUpperCase(Locale.ROOT));
        checkEalArgs(config, eal, EalArgs.onlineCpus());
        checkVdevPort(config, eal, port, rxQueues, mbufs, least);
        return new DpdkSettings(eal, port, rxQueues, rxDescriptors, List.copyOf(fields), symmetric, mbufs, cache,
                dataRoom, promiscuous, linkWait, timestamps, live, config);
    }

    /**
     * An integer in {@code [min, max]}, given as an integer or a string of one: unlike Typesafe Config's
     * {@code getInt}, a fraction such as {@code 1.5} is an error, not 1.
     */
    static int integer(final Config config, final String path, final int min, final int max) {
        final String expected = "an integer from " + min + " to " + max;
        final ConfigValue value;
        try {
            value = config.getValue(path);
        } catch (ConfigException.Missing e) {
            throw Settings.invalid(config, path, expected);
        }
        final long n;
        switch (value.valueType()) {
            case NUMBER -> {
                final Object number = value.unwrapped();
                if (!(number instanceof Integer) && !(number instanceof Long)) {
                    throw Settings.invalid(config, path, expected);
                }
                n = ((Number) number).longValue();
            }
            case STRING -> {
                try {
                    n = Long.parseLong(((String) value.unwrapped()).trim());
                } catch (NumberFormatException e) {
                    throw Settings.invalid(config, path, expected);
                }
            }
            default -> throw Settings.invalid(config, path, expected);
        }
        if (n < min || n > max) {
            throw Settings.invalid(config, path, expected);
        }
        return (int) n;
    }

    /** A duration with its unit ({@code 5s}, {@code 250ms}) from 0 to {@code max}: a bare number is an error. */
    static Duration duration(final Config config, final String path, final Duration max) {
        final String expected = "a duration with a unit, such as 5s or 250ms, from 0s to " + max.toMinutes() + "m";
        final ConfigValue value;
        try {
            value = config.getValue(path);
        } catch (ConfigException.Missing e) {
            throw Settings.invalid(config, path, expected);
        }
        if (!(value.unwrapped() instanceof String text) || text.isBlank()
                || !Character.isLetter(text.strip().charAt(text.strip().length() - 1))) {
            throw Settings.invalid(config, path, expected);
        }
        final Duration d;
        try {
            d = config.getDuration(path);
        } catch (ConfigException e) {
            throw Settings.invalid(config, path, expected);
        }
        if (d.isNegative() || d.compareTo(max) > 0) {
            throw Settings.invalid(config, path, expected);
        }
        return d;
    }

    /** A port name, or an id below {@link DpdkLayout#MAX_ETHPORTS}; a number of any other shape is an error. */
    private static String port(final Config config) {
        final String path = PREFIX + "port";
        final String spec = Settings.nonEmptyString(config, path).trim();
        final boolean digits = spec.chars().allMatch(Character::isDigit);
        if (digits && (spec.length() > 9 || Integer.parseInt(spec) >= DpdkLayout.MAX_ETHPORTS)
                || !digits && spec.matches("[-+]?[0-9.][0-9.eE+-]*")) {
            throw Settings.invalid(config, path, "a port name such as net_pcap0 or 0000:3b:00.0, or a port id from 0"
                    + " to " + (DpdkLayout.MAX_ETHPORTS - 1));
        }
        return spec;
    }

    /**
     * What the EAL would refuse, or what would leave the port missing with only a log line: cores that
     * this machine does not have, {@code --no-huge} with {@code --in-memory}, and capture files of a
     * {@code net_pcap} device that libpcap cannot open.
     */
    static void checkEalArgs(final Config config, final List<String> eal, final BitSet online) {
        final String path = PREFIX + "eal-args";
        final String cores = EalArgs.problem(eal, online);
        if (cores != null) {
            throw Settings.invalid(config, path, cores);
        }
        if (eal.contains("--no-huge") && eal.contains("--in-memory")) {
            throw Settings.invalid(config, path, "--no-huge or --in-memory, which the EAL cannot combine");
        }
        for (final EalArgs.Vdev vdev : EalArgs.vdevs(eal)) {
            for (final Path file : vdev.rxPcapFiles()) {
                final String problem = CaptureFiles.problem(file);
                if (problem != null) {
                    throw Settings.invalid(config, path, "capture files net_pcap can read, but --vdev " + vdev.name()
                            + " reads " + file.toAbsolutePath() + ", which " + problem);
                }
            }
        }
    }

    /**
     * When {@code port} names a {@code --vdev}: no more {@code rx-queues} than the device will offer, and
     * for {@code infinite_rx}, which keeps a copy of every packet of its files in the pool, enough mbufs
     * for those copies too.
     */
    private static void checkVdevPort(final Config config, final List<String> eal, final String port,
                                      final int rxQueues, final int mbufs, final long least) {
        final EalArgs.Vdev vdev = EalArgs.vdev(eal, port);
        if (vdev == null) {
            return;
        }
        final int offered = vdev.maxRxQueues();
        if (offered >= 0 && rxQueues > offered) {
            throw Settings.invalid(config, PREFIX + "rx-queues", "at most " + offered + ", the receive queues --vdev "
                    + vdev.name() + " offers" + (vdev.readsFiles() ? " (one per rx_pcap file)"
                    : vdev.isAfPacket() ? " (qpairs)" : ""));
        }
        if (vdev.infiniteRx()) {
            long copies = 0;
            final List<Path> files = vdev.rxPcapFiles();
            for (int q = 0; q < rxQueues; q++) {
                final CaptureFiles.Count count;
                try {
                    count = CaptureFiles.count(files.get(q));
                } catch (IOException e) {
                    throw Settings.invalid(config, PREFIX + "eal-args", "capture files net_pcap can read, but --vdev "
                            + vdev.name() + " reads " + files.get(q).toAbsolutePath() + ", which " + e.getMessage());
                }
                if (count.packets() == 0) {
                    throw Settings.invalid(config, PREFIX + "eal-args", "a capture file with packets for infinite_rx,"
                            + " but --vdev " + vdev.name() + " replays " + files.get(q).toAbsolutePath()
                            + ", which holds none");
                }
                copies += count.packets();
            }
            if (mbufs < least + copies) {
                throw Settings.invalid(config, PREFIX + "mbufs", "at least " + (least + copies) + " = " + least
                        + " (see reference.conf) + " + copies + ", the packets of the files --vdev " + vdev.name()
                        + " replays with infinite_rx, of which the driver keeps a copy in the pool");
            }
        }
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
