package dev.probe.source.dpdk.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A packet mbuf pool ({@code rte_pktmbuf_pool_create}). Counts may be read by any thread; {@link #free()}
 * (or {@link #abandon()}) is called once, after the port using it was closed.
 */
public final class MbufPool {
    private final MemorySegment pool;
    private final int size;
    private volatile boolean freed;

    private MbufPool(final MemorySegment pool, final int size) {
        this.pool = pool;
        this.size = size;
    }

    /**
     * Creates a pool of {@code size} mbufs with {@code dataRoom} bytes each after the headroom.
     *
     * @return the pool, or null when DPDK refused: {@link EthDev#lastError()} on this thread says why
     */
    public static MbufPool create(final String name, final int size, final int cache, final int dataRoom,
                                  final int socket) {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment pool = Rte.pktmbufPoolCreate(arena.allocateFrom(name), size, cache, 0,
                    dataRoom + DpdkLayout.PKTMBUF_HEADROOM, socket);
            return pool.equals(MemorySegment.NULL) ? null : new MbufPool(pool, size);
        }
    }

    /** How many mbufs the pool holds in all. */
    public int size() {
        return size;
    }

    /** Mbufs free in the pool and its per-lcore caches; 0 once freed. */
    public int available() {
        return freed ? 0 : Rte.mempoolAvailCount(pool);
    }

    /** Mbufs taken out of the pool; 0 once freed. */
    public int inUse() {
        return freed ? 0 : Rte.mempoolInUseCount(pool);
    }

    /** Returns the pool's memory to DPDK; a second call does nothing. */
    public synchronized void free() {
        if (!freed) {
            freed = true;
            Rte.mempoolFree(pool);
        }
    }

    /**
     * Stops using the pool without returning its memory, for when mbufs of it may still be referenced:
     * counts read 0 from now on, and later releases of its mbufs still land in valid memory.
     */
    public synchronized void abandon() {
        freed = true;
    }

    MemorySegment segment() {
        return pool;
    }
}
