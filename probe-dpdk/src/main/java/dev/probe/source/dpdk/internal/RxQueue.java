package dev.probe.source.dpdk.internal;

import dev.probe.api.PacketBurst;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.atomic.AtomicLong;

import static dev.probe.source.dpdk.internal.DpdkLayout.FP_OPS_RXQ;
import static dev.probe.source.dpdk.internal.DpdkLayout.FP_OPS_RX_PKT_BURST;
import static dev.probe.source.dpdk.internal.DpdkLayout.MBUF_BUF_ADDR;
import static dev.probe.source.dpdk.internal.DpdkLayout.MBUF_DATA_LEN;
import static dev.probe.source.dpdk.internal.DpdkLayout.MBUF_DATA_OFF;
import static dev.probe.source.dpdk.internal.DpdkLayout.MBUF_NB_SEGS;
import static dev.probe.source.dpdk.internal.DpdkLayout.MBUF_NEXT;
import static dev.probe.source.dpdk.internal.DpdkLayout.MBUF_OL_FLAGS;
import static dev.probe.source.dpdk.internal.DpdkLayout.MBUF_PKT_LEN;
import static dev.probe.source.dpdk.internal.DpdkLayout.MBUF_POOL;
import static dev.probe.source.dpdk.internal.DpdkLayout.QDATA_DATA;

/**
 * The receive fast path of one started queue: {@code rte_eth_rx_burst} done by hand, since it is static
 * inline. The driver's burst function and the queue's data pointer are read from
 * {@code rte_eth_fp_ops[port]} once, after the port started. The function is called at that address
 * through one constant downcall handle with {@code Linker.Option.critical(false)}, which the JIT inlines
 * into {@link #poll}, into a native mbuf array owned by the queue and passed as a global segment
 * ({@link Rte#unscoped}), so that a call acquires no arena. Fields are read at absolute addresses from one
 * all-memory segment: nothing is allocated per poll. Polled by one thread; counters are read by any.
 *
 * <p>Capture times are epoch nanoseconds on one timebase: the host clock, anchored once at open and
 * read once per burst after the driver returned. With NIC timestamps, a packet whose {@code ol_flags}
 * carry the receive timestamp flag gets its device timestamp converted through the {@link DeviceClock}
 * calibrated at open onto that same timebase; a packet without the flag (drivers may leave it unset
 * for some packets) gets the burst's host clock time instead. A burst may so mix both, but they
 * agree to within the calibration's error and the host-side receive latency.
 *
 * <p>The driver is never asked for fewer than {@link #MIN_REQUEST} packets: vector receive paths round a
 * request down to a multiple of 4, so a smaller one would return nothing however many packets wait.
 * When the burst has room for fewer, the packets beyond its room stay in a stash (where the driver put
 * them in the mbuf array) that the next polls hand out before the driver is called again; {@link #releaseStash()} frees
 * what is left when polling ends and counts it as {@link #unread()}.
 *
 * <p>A queue replaying a file to its end ({@code filePackets >= 0}) ends: {@link #poll} returns
 * {@link #END_OF_INPUT} once the stash is empty and the driver returned nothing while either every
 * packet record of the file had come through, or the port's {@code ierrors + rx_nombuf} were the same as
 * at the previous empty poll. net_pcap reads its file synchronously and returns nothing only at the end
 * of the file or when what it read raised one of those counters: a record libpcap refused (after which
 * libpcap reads on from where it stopped) or a packet lost for lack of mbufs. An empty poll that raised
 * them consumed part of the file, so a queue ends after a number of polls bounded by its file's length,
 * and never while the driver still has packets to give; a file that is merely cut short, or whose records
 * were all counted, ends at its first or second empty poll. No timing is involved.
 *
 * <p>The cached burst function must not run once the port is stopped: {@link #stop()}, called before
 * {@code rte_eth_dev_stop}, makes every later poll return 0 without calling the driver. A poll already
 * inside the driver at that moment is not covered: stop polling before closing the source.
 */
