package dev.probe.source.dpdk.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A packet mbuf pool ({@code rte_pktmbuf_pool_create_by_ops}). Counts may be read by any thread; {@link #free()}
 * (or {@link #abandon()}) is called once, after the port using it was closed.
 */
public final class MbufPool {
    private static final String STACK = "stack";
    private static final String RING = "ring (DPDK default)";

    private final MemorySegment pool;
    private final int size;
    private final String driver;
    private volatile boolean freed;

    private MbufPool(final MemorySegment pool, final int size, final String driver) {
        this.pool = pool;
        this.size = size;
        this.driver = driver;
    }

    /**
     * Creates a pool of {@code size} mbufs with {@code dataRoom} bytes each after the headroom. The pool
     * is a LIFO stack (DPDK's {@code stack} mempool driver) when that driver is loaded, else DPDK's
     * default FIFO ring. With a stack, the mbufs a transmit worker frees are the first the receive
     * queue allocates again, while they are still in cache; through a ring every allocation takes the
     * mbuf freed longest ago, so the whole pool cycles through the caches. Measured on the discarding
     * pipeline over net_pcap: about 12% less receive-thread CPU per packet (probe-bench/PERFORMANCE.md).
     *
     * @return the pool, or null when DPDK refused: {@link EthDev#lastError()} on this thread says why
     */
    public static MbufPool create(final String name, final int size, final int cache, final int dataRoom,
                                  final int socket) {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment stack = Rte.pktmbufPoolCreateByOps(arena.allocateFrom(name), size, cache, 0,
                    dataRoom + DpdkLayout.PKTMBUF_HEADROOM, socket, arena.allocateFrom(STACK));
            if (!stack.equals(MemorySegment.NULL)) {
                return new MbufPool(stack, size, STACK);
            }
            final MemorySegment pool = Rte.pktmbufPoolCreate(arena.allocateFrom(name), size, cache, 0,
                    dataRoom + DpdkLayout.PKTMBUF_HEADROOM, socket);
            return pool.equals(MemorySegment.NULL) ? null : new MbufPool(pool, size, RING);
        }
    }

    /** The mempool driver the pool uses: {@code stack}, or DPDK's default ring. */
    public String driver() {
        return driver;
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
