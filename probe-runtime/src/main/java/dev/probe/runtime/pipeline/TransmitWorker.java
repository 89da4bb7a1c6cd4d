package dev.probe.runtime.pipeline;

import dev.probe.api.PacketBurst;
import dev.probe.runtime.agent.Agent;
import dev.probe.spi.PacketMemory;
import dev.probe.spi.Sink;

/**
 * Drains one transmit ring into its own sink: takes no more packets than the sink can accept without
 * blocking, sends them, then releases them to the source. When the sink is saturated the packets stay
 * on the ring, so pressure shows up as ring depth and, at worst, counted ring-full drops.
 *
 * <p>Runs on its own thread; its counters are read by the stats thread.
 */
public final class TransmitWorker implements Agent {
    private final SpmcPacketRing ring;
    private final PacketMemory memory;
    private final Sink sink;
    private final PacketBurst burst;
    private final String roleName;
    private final CounterSet<TransmitCounter> counters = new CounterSet<>(TransmitCounter.class);

    /**
     * @param roleName such as {@code tx-0-1}: ring 0, worker 1
     */
    public TransmitWorker(final SpmcPacketRing ring, final PacketMemory memory, final Sink sink,
                          final int burstSize, final String roleName) {
        this.ring = ring;
        this.memory = memory;
        this.sink = sink;
        this.burst = new PacketBurst(burstSize);
        this.roleName = roleName;
    }

    @Override
    public void onStart() {
        memory.onThreadStart();
    }

    @Override
    public void onClose() {
        memory.onThreadStop();
    }

    @Override
    public int doWork() {
        final int room = sink.available();
        if (room <= 0) {
            return 0;
        }
        burst.clear();
        final int n = ring.drain(burst, room);
        if (n == 0) {
            return 0;
        }
        counters.add(TransmitCounter.TAKEN, n);
        final long sentBefore = sink.counters().sent();
        try {
            sink.send(burst, memory);
        } catch (RuntimeException | Error e) {
            // A broken sink: count what it did not take, so that the books still balance, then fail.
            counters.add(TransmitCounter.SEND_FAILED, Math.max(0, n - (sink.counters().sent() - sentBefore)));
            throw e;
        } finally {
            memory.release(burst, 0, n);
            counters.add(TransmitCounter.BURSTS, 1);
        }
        return n;
    }

    /**
     * After the shutdown timeout, on the controlling thread once this worker's thread has stopped:
     * takes what is left on the ring, releases it unsent and counts it.
     *
     * @return how many packets were dropped
     */
    public long dropRemaining() {
        long dropped = 0;
        int n;
        do {
            burst.clear();
            n = ring.drain(burst, burst.capacity());
            if (n > 0) {
                memory.release(burst, 0, n);
                counters.add(TransmitCounter.TAKEN, n);
                counters.add(TransmitCounter.SHUTDOWN_DROPS, n);
                dropped += n;
            }
        } while (n > 0);
        return dropped;
    }

    @Override
    public String roleName() {
        return roleName;
    }

    /** This worker's counters. */
    public CounterSet<TransmitCounter> counters() {
        return counters;
    }

    /** This worker's sink. */
    public Sink sink() {
        return sink;
    }
}
