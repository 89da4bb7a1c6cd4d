package dev.probe.source.dpdk;

import dev.probe.api.PacketBurst;
import dev.probe.source.dpdk.internal.LcoreRegistration;
import dev.probe.source.dpdk.internal.RxQueue;
import dev.probe.spi.ReceiveQueue;

/**
 * One receive queue of a {@link DpdkSource}, polled by exactly one receive worker thread. A packet's
 * handle is its mbuf; frames larger than {@code data-room} arrive as mbuf chains and are captured as
 * their first segment, with the wire length kept, and counted as {@link #oversize()}. Counters are read
 * by any thread.
 */
public final class DpdkReceiveQueue implements ReceiveQueue {
    private final int id;
    private final RxQueue rx;
    private volatile boolean registered;

    DpdkReceiveQueue(final int id, final RxQueue rx) {
        this.id = id;
        this.rx = rx;
    }

    @Override
    public int id() {
        return id;
    }

    /**
     * Registers the worker thread with DPDK ({@code rte_thread_register}), giving it an lcore id so that
     * mempool operations use a per-thread cache. A failure is logged and polling works without cache.
     */
    @Override
    public void onStart() {
        registered = LcoreRegistration.register("rx queue " + id);
    }

    /** Gives the worker thread's lcore id back, on the worker's thread after its last poll. */
    @Override
    public void onStop() {
        LcoreRegistration.unregister();
        registered = false;
    }

    /** Whether {@link #onStart()} registered the worker thread. */
    public boolean registered() {
        return registered;
    }

    /**
     * One driver burst for up to the burst's free room. Returns {@link #END_OF_INPUT} once a {@code net_pcap} queue replaying a file without
     * {@code infinite_rx} has handed out the whole file (see {@link DpdkSource}); other queues never end.
     * Returns 0 without calling the driver once the source is closed.
     */
    @Override
    public int poll(final PacketBurst burst) {
        return rx.poll(burst);
    }

    /** Makes later polls return 0 without calling the driver; the source calls it before stopping the port. */
    void stop() {
        rx.stop();
    }

    /** Packets this queue produced. */
    public long packets() {
        return rx.packets();
    }

    /** Polls that produced packets. */
    public long bursts() {
        return rx.bursts();
    }

    /** Frames larger than one mbuf, captured truncated to their first segment. */
    public long oversize() {
        return rx.oversize();
    }

    /**
     * Packet records counted in the file this queue replays to its end; -1 for a queue that does not end,
     * or whose file is damaged (it then ends when the driver stops delivering).
     */
    public long filePackets() {
        final long n = rx.filePackets();
        return n == RxQueue.UNCOUNTED ? -1 : n;
    }
}
