package dev.probe.source.dpdk.internal;

/**
 * Registers worker threads with DPDK ({@code rte_thread_register}) so that they get an lcore id and
 * mempool operations go through a per-thread cache instead of the pool's shared ring. Each method acts
 * on the calling thread; registering twice, or unregistering an unregistered thread, does nothing.
 */
public final class LcoreRegistration {
    private static final System.Logger LOG = System.getLogger(LcoreRegistration.class.getName());
    private static final ThreadLocal<Boolean> REGISTERED = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private LcoreRegistration() {
    }

    /**
     * Registers the calling thread. A failure (no lcore id left) is logged: the thread then works without
     * a mempool cache, more slowly but correctly.
     *
     * @param who the worker, for the log, such as {@code rx queue 0}
     * @return whether the thread is registered
     */
    public static boolean register(final String who) {
        if (REGISTERED.get()) {
            return true;
        }
        if (Rte.threadRegister() == 0) {
            REGISTERED.set(Boolean.TRUE);
            return true;
        }
        LOG.log(System.Logger.Level.WARNING, "{0}: cannot register the thread with DPDK: {1}; working without a mempool cache",
                who, EthDev.lastError());
        return false;
    }

    /** Gives the calling thread's lcore id back, so that a long-lived process can reuse it. */
    public static void unregister() {
        if (REGISTERED.get()) {
            Rte.threadUnregister();
            REGISTERED.set(Boolean.FALSE);
        }
    }
}