public final class RxQueue {
    /** The most mbufs one poll asks the driver for. */
    public static final int MAX_BURST = 1024;
    /** The fewest mbufs one poll asks the driver for. */
    public static final int MIN_REQUEST = 4;
    /** {@code filePackets} of a queue that never ends. */
    public static final long ENDLESS = -1;
    /** {@code filePackets} of a file whose packet count is not known: it ends only when the driver stops. */
    public static final long UNCOUNTED = Long.MAX_VALUE;
    /** What {@link #poll} returns once the file is exhausted: {@code ReceiveQueue.END_OF_INPUT}. */
    public static final int END_OF_INPUT = -1;

    private static final System.Logger LOG = System.getLogger(RxQueue.class.getName());
    private static final MemorySegment ALL = Rte.ALL;
    /**
     * {@code uint16_t (*)(void *rxq, struct rte_mbuf **pkts, uint16_t n)}, called at the address passed first.
     * One constant handle for every queue and driver, so that the JIT inlines the call into {@link #poll}.
     */
    private static final MethodHandle RX_BURST = Rte.linker().downcallHandle(
            FunctionDescriptor.of(ValueLayout.JAVA_SHORT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_SHORT),
            Linker.Option.critical(false));

    private final int port;
    private final int queue;
    private final MbufMemory memory;
    /** The driver's receive burst function. */
    private final MemorySegment rxBurst;
    private final MemorySegment queueData;
    private final MemorySegment mbufs;
    private final long timestampField;
    private final long timestampFlag;
    private final long nicAnchorTicks;
    private final long nicBaseEpochNanos;
    private final double nicNanosPerTick;
    private final long clockEpochNanos;
    private final long clockNanoTime;
    private final long filePackets;
    /** Port statistics read when a file queue polls empty; null for an endless queue. */
    private final MemorySegment stats;
    private volatile boolean stopped;
    private final AtomicLong packets = new AtomicLong();
    private final AtomicLong bursts = new AtomicLong();
    private final AtomicLong oversize = new AtomicLong();
    private final AtomicLong unread = new AtomicLong();
    /** The stash is {@code mbufs[stashHead, stashEnd)}, received at {@code stashTime}; poller's thread only. */
    private int stashHead;
    private int stashEnd;
    private long stashTime;
    /** {@code stashEnd - stashHead}, published after each change for {@link #releaseStash()} on another thread. */
    private volatile int stashed;
    /** Mbufs the driver returned; poller's thread only. */
    private long received;
    /** The port's ierrors + rx_nombuf at the previous empty poll, -1 before the first. */
    private long lastLosses = -1;
    private boolean ended;

    /**
     * @param arena owns the mbuf array; closed only after polling stopped
     * @param memory makes the handles of the packets handed out
     * @param timestampField offset of the NIC timestamp dynamic field, or -1 for clock timestamps
     * @param timestampFlagBit bit of {@code ol_flags} saying the timestamp is set, or -1
     * @param nicClock the device clock calibration NIC timestamps are converted with; null for clock timestamps
     * @param clockEpochNanos epoch nanoseconds at {@code clockNanoTime}, the anchor of clock timestamps
     * @param filePackets packet records of the file this queue replays to its end, {@link #UNCOUNTED}, or
     *        {@link #ENDLESS} for a queue that never ends
     */
    public RxQueue(final Arena arena, final MbufMemory memory, final int port, final int queue, final int timestampField,
                   final int timestampFlagBit, final DeviceClock nicClock, final long clockEpochNanos,
                   final long clockNanoTime, final long filePackets) {
        if ((timestampField >= 0) != (nicClock != null)) {
            throw new IllegalArgumentException("NIC timestamps need both the field and the clock calibration");
        }
        final MemorySegment ops = Rte.fpOps(port);
        final MemorySegment function = ops.get(ValueLayout.ADDRESS, FP_OPS_RX_PKT_BURST);
        final MemorySegment dataArray = ops.get(ValueLayout.ADDRESS, FP_OPS_RXQ + QDATA_DATA)
                .reinterpret(8L * (queue + 1));
        this.memory = memory;
        this.port = port;
        this.queue = queue;
        this.queueData = dataArray.getAtIndex(ValueLayout.ADDRESS, queue);
        this.rxBurst = function;
        this.mbufs = Rte.unscoped(arena.allocate(ValueLayout.JAVA_LONG, MAX_BURST));
        this.timestampField = timestampField;
        this.timestampFlag = nicClock != null && timestampFlagBit >= 0 ? 1L << timestampFlagBit : 0;
        this.nicAnchorTicks = nicClock == null ? 0 : nicClock.anchorTicks();
        this.nicBaseEpochNanos = nicClock == null ? 0 : clockEpochNanos + (nicClock.anchorNanoTime() - clockNanoTime);
        this.nicNanosPerTick = nicClock == null ? 0 : nicClock.nanosPerTick();
        this.clockEpochNanos = clockEpochNanos;
        this.clockNanoTime = clockNanoTime;
        this.filePackets = filePackets;
        this.stats = filePackets == ENDLESS ? null : arena.allocate(DpdkLayout.STATS_SIZE, 8);
    }

