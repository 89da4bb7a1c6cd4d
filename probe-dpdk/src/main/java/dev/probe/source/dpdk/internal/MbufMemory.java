package dev.probe.source.dpdk.internal;

import dev.probe.api.PacketBurst;
import dev.probe.spi.PacketMemory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.probe.source.dpdk.internal.DpdkLayout.MBUF_BUF_ADDR;
import static dev.probe.source.dpdk.internal.DpdkLayout.MBUF_DATA_OFF;

/**
 * Packet bytes and release for mbuf handles (a handle is the mbuf's address). Thread-safe: each
 * releasing thread frees through its own native scratch array with {@code rte_pktmbuf_free_bulk}, which
 * puts mbufs into the calling lcore's cache when the thread is registered, else straight into the pool.
 */
public final class MbufMemory implements PacketMemory {
    private static final int SCRATCH = 256;
    private static final MemorySegment ALL = Rte.ALL;

    private final ThreadLocal<MemorySegment> scratch =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(ValueLayout.JAVA_LONG, SCRATCH));

    @Override
    public MemorySegment data(final long handle, final int capturedLength) {
        final long bufAddr = ALL.get(ValueLayout.JAVA_LONG, handle + MBUF_BUF_ADDR);
        final int dataOff = ALL.get(ValueLayout.JAVA_SHORT, handle + MBUF_DATA_OFF) & 0xFFFF;
        return MemorySegment.ofAddress(bufAddr + dataOff).reinterpret(capturedLength);
    }

    /** Registers the transmit worker's thread with DPDK, so its frees fill its own mempool cache. */
    @Override
    public void onThreadStart() {
        LcoreRegistration.register("transmit thread " + Thread.currentThread().getName());
    }

    /** Gives the transmit worker's lcore id back. */
    @Override
    public void onThreadStop() {
        LcoreRegistration.unregister();
    }

    @Override
    public void release(final PacketBurst burst, final int from, final int count) {
        final MemorySegment array = scratch.get();
        final long[] handles = burst.handles();
        int done = 0;
        while (done < count) {
            final int n = Math.min(SCRATCH, count - done);
            MemorySegment.copy(handles, from + done, array, ValueLayout.JAVA_LONG, 0, n);
            Rte.pktmbufFreeBulk(array, n);
            done += n;
        }
    }
}
