package dev.probe.source.dpdk;

import com.typesafe.config.Config;
import dev.probe.api.ProbeException;
import dev.probe.source.dpdk.internal.CaptureFiles;
import dev.probe.source.dpdk.internal.DeviceClock;
import dev.probe.source.dpdk.internal.DpdkLayout;
import dev.probe.source.dpdk.internal.Eal;
import dev.probe.source.dpdk.internal.EalArgs;
import dev.probe.source.dpdk.internal.EthDev;
import dev.probe.source.dpdk.internal.MbufMemory;
import dev.probe.source.dpdk.internal.MbufPool;
import dev.probe.source.dpdk.internal.RxQueue;
import dev.probe.spi.CaptureSource;
import dev.probe.spi.PacketMemory;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One DPDK ethdev port opened for capture: its mbuf pool, its receive queues (one
 * {@link DpdkReceiveQueue} per {@code rx-queues}) and its counters. The process's EAL is started on
 * first open with {@code eal-args} and shared by every source of the process.
 *
 * <p>A {@code net_pcap} port replaying {@code rx_pcap} files without {@code infinite_rx} is finite: at
 * open the packet records of each queue's file (queue i reads the i-th {@code rx_pcap}) are counted, and
 * the queue returns {@link dev.probe.spi.ReceiveQueue#END_OF_INPUT} once the driver returns nothing after
 * all of them came through, or after it stopped early (see {@link RxQueue} for the exact rule). Every
 * other port, including one replaying with {@code infinite_rx}, never ends.
 *
 * <p>Opened and closed on the main thread; each queue is polled by one receive worker; packets are
 * read and released through {@link #memory()} by any thread; counters are read by the stats thread.
 */
public final class DpdkSource implements CaptureSource {
    private static final System.Logger LOG = System.getLogger(DpdkSource.class.getName());
    private static final Set<Integer> OPEN_PORTS = new HashSet<>();
    private static final AtomicInteger POOLS = new AtomicInteger();
    private static final int ENOTSUP = 95;
    private static final String PCAP_DRIVER = "net_pcap";
    /** How long NIC timestamps' device clock is watched against the host clock at open. */
    private static final Duration CLOCK_CALIBRATION = Duration.ofMillis(100);

    private final int port;
    private final String name;
    private final String driver;
    private final DpdkSettings settings;
    private final MbufPool pool;
    private final Arena arena;
    private final List<DpdkReceiveQueue> queues;
    private final MbufMemory memory;
    private final boolean live;
    private EthDev.Stats lastStats;
    private boolean closed;
    /** Mbufs still out of the pool once the port had been closed; set by {@link #close()}. */
    private long unreturnedAtClose;

    private DpdkSource(final int port, final String name, final String driver, final DpdkSettings settings,
                       final MbufPool pool, final MbufMemory memory, final Arena arena,
                       final List<DpdkReceiveQueue> queues, final boolean live) {
        this.memory = memory;
        this.port = port;
        this.name = name;
        this.driver = driver;
        this.settings = settings;
        this.pool = pool;
        this.arena = arena;
        this.queues = queues;
        this.live = live;
    }

    /** Validates {@code probe.source.dpdk} and opens the port it names. */
    public static DpdkSource open(final Config config) {
        return open(DpdkSettings.from(config));
    }

    /**
     * Starts the EAL if needed, then configures and starts the port with {@code settings}. With
     * {@code timestamps = nic}, also calibrates the device clock against the host clock, which takes
     * about 100 ms. A failure once receive queues were set up stops and closes the port, so it cannot be
     * opened again in this process.
     *
     * @throws ProbeException naming the setting, device or file at fault
     */
    public static DpdkSource open(final DpdkSettings settings) {
        Dpdk.ensureAvailable();
        Eal.init(settings.ealArgs());
        final int port = resolvePort(settings);
        synchronized (OPEN_PORTS) {
            if (!OPEN_PORTS.add(port)) {
                throw settings.invalid("port", "a port no other source of this process has open");
            }
        }
        try {
            return start(port, settings);
        } catch (RuntimeException e) {
            synchronized (OPEN_PORTS) {
                OPEN_PORTS.remove(port);
            }
            throw e;
        }
    }

    private static DpdkSource start(final int port, final DpdkSettings s) {
        final String name = EthDev.name(port);
        final EthDev.Info info = EthDev.info(port);
        if (info == null) {
            throw new ProbeException("Cannot read device information of DPDK port " + port + " (" + name + ")");
        }
        final String device = "port " + name + " (driver " + info.driver() + ")";
        if (s.rxQueues() > info.maxRxQueues()) {
            throw s.invalid("rx-queues", "at most " + info.maxRxQueues() + ", the receive queues " + device
                    + " offers (max_rx_queues)");
        }
        final int descMax = info.rxDescMax() == 0 ? 65535 : info.rxDescMax();
        final int align = Math.max(1, info.rxDescAlign());
        if (s.rxDescriptors() > descMax || s.rxDescriptors() < info.rxDescMin() || s.rxDescriptors() % align != 0) {
            throw s.invalid("rx-descriptors", "from " + info.rxDescMin() + " to " + descMax + " in multiples of "
                    + align + ", the receive descriptor limits of " + device + " (rx_desc_lim)");
        }
        long offloads = 0;
        if (s.timestamps() == DpdkSettings.Timestamps.NIC) {
            if ((info.rxOffloadCapa() & DpdkLayout.ETH_RX_OFFLOAD_TIMESTAMP) == 0) {
                throw s.invalid("timestamps", "clock: " + device + " does not offer receive timestamps"
                        + " (RTE_ETH_RX_OFFLOAD_TIMESTAMP)");
            }
            offloads |= DpdkLayout.ETH_RX_OFFLOAD_TIMESTAMP;
        }
        final boolean scatter = (info.rxOffloadCapa() & DpdkLayout.ETH_RX_OFFLOAD_SCATTER) != 0;
        if (scatter) {
            offloads |= DpdkLayout.ETH_RX_OFFLOAD_SCATTER;
        }
        final EalArgs.Vdev vdev = EalArgs.vdev(s.ealArgs(), name);
        final boolean replays = PCAP_DRIVER.equals(info.driver()) && vdev != null && vdev.readsFiles();
        final boolean live = switch (s.live()) {
            case TRUE -> true;
            case FALSE -> false;
            case AUTO -> !replays;
        };
        final long[] filePackets = filePackets(replays && !vdev.infiniteRx() ? vdev.rxPcapFiles() : List.of(), s,
                device);
        final int mtu = mtu(info, s.dataRoom(), scatter);
        final long rssHf = rss(s, info, device);
        final byte[] key = rssHf != 0 && s.rssSymmetric() ? symmetricKey(info.hashKeySize()) : null;

        final int socket = EthDev.socket(port);
        final String poolName = "probe-" + port + "-" + POOLS.incrementAndGet();
        final MbufPool pool = MbufPool.create(poolName, s.mbufs(), s.mbufCache(), s.dataRoom(), socket);
        if (pool == null) {
            final long megabytes = (long) s.mbufs() * (s.dataRoom() + DpdkLayout.PKTMBUF_HEADROOM
                    + DpdkLayout.MBUF_SIZE + 64) >> 20;
            throw new ProbeException("Cannot create the mbuf pool of " + device + ": " + EthDev.lastError()
                    + "; " + s.mbufs() + " mbufs of " + s.dataRoom() + " bytes need about " + megabytes
                    + " MB: lower " + DpdkSettings.PREFIX + "mbufs or data-room, or give the EAL more memory"
                    + " (-m or hugepages in " + DpdkSettings.PREFIX + "eal-args)");
        }
        boolean queuesSetUp = false;
        boolean started = false;
        final Arena arena = Arena.ofShared();
        try {
            int rc = EthDev.configure(port, s.rxQueues(), rssHf, key, mtu, offloads);
            if (rc != 0) {
                throw new ProbeException("Cannot configure " + device + " with " + DpdkSettings.PREFIX + "rx-queues "
                        + s.rxQueues() + ", rss " + rssNames(rssHf, s) + ", mtu " + mtu + ": " + EthDev.describe(rc));
            }
            queuesSetUp = true;
            for (int q = 0; q < s.rxQueues(); q++) {
                rc = EthDev.rxQueueSetup(port, q, s.rxDescriptors(), socket, pool);
                if (rc != 0) {
                    throw new ProbeException("Cannot set up receive queue " + q + " of " + device + " with "
                            + DpdkSettings.PREFIX + "rx-descriptors " + s.rxDescriptors() + ": " + EthDev.describe(rc));
                }
            }
            int tsField = -1;
            int tsBit = -1;
            if (s.timestamps() == DpdkSettings.Timestamps.NIC) {
                tsField = EthDev.timestampFieldOffset();
                tsBit = EthDev.timestampFlagBit();
                if (tsField < 0 || tsBit < 0) {
                    throw s.invalid("timestamps", "clock: " + device + " registered no mbuf timestamp field");
                }
            }
            rc = EthDev.start(port);
            if (rc != 0) {
                throw new ProbeException("Cannot start " + device + ": " + EthDev.describe(rc));
            }
            started = true;
            EthDev.opened();
            if (s.promiscuous()) {
                rc = EthDev.promiscuousEnable(port);
                if (rc != 0 && rc != -ENOTSUP) {
                    LOG.log(System.Logger.Level.WARNING, "Cannot enable promiscuous mode on {0}: {1}", device,
                            EthDev.describe(rc));
                }
            }
            if (rssHf != 0 && info.retaSize() > 0) {
                rc = EthDev.spreadReta(port, info.retaSize(), s.rxQueues());
                if (rc != 0) {
                    LOG.log(System.Logger.Level.WARNING, "Cannot spread the RSS redirection table of {0} over {1}"
                            + " queues, keeping the driver''s: {2}", device, String.valueOf(s.rxQueues()), EthDev.describe(rc));
                }
            }
            waitForLink(port, device, s);
            DeviceClock nicClock = null;
            if (s.timestamps() == DpdkSettings.Timestamps.NIC) {
                try {
                    nicClock = DeviceClock.calibrate(port, CLOCK_CALIBRATION);
                } catch (DeviceClock.Unusable e) {
                    throw s.invalid("timestamps", "clock: " + device + " stamps packets in device clock units,"
                            + " which need rte_eth_read_clock to convert, but " + e.getMessage()
                            + (e.status() != 0 ? ": " + EthDev.describe(e.status()) : ""));
                }
                LOG.log(System.Logger.Level.INFO, "{0}: device clock runs at {1} MHz against the host clock",
                        device, String.format(Locale.ROOT, "%.3f", 1e3 / nicClock.nanosPerTick()));
            }
            final Instant now = Instant.now();
            final long anchorNanoTime = System.nanoTime();
            final long anchorEpoch = now.getEpochSecond() * 1_000_000_000L + now.getNano();
            final List<DpdkReceiveQueue> queues = new ArrayList<>(s.rxQueues());
            final MbufMemory memory = new MbufMemory(pool);
            for (int q = 0; q < s.rxQueues(); q++) {
                queues.add(new DpdkReceiveQueue(q, new RxQueue(arena, memory, port, q, tsField, tsBit, nicClock, anchorEpoch,
                        anchorNanoTime, filePackets[q])));
            }
            LOG.log(System.Logger.Level.INFO, "Opened DPDK {0}: {1} rx queue(s) of {2} descriptors, {3} mbufs,"
                    + " rss {4}, {5}", device, String.valueOf(s.rxQueues()), String.valueOf(s.rxDescriptors()),
                    String.valueOf(s.mbufs()), rssNames(rssHf, s), live ? "live" : "not live");
            return new DpdkSource(port, name, info.driver(), s, pool, memory, arena, List.copyOf(queues), live);
        } catch (RuntimeException e) {
            // Queues set up hold the pool: stop and close the port (releasing its id) before freeing it.
            if (queuesSetUp) {
                EthDev.stop(port);
                EthDev.close(port);
            }
            if (started) {
                EthDev.closed();
            }
            pool.free();
            arena.close();
            throw e;
        }
    }

    @Override
    public String description() {
        return "dpdk port " + port + " (" + name + ", driver " + driver + ")";
    }

    @Override
    public List<DpdkReceiveQueue> queues() {
        return queues;
    }

    /**
     * Whether the port is treated as live: {@code live = true} or {@code false} if set so; with
     * {@code auto}, false for a {@code net_pcap} port replaying {@code rx_pcap} files, which wait to be
     * read, and true for every other port (a NIC, af_packet, a pcap interface).
     */
    @Override
    public boolean isLive() {
        return live;
    }

    @Override
    public PacketMemory memory() {
        return memory;
    }

    /**
     * {@code nic-missed}: the device's imissed, packets the device dropped for lack of a free receive
     * descriptor. {@code rx_nombuf} is in {@link #details()}, since on hardware drivers it counts failed
     * mbuf allocations while refilling descriptors, not lost packets; the packets lost for it show up
     * later in imissed, and counting both would count them twice. {@code unread}: packets the driver
     * returned but the probe never got, because polling ended while they waited for room in a burst. Once
     * the workers stopped, the packets the driver returned are the queues' {@code rx<i>-packets} plus
     * {@code unread} (for net_pcap and net_null, that is ipackets).
     */
    @Override
    public Map<String, Long> drops() {
        final EthDev.Stats st = stats();
        final Map<String, Long> drops = new LinkedHashMap<>();
        drops.put("nic-missed", st == null ? 0 : st.imissed());
        long unread = 0;
        for (final DpdkReceiveQueue q : queues) {
            unread += q.unread();
        }
        drops.put("unread", unread);
        return drops;
    }

    /**
     * The device's {@code ipackets}, {@code ibytes}, {@code ierrors}, {@code no-mbuf} (rx_nombuf: mbuf
     * allocations that failed when refilling receive descriptors, a sign that {@code mbufs} is too small;
     * the packets it costs are counted in {@code nic-missed}, not here), {@code q<i>-ipackets}, then
     * {@code oversize} (frames larger than data-room, captured truncated to their first segment) and
     * per queue {@code rx<i>-packets} and {@code rx<i>-bursts}, and {@code rx<i>-file-packets} for a
     * queue replaying a file to its end; after close, {@code mbufs-unreturned}: mbufs that were still out
     * of the pool when the port had been closed (0 unless a packet leaked).
     */
    @Override
    public Map<String, Long> details() {
        final EthDev.Stats st = stats();
        final Map<String, Long> details = new LinkedHashMap<>();
        if (st != null) {
            details.put("ipackets", st.ipackets());
            details.put("ibytes", st.ibytes());
            details.put("ierrors", st.ierrors());
            details.put("no-mbuf", st.rxNombuf());
            for (int q = 0; q < st.qIpackets().length; q++) {
                details.put("q" + q + "-ipackets", st.qIpackets()[q]);
            }
        }
        long oversize = 0;
        for (final DpdkReceiveQueue q : queues) {
            oversize += q.oversize();
        }
        details.put("oversize", oversize);
        if (closed) {
            details.put("mbufs-unreturned", unreturnedAtClose);
        }
        for (final DpdkReceiveQueue q : queues) {
            details.put("rx" + q.id() + "-packets", q.packets());
            details.put("rx" + q.id() + "-bursts", q.bursts());
            if (q.filePackets() >= 0) {
                details.put("rx" + q.id() + "-file-packets", q.filePackets());
            }
        }
        return details;
    }

    /** Mbufs in the pool and its caches, ready to receive; 0 after close. */
    public long mbufsAvailable() {
        return pool.available();
    }

    /** Mbufs out of the pool: in the device's rings, or held by the probe; 0 after close. */
    public long mbufsInUse() {
        return pool.inUse();
    }

    /** The pool's size ({@code mbufs}). */
    public int mbufPoolSize() {
        return pool.size();
    }

    /** The settings this source was opened with. */
    public DpdkSettings settings() {
        return settings;
    }

    /**
     * Makes later polls return 0, frees packets the queues received but never handed out (counted as
     * {@code unread}), stops and closes the port and frees the pool. Every packet handed out should have
     * been released: when mbufs are still out, the pool is not freed but leaked (with a warning), since a
     * thread may still read or release them. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        for (final DpdkReceiveQueue q : queues) {
            q.stop();
        }
        lastStats = EthDev.stats(port, queues.size());
        closed = true;
        EthDev.stop(port);
        EthDev.close(port);
        EthDev.closed();
        // The port's queues gave their mbufs back on close: what is still out was never released.
        unreturnedAtClose = pool.inUse();
        if (unreturnedAtClose != 0) {
            LOG.log(System.Logger.Level.WARNING, "{0} mbufs of port {1} were not released before close; leaking"
                    + " the mbuf pool instead of freeing it, since a thread may still reference them",
                    unreturnedAtClose, port);
            pool.abandon();
        } else {
            pool.free();
        }
        arena.close();
        synchronized (OPEN_PORTS) {
            OPEN_PORTS.remove(port);
        }
    }

    private synchronized EthDev.Stats stats() {
        return closed ? lastStats : EthDev.stats(port, queues.size());
    }

    private static int resolvePort(final DpdkSettings s) {
        final String spec = s.port().trim();
        int port = -1;
        if (spec.chars().allMatch(Character::isDigit)) {
            final long id = Long.parseLong(spec);
            port = id < DpdkLayout.MAX_ETHPORTS && EthDev.ports().contains((int) id) ? (int) id : -1;
        } else {
            port = EthDev.portByName(spec);
        }
        if (port < 0) {
            final List<String> available = new ArrayList<>();
            for (final int p : EthDev.ports()) {
                available.add(p + " (" + EthDev.name(p) + ")");
            }
            throw s.invalid("port", "the name or id of a DPDK port; available: "
                    + (available.isEmpty() ? "none (add a NIC bound to a DPDK driver, or --vdev to eal-args)"
                    : String.join(", ", available)));
        }
        return port;
    }

    /**
     * The packet records of each queue's file, for the first rx-queues of {@code files} (net_pcap gives
     * queue i the i-th rx_pcap); {@link RxQueue#ENDLESS} for queues without one, {@link RxQueue#UNCOUNTED}
     * for a damaged file, which then ends when the driver stops delivering.
     */
    private static long[] filePackets(final List<Path> files, final DpdkSettings s, final String device) {
        final long[] counts = new long[s.rxQueues()];
        for (int q = 0; q < counts.length; q++) {
            if (q >= files.size()) {
                counts[q] = RxQueue.ENDLESS;
                continue;
            }
            final Path file = files.get(q);
            final CaptureFiles.Count count;
            try {
                count = CaptureFiles.count(file);
            } catch (IOException e) {
                throw s.invalid("eal-args", "capture files net_pcap can read, but " + device + " reads "
                        + file.toAbsolutePath() + ", which " + e.getMessage());
            }
            if (count.complete()) {
                counts[q] = count.packets();
                LOG.log(System.Logger.Level.DEBUG, "{0} queue {1} replays {2}: {3} packets, then ends", device,
                        String.valueOf(q), file, String.valueOf(count.packets()));
            } else {
                counts[q] = RxQueue.UNCOUNTED;
                LOG.log(System.Logger.Level.WARNING, "{0} queue {1} replays {2}, which is damaged ({3}): it ends"
                        + " when net_pcap stops delivering", device, String.valueOf(q), file, count.damage());
            }
        }
        return counts;
    }

    private static int mtu(final EthDev.Info info, final int dataRoom, final boolean scatter) {
        long mtu = scatter ? info.maxMtu() : Math.max(1500, dataRoom - DpdkLayout.ETHER_HDR_AND_CRC_LEN);
        mtu = Math.min(mtu, info.maxMtu());
        mtu = Math.min(mtu, info.maxRxPktLen() - DpdkLayout.ETHER_HDR_AND_CRC_LEN);
        return mtu < info.minMtu() ? 0 : (int) mtu;
    }

    private static long rss(final DpdkSettings s, final EthDev.Info info, final String device) {
        if (s.rxQueues() == 1) {
            return 0;
        }
        final long requested = s.rssMask();
        final long granted = requested & info.flowTypeRssOffloads();
        if (granted != requested) {
            final List<String> dropped = new ArrayList<>();
            for (final DpdkSettings.RssField f : s.rssFields()) {
                if ((f.mask() & ~info.flowTypeRssOffloads()) != 0) {
                    dropped.add(f.key() + ((f.mask() & granted) != 0 ? " (partly)" : ""));
                }
            }
            LOG.log(System.Logger.Level.WARNING, "{0} does not hash on {1} (flow_type_rss_offloads 0x{2}) for {3}rss.fields;"
                            + " {4}", device, dropped, Long.toHexString(info.flowTypeRssOffloads()), DpdkSettings.PREFIX,
                    granted == 0 ? "no RSS: the driver spreads packets over the queues by its own rule"
                            : "hashing on what remains");
        }
        return granted;
    }

    private static byte[] symmetricKey(final int hashKeySize) {
        final byte[] key = new byte[hashKeySize > 0 ? hashKeySize : 40];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) (i % 2 == 0 ? 0x6d : 0x5a);
        }
        return key;
    }

    private static String rssNames(final long rssHf, final DpdkSettings s) {
        if (rssHf == 0) {
            return "off";
        }
        final List<String> names = new ArrayList<>();
        for (final DpdkSettings.RssField f : s.rssFields()) {
            if ((f.mask() & rssHf) != 0) {
                names.add(f.key());
            }
        }
        return names + (s.rssSymmetric() ? " symmetric" : "");
    }

    private static void waitForLink(final int port, final String device, final DpdkSettings s) {
        final long deadline = System.nanoTime() + s.linkWait().toNanos();
        while (true) {
            final EthDev.Link link = EthDev.link(port);
            if (link != null && link.up()) {
                LOG.log(System.Logger.Level.DEBUG, "{0} link up, {1} Mbps", device, String.valueOf(link.speedMbps()));
                return;
            }
            if (System.nanoTime() - deadline >= 0) {
                LOG.log(System.Logger.Level.WARNING, "{0} link still down after {1}link-wait {2}; capturing anyway",
                        device, DpdkSettings.PREFIX, s.linkWait());
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
