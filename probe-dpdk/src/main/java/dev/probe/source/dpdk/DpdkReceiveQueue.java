package dev.probe.source.dpdk;

import dev.probe.api.PacketBurst;
import dev.probe.source.dpdk.internal.LcoreRegistration;
import dev.probe.source.dpdk.internal.RxQueue;
import dev.probe.spi.ReceiveQueue;

/**
 * One receive queue of a {@link DpdkSource}, polled by exactly one receive worker thread. A packet's
 * handle names its mbuf (see {@code MbufMemory}); frames larger than {@code data-room} arrive as mbuf
 * chains and are captured as their first segment, with the wire length kept, and counted as {@link #oversize()}. The driver is
 * asked for at least 4 packets per poll; what does not fit in the burst waits for the next polls, and
 * what is still waiting when polling ends is freed and counted as {@link #unread()}. Counters are read
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

    /**
     * Frees the packets received but not handed out (counted as {@link #unread()}), then gives the worker
     * thread's lcore id back; on the worker's thread after its last poll.
     */
    @Override
    public void onStop() {
        rx.releaseStash();
        LcoreRegistration.unregister();
        registered = false;
    }

    /** Whether {@link #onStart()} registered the worker thread. */
    public boolean registered() {
        return registered;
    }

    /**
     * Up to the burst's free room: packets left from the previous poll if any, else one driver burst.
     * Returns {@link #END_OF_INPUT} once a {@code net_pcap} queue replaying a file without
     * {@code infinite_rx} has handed out the whole file (see {@link DpdkSource}); other queues never end.
     * Returns 0 without calling the driver once the source is closed.
     */
    @Override
    public int poll(final PacketBurst burst) {
        return rx.poll(burst);
    }

    /**
     * Makes later polls return 0 without calling the driver, and frees what the worker left unread; the
     * source calls it before stopping the port.
     */
    void stop() {
        rx.stop();
        rx.releaseStash();
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

    /** Packets received from the device but never handed to the probe, because polling ended first. */
    public long unread() {
        return rx.unread();
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