    /** Makes every later {@link #poll} return 0 without calling the driver; called before the port stops. */
    public void stop() {
        stopped = true;
    }

    /**
     * Appends up to {@link PacketBurst#remaining()} packets: from the stash if it holds any, else from one
     * driver burst of at least {@link #MIN_REQUEST}.
     *
     * @return how many packets were appended; {@link #END_OF_INPUT} once a file queue ended; 0 after {@link #stop()}
     */
    public int poll(final PacketBurst burst) {
        if (stopped) {
            return 0;
        }
        final int room = Math.min(burst.remaining(), MAX_BURST);
        if (stashHead != stashEnd) {
            return room <= 0 ? 0 : fromStash(burst, room);
        }
        if (ended) {
            return END_OF_INPUT;
        }
        if (room <= 0) {
            return 0;
        }
        final int n;
        try {
            n = ((short) RX_BURST.invokeExact(rxBurst, queueData, mbufs, (short) Math.max(room, MIN_REQUEST))) & 0xFFFF;
        } catch (Throwable t) {
            throw new IllegalStateException("rx burst failed", t);
        }
        if (n == 0) {
            return filePackets != ENDLESS && atEnd() ? END_OF_INPUT : 0;
        }
        received += n;
        final long now = clockEpochNanos + (System.nanoTime() - clockNanoTime);
        if (n > room) {
            stashHead = room;
            stashEnd = n;
            stashTime = now;
            stashed = n - room;
        }
        return deliver(burst, 0, Math.min(n, room), now);
    }

    private int fromStash(final PacketBurst burst, final int room) {
        final int from = stashHead;
        final int n = Math.min(room, stashEnd - from);
        stashHead = from + n;
        if (stashHead == stashEnd) {
            stashHead = 0;
            stashEnd = 0;
        }
        stashed = stashEnd - stashHead;
        return deliver(burst, from, n, stashTime);
    }

