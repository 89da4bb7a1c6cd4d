package dev.probe.source.dpdk.internal;

import dev.probe.api.PacketBurst;
import dev.probe.spi.PacketMemory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import static dev.probe.source.dpdk.internal.DpdkLayout.MBUF_BUF_ADDR;
import static dev.probe.source.dpdk.internal.DpdkLayout.MBUF_DATA_OFF;
import static dev.probe.source.dpdk.internal.DpdkLayout.MBUF_SIZE;
import static dev.probe.source.dpdk.internal.DpdkLayout.MEMPOOL_CACHE_FLUSHTHRESH;
import static dev.probe.source.dpdk.internal.DpdkLayout.MEMPOOL_CACHE_LEN;
import static dev.probe.source.dpdk.internal.DpdkLayout.MEMPOOL_CACHE_OBJS;

/**
 * Packet bytes and release for the mbuf handles of one source's pool. Thread-safe: each releasing thread
 * works through state of its own.
 *
 * <p>A handle is the mbuf's address, or, for the common case the receive thread recognises in
 * {@link #handle}, a <em>plain</em> handle: a single-segment mbuf of this pool whose data lies right after
 * its header, with the data offset packed into the handle's upper bits. For a plain handle the transmit
 * thread never reads the mbuf header: {@link #data} computes the frame's address from the handle, and
 * {@link #release} puts the mbuf back the way {@code rte_mempool_put_bulk} does, into the releasing
 * thread's own mempool cache (or the pool's driver when the thread has none), without the per-mbuf checks
 * of {@code rte_pktmbuf_free_bulk}, which a plain mbuf passes by construction (reference count 1, no next
 * segment, this pool). So the header's cache lines stay with the receive core, which rewrites them when
 * the driver reuses the mbuf, instead of crossing to the transmit core and back for every packet. Other
 * handles are freed with {@code rte_pktmbuf_free_bulk}.
 */
public final class MbufMemory implements PacketMemory {
    private static final int SCRATCH = 256;
    private static final MemorySegment ALL = Rte.ALL;
    private static final long PLAIN = Long.MIN_VALUE;
    private static final int OFFSET_SHIFT = 47;
    private static final long ADDRESS_MASK = (1L << OFFSET_SHIFT) - 1;

    private final long pool;
    private final MemorySegment poolSegment;
    private final MethodHandle enqueue;
    private final ThreadLocal<Releaser> releasers = ThreadLocal.withInitial(Releaser::new);

    /** @param pool the pool every mbuf of the source comes from */
    public MbufMemory(final MbufPool pool) {
        this.pool = pool.segment().address();
        this.poolSegment = pool.segment();
        this.enqueue = Rte.mempoolEnqueue(pool.segment());
    }

    /**
     * The handle for mbuf {@code m}, given the header fields the receive thread read anyway: a plain
     * handle when the mbuf qualifies (see the class comment), else the mbuf's address.
     *
     * @param dataOff the mbuf's {@code data_off}, 0 to 65535
     */
    public long handle(final long m, final long bufAddr, final int dataOff, final int segments, final long mbufPool) {
        if (segments == 1 && mbufPool == pool && bufAddr == m + MBUF_SIZE && (m & ~ADDRESS_MASK) == 0) {
            return PLAIN | (long) dataOff << OFFSET_SHIFT | m;
        }
        return m;
    }

    @Override
    public MemorySegment data(final long handle, final int capturedLength) {
        final long address;
        if (handle < 0) {
            address = (handle & ADDRESS_MASK) + MBUF_SIZE + ((handle >>> OFFSET_SHIFT) & 0xFFFF);
        } else {
            address = ALL.get(ValueLayout.JAVA_LONG, handle + MBUF_BUF_ADDR)
                    + (ALL.get(ValueLayout.JAVA_SHORT, handle + MBUF_DATA_OFF) & 0xFFFF);
        }
        return MemorySegment.ofAddress(address).reinterpret(capturedLength);
    }

    /** Registers the transmit worker's thread with DPDK, so its releases fill its own mempool cache. */
    @Override
    public void onThreadStart() {
        LcoreRegistration.register("transmit thread " + Thread.currentThread().getName());
        releasers.remove();
    }

