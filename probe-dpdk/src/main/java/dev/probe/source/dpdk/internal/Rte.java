package dev.probe.source.dpdk.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The DPDK 22.11 functions the source calls, bound once with the FFM linker from the {@code librte_*}
 * libraries. Slow-path calls only: the receive burst is bound per queue by {@link RxQueue}.
 *
 * <p>Loading never throws: when a library or symbol is missing, {@link #loadFailure()} says why and
 * every other method must not be called. Thread-safe as far as DPDK itself is.
 */
public final class Rte {
    /** The shared libraries, soname and what they provide. */
    public static final List<String> LIBRARIES = List.of(
            "librte_eal.so.23", "librte_mempool.so.23", "librte_mbuf.so.23", "librte_ethdev.so.23");

    /** All process memory, for reading fields at absolute addresses without creating segments. */
    static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private static final List<String> SYMBOLS = List.of("rte_eal_init", "rte_eal_cleanup", "rte_strerror",
            "per_lcore__rte_errno", "rte_thread_register", "rte_thread_unregister", "rte_eth_dev_count_avail",
            "rte_eth_dev_is_valid_port", "rte_eth_dev_get_port_by_name", "rte_eth_dev_get_name_by_port",
            "rte_eth_dev_info_get", "rte_eth_dev_socket_id", "rte_eth_dev_configure", "rte_eth_rx_queue_setup",
            "rte_eth_dev_start", "rte_eth_dev_stop", "rte_eth_dev_close", "rte_eth_promiscuous_enable",
            "rte_eth_link_get_nowait", "rte_eth_macaddr_get", "rte_eth_stats_get", "rte_eth_dev_rss_reta_update",
            "rte_eth_dev_rss_hash_update", "rte_pktmbuf_pool_create", "rte_mempool_avail_count",
            "rte_mempool_in_use_count", "rte_mempool_free", "rte_pktmbuf_free_bulk", "rte_mbuf_dynfield_lookup",
            "rte_mbuf_dynflag_lookup", "rte_eth_read_clock", "rte_eth_fp_ops", "rte_mempool_ops_table",
            "per_lcore__lcore_id");
    private static final Linker LINKER = Linker.nativeLinker();
    private static final Throwable LOAD_FAILURE;
    private static final SymbolLookup EAL;
    private static final MethodHandle EAL_INIT;
    private static final MethodHandle EAL_CLEANUP;
    private static final MethodHandle STRERROR;
    private static final MethodHandle THREAD_REGISTER;
    private static final MethodHandle THREAD_UNREGISTER;
    private static final MethodHandle DEV_COUNT_AVAIL;
    private static final MethodHandle DEV_IS_VALID_PORT;
    private static final MethodHandle GET_PORT_BY_NAME;
    private static final MethodHandle GET_NAME_BY_PORT;
    private static final MethodHandle DEV_INFO_GET;
    private static final MethodHandle DEV_SOCKET_ID;
    private static final MethodHandle DEV_CONFIGURE;
    private static final MethodHandle RX_QUEUE_SETUP;
    private static final MethodHandle DEV_START;
    private static final MethodHandle DEV_STOP;
    private static final MethodHandle DEV_CLOSE;
    private static final MethodHandle PROMISCUOUS_ENABLE;
    private static final MethodHandle LINK_GET_NOWAIT;
    private static final MethodHandle MACADDR_GET;
    private static final MethodHandle STATS_GET;
    private static final MethodHandle RETA_UPDATE;
    private static final MethodHandle RSS_HASH_UPDATE;
    private static final MethodHandle PKTMBUF_POOL_CREATE;
    private static final MethodHandle MEMPOOL_AVAIL_COUNT;
    private static final MethodHandle MEMPOOL_IN_USE_COUNT;
    private static final MethodHandle MEMPOOL_FREE;
    private static final MethodHandle PKTMBUF_FREE_BULK;
    private static final MethodHandle DYNFIELD_LOOKUP;
    private static final MethodHandle DYNFLAG_LOOKUP;
    private static final MethodHandle READ_CLOCK;
    private static final MemorySegment FP_OPS;
    private static final MemorySegment MEMPOOL_OPS_TABLE;

    static {
        Throwable failure = null;
        SymbolLookup eal = null;
        SymbolLookup all = null;
        try {
            final Arena global = Arena.global();
            eal = SymbolLookup.libraryLookup(LIBRARIES.get(0), global);
            all = eal;
            for (final String library : LIBRARIES.subList(1, LIBRARIES.size())) {
                all = all.or(SymbolLookup.libraryLookup(library, global));
            }
        } catch (IllegalArgumentException | UnsatisfiedLinkError e) {
            failure = e;
        }
        if (failure == null) {
            final SymbolLookup lookup = all;
            final List<String> missing = SYMBOLS.stream().filter(name -> lookup.find(name).isEmpty()).toList();
            if (!missing.isEmpty()) {
                failure = new UnsatisfiedLinkError("symbols " + missing + " not exported by "
                        + String.join(", ", LIBRARIES) + " (expected DPDK 22.11, ABI 23)");
            }
        }
        final Binder b = new Binder(all);
        LOAD_FAILURE = failure;
        EAL = eal;
        final boolean ok = failure == null;
        EAL_INIT = ok ? b.bind("rte_eal_init", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS)) : null;
        EAL_CLEANUP = ok ? b.bind("rte_eal_cleanup", FunctionDescriptor.of(JAVA_INT)) : null;
        STRERROR = ok ? b.bind("rte_strerror", FunctionDescriptor.of(
                ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(512, ValueLayout.JAVA_BYTE)), JAVA_INT)) : null;
        THREAD_REGISTER = ok ? b.bind("rte_thread_register", FunctionDescriptor.of(JAVA_INT)) : null;
        THREAD_UNREGISTER = ok ? b.bind("rte_thread_unregister", FunctionDescriptor.ofVoid()) : null;
        DEV_COUNT_AVAIL = ok ? b.bind("rte_eth_dev_count_avail", FunctionDescriptor.of(JAVA_SHORT)) : null;
        DEV_IS_VALID_PORT = ok ? b.bind("rte_eth_dev_is_valid_port", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT)) : null;
        GET_PORT_BY_NAME = ok ? b.bind("rte_eth_dev_get_port_by_name",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)) : null;
        GET_NAME_BY_PORT = ok ? b.bind("rte_eth_dev_get_name_by_port",
                FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS)) : null;
        DEV_INFO_GET = ok ? b.bind("rte_eth_dev_info_get", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS)) : null;
        DEV_SOCKET_ID = ok ? b.bind("rte_eth_dev_socket_id", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT)) : null;
        DEV_CONFIGURE = ok ? b.bind("rte_eth_dev_configure",
                FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, JAVA_SHORT, JAVA_SHORT, ADDRESS)) : null;
        RX_QUEUE_SETUP = ok ? b.bind("rte_eth_rx_queue_setup",
                FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, JAVA_SHORT, JAVA_SHORT, JAVA_INT, ADDRESS, ADDRESS)) : null;
        DEV_START = ok ? b.bind("rte_eth_dev_start", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT)) : null;
        DEV_STOP = ok ? b.bind("rte_eth_dev_stop", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT)) : null;
        DEV_CLOSE = ok ? b.bind("rte_eth_dev_close", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT)) : null;
        PROMISCUOUS_ENABLE = ok ? b.bind("rte_eth_promiscuous_enable", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT)) : null;
        LINK_GET_NOWAIT = ok ? b.bind("rte_eth_link_get_nowait", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS)) : null;
        MACADDR_GET = ok ? b.bind("rte_eth_macaddr_get", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS)) : null;
        STATS_GET = ok ? b.bind("rte_eth_stats_get", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS)) : null;
        RETA_UPDATE = ok ? b.bind("rte_eth_dev_rss_reta_update",
                FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS, JAVA_SHORT)) : null;
        RSS_HASH_UPDATE = ok ? b.bind("rte_eth_dev_rss_hash_update",
                FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS)) : null;
        PKTMBUF_POOL_CREATE = ok ? b.bind("rte_pktmbuf_pool_create",
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_SHORT, JAVA_SHORT, JAVA_INT)) : null;
        MEMPOOL_AVAIL_COUNT = ok ? b.bind("rte_mempool_avail_count", FunctionDescriptor.of(JAVA_INT, ADDRESS)) : null;
        MEMPOOL_IN_USE_COUNT = ok ? b.bind("rte_mempool_in_use_count", FunctionDescriptor.of(JAVA_INT, ADDRESS)) : null;
        MEMPOOL_FREE = ok ? b.bind("rte_mempool_free", FunctionDescriptor.ofVoid(ADDRESS)) : null;
        PKTMBUF_FREE_BULK = ok ? b.bind("rte_pktmbuf_free_bulk", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT),
                Linker.Option.critical(false)) : null;
        DYNFIELD_LOOKUP = ok ? b.bind("rte_mbuf_dynfield_lookup", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)) : null;
        DYNFLAG_LOOKUP = ok ? b.bind("rte_mbuf_dynflag_lookup", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)) : null;
        READ_CLOCK = ok ? b.bind("rte_eth_read_clock", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS)) : null;
        FP_OPS = ok ? all.find("rte_eth_fp_ops").orElseThrow()
                .reinterpret(DpdkLayout.FP_OPS_SIZE * DpdkLayout.MAX_ETHPORTS) : null;
        MEMPOOL_OPS_TABLE = ok ? all.find("rte_mempool_ops_table").orElseThrow()
                .reinterpret(DpdkLayout.MEMPOOL_OPS_TABLE_OPS + DpdkLayout.MEMPOOL_OPS_SIZE * DpdkLayout.MEMPOOL_MAX_OPS_IDX)
                : null;
    }

    private Rte() {
    }

    /** Why the libraries could not be loaded, or null when they were. */
    public static Throwable loadFailure() {
        return LOAD_FAILURE;
    }

    /** rte_eal_init; returns the number of parsed arguments, or -1 with {@link #errno()} set. */
    public static int ealInit(final int argc, final MemorySegment argv) {
        try {
            return (int) EAL_INIT.invokeExact(argc, argv);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** rte_eal_cleanup. */
    public static int ealCleanup() {
        try {
            return (int) EAL_CLEANUP.invokeExact();
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * The calling thread's {@code rte_errno}. It is a thread-local variable ({@code per_lcore__rte_errno}):
     * FFM has no TLS access, but {@code dlsym} of a TLS symbol returns the calling thread's copy, so
     * the symbol is looked up again on every call. Slow path only.
     */
    public static int errno() {
        return EAL.find("per_lcore__rte_errno")
                .map(s -> s.reinterpret(4).get(JAVA_INT, 0))
                .orElse(0);
    }

    /**
     * The calling thread's lcore id ({@code rte_lcore_id()}, the thread-local {@code per_lcore__lcore_id},
     * read the way {@link #errno()} is); {@link DpdkLayout#LCORE_ID_ANY} for a thread DPDK does not know.
     * Slow path only.
     */
    static int lcoreId() {
        return EAL.find("per_lcore__lcore_id")
                .map(s -> s.reinterpret(4).get(JAVA_INT, 0))
                .orElse(DpdkLayout.LCORE_ID_ANY);
    }

    /**
     * The enqueue function of a mempool's driver ({@code rte_mempool_ops_table.ops[mp->ops_index].enqueue},
     * what the inline {@code rte_mempool_ops_enqueue_bulk} calls), bound as
     * {@code int (struct rte_mempool *, void * const *, unsigned int)}.
     */
    static MethodHandle mempoolEnqueue(final MemorySegment pool) {
        final int index = pool.reinterpret(DpdkLayout.MEMPOOL_SIZE).get(JAVA_INT, DpdkLayout.MEMPOOL_OPS_INDEX);
        if (index < 0 || index >= DpdkLayout.MEMPOOL_MAX_OPS_IDX) {
            throw new IllegalStateException("mempool ops index " + index + " out of range");
        }
        final MemorySegment function = MEMPOOL_OPS_TABLE.get(ADDRESS,
                DpdkLayout.MEMPOOL_OPS_TABLE_OPS + (long) index * DpdkLayout.MEMPOOL_OPS_SIZE + DpdkLayout.MEMPOOL_OPS_ENQUEUE);
        return LINKER.downcallHandle(function, FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT),
                Linker.Option.critical(false));
    }

    /** rte_strerror of a positive or negative error number. */
    public static String strerror(final int error) {
        try {
            final MemorySegment s = (MemorySegment) STRERROR.invokeExact(Math.abs(error));
            return s.getString(0);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** rte_thread_register for the calling thread; 0 or -1 with {@link #errno()} set. */
    public static int threadRegister() {
        try {
            return (int) THREAD_REGISTER.invokeExact();
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** rte_thread_unregister for the calling thread. */
    public static void threadUnregister() {
        try {
            THREAD_UNREGISTER.invokeExact();
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int devCountAvail() {
        try {
            return ((short) DEV_COUNT_AVAIL.invokeExact()) & 0xFFFF;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static boolean isValidPort(final int port) {
        try {
            return (int) DEV_IS_VALID_PORT.invokeExact((short) port) == 1;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int portByName(final MemorySegment name, final MemorySegment portOut) {
        try {
            return (int) GET_PORT_BY_NAME.invokeExact(name, portOut);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int nameByPort(final int port, final MemorySegment nameOut) {
        try {
            return (int) GET_NAME_BY_PORT.invokeExact((short) port, nameOut);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int devInfoGet(final int port, final MemorySegment info) {
        try {
            return (int) DEV_INFO_GET.invokeExact((short) port, info);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int socketId(final int port) {
        try {
            return (int) DEV_SOCKET_ID.invokeExact((short) port);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int configure(final int port, final int rxQueues, final int txQueues, final MemorySegment conf) {
        try {
            return (int) DEV_CONFIGURE.invokeExact((short) port, (short) rxQueues, (short) txQueues, conf);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int rxQueueSetup(final int port, final int queue, final int descriptors, final int socket,
                            final MemorySegment rxconf, final MemorySegment pool) {
        try {
            return (int) RX_QUEUE_SETUP.invokeExact((short) port, (short) queue, (short) descriptors, socket,
                    rxconf, pool);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int start(final int port) {
        return portCall(DEV_START, port);
    }

    static int stop(final int port) {
        return portCall(DEV_STOP, port);
    }

    static int close(final int port) {
        return portCall(DEV_CLOSE, port);
    }

    static int promiscuousEnable(final int port) {
        return portCall(PROMISCUOUS_ENABLE, port);
    }

    static int linkGetNowait(final int port, final MemorySegment link) {
        return portCall(LINK_GET_NOWAIT, port, link);
    }

    static int macaddrGet(final int port, final MemorySegment mac) {
        return portCall(MACADDR_GET, port, mac);
    }

    static int statsGet(final int port, final MemorySegment stats) {
        return portCall(STATS_GET, port, stats);
    }

    static int rssHashUpdate(final int port, final MemorySegment rssConf) {
        return portCall(RSS_HASH_UPDATE, port, rssConf);
    }

    static int retaUpdate(final int port, final MemorySegment reta, final int retaSize) {
        try {
            return (int) RETA_UPDATE.invokeExact((short) port, reta, (short) retaSize);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static MemorySegment pktmbufPoolCreate(final MemorySegment name, final int n, final int cache,
                                           final int privSize, final int dataRoom, final int socket) {
        try {
            return (MemorySegment) PKTMBUF_POOL_CREATE.invokeExact(name, n, cache, (short) privSize,
                    (short) dataRoom, socket);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int mempoolAvailCount(final MemorySegment pool) {
        try {
            return (int) MEMPOOL_AVAIL_COUNT.invokeExact(pool);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int mempoolInUseCount(final MemorySegment pool) {
        try {
            return (int) MEMPOOL_IN_USE_COUNT.invokeExact(pool);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static void mempoolFree(final MemorySegment pool) {
        try {
            MEMPOOL_FREE.invokeExact(pool);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static void pktmbufFreeBulk(final MemorySegment mbufs, final int count) {
        try {
            PKTMBUF_FREE_BULK.invokeExact(mbufs, count);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int dynfieldLookup(final MemorySegment name) {
        try {
            return (int) DYNFIELD_LOOKUP.invokeExact(name, MemorySegment.NULL);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int dynflagLookup(final MemorySegment name) {
        try {
            return (int) DYNFLAG_LOOKUP.invokeExact(name, MemorySegment.NULL);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** rte_eth_read_clock: the device clock, in the units of its receive timestamps, into {@code clock}. */
    static int readClock(final int port, final MemorySegment clock) {
        return portCall(READ_CLOCK, port, clock);
    }

    /** The entry of {@code rte_eth_fp_ops[port]}; valid only while the port is started. */
    static MemorySegment fpOps(final int port) {
        return FP_OPS.asSlice(port * DpdkLayout.FP_OPS_SIZE, DpdkLayout.FP_OPS_SIZE);
    }

    static Linker linker() {
        return LINKER;
    }

    /**
     * {@code segment} seen from the global scope, for the arguments of native calls on the fast path. A
     * native call given a segment of a shared arena acquires and releases that arena around the call with
     * two atomic operations, and each waits for every store the calling core still has pending (on the
     * receive core, the ring's lines the transmit core holds); a global segment costs neither. The caller
     * keeps the owning arena open, and the segment reachable, for as long as it uses the view.
     */
    static MemorySegment unscoped(final MemorySegment segment) {
        return MemorySegment.ofAddress(segment.address()).reinterpret(segment.byteSize());
    }

    private static int portCall(final MethodHandle handle, final int port) {
        try {
            return (int) handle.invokeExact((short) port);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static int portCall(final MethodHandle handle, final int port, final MemorySegment out) {
        try {
            return (int) handle.invokeExact((short) port, out);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static IllegalStateException unexpected(final Throwable t) {
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("DPDK call failed", t);
    }

    /** Binds symbols of the loaded libraries. */
    private record Binder(SymbolLookup lookup) {
        MethodHandle bind(final String symbol, final FunctionDescriptor descriptor, final Linker.Option... options) {
            final MemorySegment address = lookup.find(symbol)
                    .orElseThrow(() -> new IllegalStateException("symbol " + symbol + " not exported by "
                            + String.join(", ", LIBRARIES)));
            return LINKER.downcallHandle(address, descriptor, options);
        }
    }

}
