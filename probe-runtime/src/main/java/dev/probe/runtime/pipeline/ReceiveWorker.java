package dev.probe.runtime.pipeline;

import dev.probe.api.PacketBurst;
import dev.probe.api.ProbeException;
import dev.probe.runtime.agent.Agent;
import dev.probe.spi.PacketMemory;
import dev.probe.spi.ReceiveQueue;

/**
 * Polls one receive queue for bursts and puts the packets on the queue's transmit ring. When a poll
 * returns a full burst it polls again at once, up to {@code burst-max-repeats} times. From a live
 * source, a full ring drops the packets that do not fit, releases them and counts them as
 * {@link ReceiveCounter#RING_FULL}: this worker never blocks. From a source that waits to be read (a
 * file), it polls only as many packets as the ring has room for, and once the ring is full it polls again
 * only when half of the ring is free: refilling after every transmit burst would spend its idle strategy's
 * spins and yields once per few hundred packets instead of once per half ring. Allocates nothing per
 * packet or per burst.
 *
 * <p>Runs on its own thread; its counters are read by the stats thread.
 */
public final class ReceiveWorker implements Agent {
    private final ReceiveQueue queue;
    private final PacketMemory memory;
    private final SpmcPacketRing ring;
    private final PacketBurst burst;
    private final int maxRepeats;
    private final CaptureBudget budget;
    private final boolean live;
    private final CounterSet<ReceiveCounter> counters = new CounterSet<>(ReceiveCounter.class);
    private final String roleName;
    /** From a source that is not live: the first packet of {@link #burst} not yet on the ring. */
    private int pending;
    /** From a source that is not live: the ring filled up, and no poll happens until half of it is free. */
    private boolean refillAtHalf;
    private volatile boolean done;
    private volatile boolean finishing;
    private volatile ProbeException inputError;

    /**
     * @param budget the run's remaining packet allowance, shared by all receive workers
     * @param live whether the source drops what is not read in time (then a full ring drops and counts);
     *        otherwise the worker polls no more than the ring has room for
     */
    public ReceiveWorker(final ReceiveQueue queue, final PacketMemory memory, final SpmcPacketRing ring,
                         final int burstSize, final int maxRepeats, final CaptureBudget budget,
                         final boolean live) {
        this.live = live;
        this.queue = queue;
        this.memory = memory;
        this.ring = ring;
        this.burst = new PacketBurst(burstSize);
        this.maxRepeats = maxRepeats;
        this.budget = budget;
        this.roleName = "rx-" + queue.id();
    }

    @Override
    public void onStart() {
        queue.onStart();
    }

    @Override
    public int doWork() {
        if (pending < burst.size()) {
            // Slots a consumer has claimed but not yet copied out: try the rest of the burst again.
            pending += ring.offer(burst, pending);
            if (pending < burst.size()) {
                return 0;
            }
        }
        if (finishing) {
            done = true;
            return 0;
        }
        if (refillAtHalf) {
            if (ring.remainingCapacity() < ring.capacity() / 2) {
                return 0;
            }
            refillAtHalf = false;
        }
        int moved = 0;
        for (int attempt = 0; attempt <= maxRepeats; attempt++) {
            final int wanted = live ? burst.capacity() : Math.min(burst.capacity(), ring.remainingCapacity());
            if (wanted == 0) {
                refillAtHalf = true;
                return moved;
            }
            final int allowed = budget.claim(wanted);
            if (allowed == 0) {
                done = budget.isSpent();
                return moved;
            }
            burst.clear();
            pending = 0;
            burst.limit(allowed);
            final int received;
            try {
                received = queue.poll(burst);
            } catch (ProbeException e) {
                budget.refund(allowed);
                inputError = e;
                done = true;
                return moved;
            }
            budget.refund(allowed - Math.max(received, 0));
            budget.captured(Math.max(received, 0));
            if (received == ReceiveQueue.END_OF_INPUT) {
                done = true;
                return moved;
            }
            if (received == 0) {
                break;
            }
            counters.add(ReceiveCounter.PACKETS, received);
            counters.add(ReceiveCounter.BURSTS, 1);
            if (attempt > 0) {
                counters.add(ReceiveCounter.REPEATS, 1);
            }
            final int enqueued = ring.offer(burst, 0);
            moved += received;
            pending = enqueued;
            if (enqueued < received) {
                if (!live) {
                    return moved;
                }
                memory.release(burst, enqueued, received - enqueued);
                counters.add(ReceiveCounter.RING_FULL, received - enqueued);
                pending = received;
            }
            if (received < allowed || allowed < burst.capacity()) {
                break;
            }
            counters.add(ReceiveCounter.FULL_BURSTS, 1);
        }
        return moved;
    }

    /**
     * Asks the worker to stop polling; it still hands what it holds to its ring, then ends. Any thread.
     */
    public void finish() {
        finishing = true;
    }

    /** Releases and counts packets a stop left in the burst, not yet on the ring; then lets the queue clean up. */
    @Override
    public void onClose() {
        final int left = burst.size() - pending;
        if (left > 0) {
            memory.release(burst, pending, left);
            counters.add(ReceiveCounter.SHUTDOWN_DROPS, left);
            pending = burst.size();
        }
        queue.onStop();
    }

    @Override
    public boolean isDone() {
        return done && pending == burst.size();
    }

    @Override
    public String roleName() {
        return roleName;
    }

    /** This worker's counters. */
    public CounterSet<ReceiveCounter> counters() {
        return counters;
    }

    /** The queue this worker polls. */
    public ReceiveQueue queue() {
        return queue;
    }

    /** The error that ended the input (a damaged file), or null. */
    public ProbeException inputError() {
        return inputError;
    }
}