    private int deliver(final PacketBurst burst, final int from, final int n, final long now) {
        long chained = 0;
        for (int i = from; i < from + n; i++) {
            final long m = mbufs.getAtIndex(ValueLayout.JAVA_LONG, i);
            final long bufAddr = ALL.get(ValueLayout.JAVA_LONG, m + MBUF_BUF_ADDR);
            final int dataOff = ALL.get(ValueLayout.JAVA_SHORT, m + MBUF_DATA_OFF) & 0xFFFF;
            final int dataLen = ALL.get(ValueLayout.JAVA_SHORT, m + MBUF_DATA_LEN) & 0xFFFF;
            final int segments = ALL.get(ValueLayout.JAVA_SHORT, m + MBUF_NB_SEGS) & 0xFFFF;
            int wireLen = ALL.get(ValueLayout.JAVA_INT, m + MBUF_PKT_LEN);
            if (segments != 1) {
                chained++;
                wireLen = Math.max(wireLen, chainLength(m));
            }
            if (wireLen < dataLen) {
                wireLen = dataLen;
            }
            long timestamp = now;
            if (timestampFlag != 0 && (ALL.get(ValueLayout.JAVA_LONG, m + MBUF_OL_FLAGS) & timestampFlag) != 0) {
                final long ticks = ALL.get(ValueLayout.JAVA_LONG, m + timestampField);
                timestamp = nicBaseEpochNanos + (long) ((ticks - nicAnchorTicks) * nicNanosPerTick);
            }
            burst.add(timestamp, dataLen, wireLen,
                    memory.handle(m, bufAddr, dataOff, segments, ALL.get(ValueLayout.JAVA_LONG, m + MBUF_POOL)));
        }
        packets.setRelease(packets.getPlain() + n);
        bursts.setRelease(bursts.getPlain() + 1);
        if (chained != 0) {
            oversize.setRelease(oversize.getPlain() + chained);
        }
        return n;
    }

    /** After an empty driver burst on a file queue: whether the file is exhausted (see the class comment). */
    private boolean atEnd() {
        if (received >= filePackets) {
            ended = true;
            return true;
        }
        final long losses = Rte.statsGet(port, stats) == 0
                ? stats.get(ValueLayout.JAVA_LONG, DpdkLayout.STATS_IERRORS)
                + stats.get(ValueLayout.JAVA_LONG, DpdkLayout.STATS_RX_NOMBUF)
                : lastLosses;
        if (losses != lastLosses) {
            lastLosses = losses;
            return false;
        }
        ended = true;
        if (filePackets != UNCOUNTED) {
            LOG.log(System.Logger.Level.WARNING, "DPDK port {0} queue {1} ended after {2} of the {3} packet records"
                    + " of its file: libpcap refused part of the file, or packets were lost for lack of mbufs (see"
                    + " ierrors and no-mbuf)", String.valueOf(port), String.valueOf(queue), String.valueOf(received),
                    String.valueOf(filePackets));
        }
        return true;
    }

    /**
     * Frees the mbufs left in the stash and counts them as {@link #unread()}; call once polling has ended,
     * on the polling thread or after it stopped. A second call does nothing.
     *
     * @return how many mbufs were freed
     */
    public int releaseStash() {
        final int left = stashed;
        if (left == 0) {
            return 0;
        }
        Rte.pktmbufFreeBulk(mbufs.asSlice(8L * stashHead), left);
        stashHead = 0;
        stashEnd = 0;
        stashed = 0;
        unread.setRelease(unread.getPlain() + left);
        return left;
    }

    /** Packets handed out. */
    public long packets() {
        return packets.getAcquire();
    }

    /** Polls that handed out packets. */
    public long bursts() {
        return bursts.getAcquire();
    }

    /** Packets larger than one mbuf: only their first segment is captured. */
    public long oversize() {
        return oversize.getAcquire();
    }

    /** Packets the driver returned that were never handed out: the stash freed by {@link #releaseStash()}. */
    public long unread() {
        return unread.getAcquire();
    }

    /** Packet records of the file this queue replays, {@link #UNCOUNTED}, or {@link #ENDLESS}. */
    public long filePackets() {
        return filePackets;
    }

    /** The sum of data_len over a chain: drivers may truncate pkt_len (net_pcap keeps 16 bits). */
    private static int chainLength(final long first) {
        long total = 0;
        long m = first;
        int guard = 0;
        while (m != 0 && guard++ < 65536) {
            total += ALL.get(ValueLayout.JAVA_SHORT, m + MBUF_DATA_LEN) & 0xFFFF;
            m = ALL.get(ValueLayout.JAVA_LONG, m + MBUF_NEXT);
        }
        return (int) Math.min(total, Integer.MAX_VALUE);
    }
}