    /** Gives the transmit worker's lcore id back. */
    @Override
    public void onThreadStop() {
        LcoreRegistration.unregister();
        releasers.remove();
    }

    @Override
    public void release(final PacketBurst burst, final int from, final int count) {
        releasers.get().release(burst.handles(), from, count);
    }

    /** One thread's release state: native scratch arrays and its lcore's cache of the pool. */
    private final class Releaser {
        /** Owns the two scratch arrays: reachable as long as this releaser, which only uses the views below. */
        private final MemorySegment scratch = Arena.ofAuto().allocate(ValueLayout.JAVA_LONG, 2L * SCRATCH);
        private final MemorySegment plain = Rte.unscoped(scratch.asSlice(0, 8L * SCRATCH));
        private final MemorySegment other = Rte.unscoped(scratch.asSlice(8L * SCRATCH));
        /** The address of this thread's {@code struct rte_mempool_cache}, or 0 when it has none. */
        private final long cache;
        /** The cache's {@code objs} array, or null when the thread has no cache. */
        private final MemorySegment cached;

        Releaser() {
            final MemorySegment mp = MemorySegment.ofAddress(pool).reinterpret(DpdkLayout.MEMPOOL_SIZE);
            final int lcore = Rte.lcoreId();
            final int cacheSize = mp.get(ValueLayout.JAVA_INT, DpdkLayout.MEMPOOL_CACHE_SIZE);
            cache = cacheSize == 0 || lcore < 0 || lcore >= DpdkLayout.MAX_LCORE ? 0
                    : mp.get(ValueLayout.JAVA_LONG, DpdkLayout.MEMPOOL_LOCAL_CACHE)
                    + lcore * DpdkLayout.MEMPOOL_CACHE_STRUCT_SIZE;
            cached = cache == 0 ? null : MemorySegment.ofAddress(cache + MEMPOOL_CACHE_OBJS)
                    .reinterpret(8L * 2 * DpdkLayout.MEMPOOL_CACHE_MAX_SIZE);
        }

        void release(final long[] handles, final int from, final int count) {
            int p = 0;
            int o = 0;
            for (int i = from, end = from + count; i < end; i++) {
                final long h = handles[i];
                if (h < 0) {
                    plain.setAtIndex(ValueLayout.JAVA_LONG, p++, h & ADDRESS_MASK);
                    if (p == SCRATCH) {
                        put(p);
                        p = 0;
                    }
                } else {
                    other.setAtIndex(ValueLayout.JAVA_LONG, o++, h);
                    if (o == SCRATCH) {
                        Rte.pktmbufFreeBulk(other, o);
                        o = 0;
                    }
                }
            }
            if (p > 0) {
                put(p);
            }
            if (o > 0) {
                Rte.pktmbufFreeBulk(other, o);
            }
        }

        /** {@code rte_mempool_do_generic_put} of the first {@code n} mbufs of {@link #plain}. */
        private void put(final int n) {
            final int flushThreshold = cache == 0 ? 0 : ALL.get(ValueLayout.JAVA_INT, cache + MEMPOOL_CACHE_FLUSHTHRESH);
            if (n > flushThreshold) {
                enqueue(plain, n);
                return;
            }
            int len = ALL.get(ValueLayout.JAVA_INT, cache + MEMPOOL_CACHE_LEN);
            if (len + n > flushThreshold) {
                enqueue(cached, len);
                len = 0;
            }
            MemorySegment.copy(plain, 0, cached, 8L * len, 8L * n);
            ALL.set(ValueLayout.JAVA_INT, cache + MEMPOOL_CACHE_LEN, len + n);
        }

        private void enqueue(final MemorySegment objects, final int n) {
            final int rc;
            try {
                rc = (int) enqueue.invokeExact(poolSegment, objects, n);
            } catch (Throwable t) {
                throw new IllegalStateException("mempool enqueue failed", t);
            }
            if (rc < 0) {
                // A ring sized for every mbuf of the pool cannot be full: the pool is corrupt
                throw new IllegalStateException("mempool enqueue of " + n + " mbufs failed: " + rc);
            }
        }
    }
}
