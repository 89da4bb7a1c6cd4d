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
import static dev.probe.source.dpdk.internal.DpdkLayout.MBUF_DATA_LEN;
import static dev.probe.source.dpdk.internal.DpdkLayout.MBUF_NB_SEGS;
import static dev.probe.source.dpdk.internal.DpdkLayout.MBUF_NEXT;
import static dev.probe.source.dpdk.internal.DpdkLayout.MBUF_OL_FLAGS;
import static dev.probe.source.dpdk.internal.DpdkLayout.MBUF_PKT_LEN;
import static dev.probe.source.dpdk.internal.DpdkLayout.QDATA_DATA;

/**
 * The receive fast path of one started queue: {@code rte_eth_rx_burst} done by hand, since it is static
 * inline. The driver's burst function and the queue's data pointer are read from
 * {@code rte_eth_fp_ops[port]} once, after the port started, and called through a downcall handle made
 * for this queue with {@code Linker.Option.critical(false)}, into a native mbuf array owned by the
 * queue. Fields are read at absolute addresses from one all-memory segment: nothing is allocated per
 * poll. Polled by one thread; counters are read by any.
 *
 * <p>Capture times are epoch nanoseconds on one timebase: the host clock, anchored once at open and
 * read once per burst after the driver returned. With NIC timestamps, a packet whose {@code ol_flags}
 * carry the receive timestamp flag gets its device timestamp converted through the {@link DeviceClock}
 * calibrated at open onto that same timebase; a packet without the flag (drivers may leave it unset
 * for some packets) gets the burst's host clock time instead. A burst may so mix both, but they
 * agree to within the calibration's error and the host-side receive latency.
 *
 * <p>The cached burst function must not run once the port is stopped: {@link #stop()}, called before
 * {@code rte_eth_dev_stop}, makes every later poll return 0 without calling the driver. A poll already
 * inside the driver at that moment is not covered: stop polling before closing the source.
 */
public final class RxQueue {
    /** The most mbufs one poll asks the driver for. */
    public static final int MAX_BURST = 1024;

    private static final MemorySegment ALL = Rte.ALL;
    private static final FunctionDescriptor RX_BURST =
            FunctionDescriptor.of(ValueLayout.JAVA_SHORT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_SHORT);

    private final MethodHandle rxBurst;
    private final MemorySegment queueData;
    private final MemorySegment mbufs;
    private final long timestampField;
    private final long timestampFlag;
    private final long nicAnchorTicks;
    private final long nicBaseEpochNanos;
    private final double nicNanosPerTick;
    private final long clockEpochNanos;
    private final long clockNanoTime;
    private volatile boolean stopped;
    private final AtomicLong packets = new AtomicLong();
    private final AtomicLong bursts = new AtomicLong();
    private final AtomicLong oversize = new AtomicLong();

    /**
     * @param arena owns the mbuf array; closed only after polling stopped
     * @param timestampField offset of the NIC timestamp dynamic field, or -1 for clock timestamps
     * @param timestampFlagBit bit of {@code ol_flags} saying the timestamp is set, or -1
     * @param nicClock the device clock calibration NIC timestamps are converted with; null for clock timestamps
     * @param clockEpochNanos epoch nanoseconds at {@code clockNanoTime}, the anchor of clock timestamps
     */
    public RxQueue(final Arena arena, final int port, final int queue, final int timestampField,
                   final int timestampFlagBit, final DeviceClock nicClock, final long clockEpochNanos,
                   final long clockNanoTime) {
        if ((timestampField >= 0) != (nicClock != null)) {
            throw new IllegalArgumentException("NIC timestamps need both the field and the clock calibration");
        }
        final MemorySegment ops = Rte.fpOps(port);
        final MemorySegment function = ops.get(ValueLayout.ADDRESS, FP_OPS_RX_PKT_BURST);
        final MemorySegment dataArray = ops.get(ValueLayout.ADDRESS, FP_OPS_RXQ + QDATA_DATA)
                .reinterpret(8L * (queue + 1));
        this.queueData = dataArray.getAtIndex(ValueLayout.ADDRESS, queue);
        this.rxBurst = Rte.linker().downcallHandle(function, RX_BURST, Linker.Option.critical(false));
        this.mbufs = arena.allocate(ValueLayout.JAVA_LONG, MAX_BURST);
        this.timestampField = timestampField;
        this.timestampFlag = nicClock != null && timestampFlagBit >= 0 ? 1L << timestampFlagBit : 0;
        this.nicAnchorTicks = nicClock == null ? 0 : nicClock.anchorTicks();
        this.nicBaseEpochNanos = nicClock == null ? 0 : clockEpochNanos + (nicClock.anchorNanoTime() - clockNanoTime);
        this.nicNanosPerTick = nicClock == null ? 0 : nicClock.nanosPerTick();
        this.clockEpochNanos = clockEpochNanos;
        this.clockNanoTime = clockNanoTime;
    }

    /** Makes every later {@link #poll} return 0 without calling the driver; called before the port stops. */
    public void stop() {
        stopped = true;
    }

    /**
     * One driver burst into the {@link PacketBurst#remaining()} room of {@code burst}.
     *
     * @return how many packets were appended; 0 after {@link #stop()}
     */
    public int poll(final PacketBurst burst) {
        final int room = Math.min(burst.remaining(), MAX_BURST);
        if (room <= 0 || stopped) {
            return 0;
        }
        final int n;
        try {
            n = ((short) rxBurst.invokeExact(queueData, mbufs, (short) room)) & 0xFFFF;
        } catch (Throwable t) {
            throw new IllegalStateException("rx burst failed", t);
        }
        if (n == 0) {
            return 0;
        }
        final long now = clockEpochNanos + (System.nanoTime() - clockNanoTime);
        long chained = 0;
        for (int i = 0; i < n; i++) {
            final long m = mbufs.getAtIndex(ValueLayout.JAVA_LONG, i);
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
            burst.add(timestamp, dataLen, wireLen, m);
        }
        packets.setRelease(packets.getPlain() + n);
        bursts.setRelease(bursts.getPlain() + 1);
        if (chained != 0) {
            oversize.setRelease(oversize.getPlain() + chained);
        }
        return n;
    }

    /** Packets received. */
    public long packets() {
        return packets.getAcquire();
    }

    /** Polls that returned packets. */
    public long bursts() {
        return bursts.getAcquire();
    }

    /** Packets larger than one mbuf: only their first segment is captured. */
    public long oversize() {
        return oversize.getAcquire();
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
