package dev.probe.source.dpdk.internal;

import dev.probe.api.ProbeException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The process-wide DPDK environment: {@code rte_eal_init} runs at most once per process, and DPDK keeps
 * global state, so every source of the process shares one EAL started with one set of arguments.
 *
 * <p>Initialisation runs on a short-lived thread of its own, because {@code rte_eal_init} pins its
 * calling thread to the main lcore's CPU. A shutdown hook calls {@code rte_eal_cleanup} at exit when no
 * port is open any more. Thread-safe.
 */
public final class Eal {
    private static final System.Logger LOG = System.getLogger(Eal.class.getName());
    private static final String SETTING = "probe.source.dpdk.eal-args";

    private static List<String> initArgs;
    private static ProbeException initFailure;
    private static final AtomicInteger OPEN_PORTS = new AtomicInteger();

    private Eal() {
    }

    /**
     * Starts the EAL with {@code args} (without the program name), or does nothing when it already runs
     * with the same arguments.
     *
     * @throws ProbeException when initialisation fails, now or in an earlier call, or when the EAL already
     *         runs with other arguments
     */
    public static synchronized void init(final List<String> args) {
        if (initFailure != null) {
            throw initFailure;
        }
        if (initArgs != null) {
            if (!initArgs.equals(args)) {
                throw new ProbeException("The DPDK EAL of this process already runs with " + SETTING + " "
                        + initArgs + " and cannot start again with " + args
                        + " (one EAL per process: give every source the same eal-args)");
            }
            return;
        }
        final int[] result = new int[2];
        final Thread thread = Thread.ofPlatform().name("dpdk-eal-init").unstarted(() -> {
            final List<String> argv = new ArrayList<>(args.size() + 1);
            argv.add("probe");
            argv.addAll(args);
            // rte_eal_init may keep pointers into argv (device arguments): the strings live for good
            final Arena global = Arena.global();
            final MemorySegment array = global.allocate(ValueLayout.ADDRESS, argv.size() + 1L);
            for (int i = 0; i < argv.size(); i++) {
                array.setAtIndex(ValueLayout.ADDRESS, i, global.allocateFrom(argv.get(i)));
            }
            array.setAtIndex(ValueLayout.ADDRESS, argv.size(), MemorySegment.NULL);
            result[0] = Rte.ealInit(argv.size(), array);
            result[1] = result[0] < 0 ? Rte.errno() : 0;
        });
        thread.start();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProbeException("Interrupted while starting the DPDK EAL", e);
        }
        if (result[0] < 0) {
            final String cause = result[1] != 0 ? Rte.strerror(result[1]) + " (rte_errno " + result[1] + ")" : "unknown error";
            initFailure = new ProbeException("DPDK EAL initialisation failed with " + SETTING + " " + args + ": "
                    + cause + "; check the EAL messages above, hugepages (or --no-huge with -m), permissions"
                    + " (root or CAP_SYS_ADMIN/CAP_IPC_LOCK), and that no other DPDK process uses the same"
                    + " --file-prefix");
            throw initFailure;
        }
        initArgs = List.copyOf(args);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("dpdk-eal-cleanup").unstarted(Eal::cleanupAtExit));
        LOG.log(System.Logger.Level.DEBUG, "DPDK EAL started with {0}", args);
    }

    /** Whether the EAL of this process has been started. */
    public static synchronized boolean started() {
        return initArgs != null;
    }

    /** Counts a port opened by a source, so the exit hook leaves the EAL alone while one is open. */
    static void portOpened() {
        OPEN_PORTS.incrementAndGet();
    }

    /** Counts a port closed by a source. */
    static void portClosed() {
        OPEN_PORTS.decrementAndGet();
    }

    private static void cleanupAtExit() {
        if (OPEN_PORTS.get() == 0) {
            Rte.ealCleanup();
        } else {
            LOG.log(System.Logger.Level.DEBUG, "DPDK EAL not cleaned up at exit: {0} port(s) still open",
                    OPEN_PORTS.get());
        }
    }
}
