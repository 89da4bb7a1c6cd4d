package dev.probe.runtime.pipeline;

import dev.probe.api.PacketBurst;
import dev.probe.api.ProbeException;
import dev.probe.runtime.agent.Agent;
import dev.probe.spi.PacketMemory;
import dev.probe.spi.ReceiveQueue;

/**
 * Polls one receive queue straight into the bursts of its transmit ring and publishes them. When a poll
 * returns all it asked for it polls again at once, up to {@code burst-max-repeats} times.
 *
 * <p>A burst is published as soon as a poll put packets in it, unless the ring's consumers still have
 * bursts waiting: then the worker keeps adding to it until it is full, or until the consumers have taken
 * every other burst, so that a ring that fills up while its consumers lag holds full bursts. The held
 * packets wait no longer than the consumers would anyway, give or take one idle period of this worker.
 *
 * <p>From a live source, a full ring drops: the worker polls into a burst of its own, releases what it
 * got and counts it as {@link ReceiveCounter#RING_FULL}, so it never blocks. From a source that waits to
 * be read (a file), it polls only into free slots of the ring, and once the ring is full it polls again
 * only when half of the ring is free: refilling after every transmit burst would spend its idle
 * strategy's spins and yields once per burst instead of once per half ring. Allocates nothing per packet
 * or per burst.
 *
 * <p>Runs on its own thread; its counters are read by the stats thread.
 */
public final class ReceiveWorker implements Agent {
    private final ReceiveQueue queue;
    private final PacketMemory memory;
    private final BurstRing ring;
    /** Where a live source's packets go when the ring is full, to be released and counted. */
    private final PacketBurst overflow;
    private final int maxRepeats;
    private final CaptureBudget budget;
    private final boolean live;
    private final CounterSet<ReceiveCounter> counters = new CounterSet<>(ReceiveCounter.class);
    private final String roleName;
    /** The ring's tail burst, claimed and being filled, not yet published; or null. Worker thread only. */
    private PacketBurst held;
    /** From a source that is not live: the ring filled up, and no poll happens until half of it is free. */
    private boolean refillAtHalf;
    private volatile boolean done;
    private volatile boolean finishing;
    private volatile ProbeException inputError;

    /**
     * @param ring the ring this worker fills; its bursts hold as many packets as one poll returns
     * @param budget the run's remaining packet allowance, shared by all receive workers
     * @param live whether the source drops what is not read in time (then a full ring drops and counts);
     *        otherwise the worker polls only into free slots of the ring
     */
    public ReceiveWorker(final ReceiveQueue queue, final PacketMemory memory, final BurstRing ring,
                         final int maxRepeats, final CaptureBudget budget, final boolean live) {
        this.live = live;
        this.queue = queue;
        this.memory = memory;
        this.ring = ring;
        this.overflow = new PacketBurst(ring.burstSize());
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
        if (holdsPackets() && ring.waiting() == 0) {
            publish(); // the consumers took everything else: hand over what was being topped up
        }
        if (finishing) {
            end();
            return 0;
        }
        if (refillAtHalf) {
            if (ring.freeSlots() < ring.slots() / 2) {
                return 0;
            }
            refillAtHalf = false;
        }
        int moved = 0;
        for (int attempt = 0; attempt <= maxRepeats; attempt++) {
            PacketBurst target = held;
            if (target == null) {
                target = ring.claim();
                if (target != null) {
                    target.clear();
                    held = target;
                } else if (live) {
                    target = overflow;
                    target.clear();
                } else {
                    refillAtHalf = true;
                    return moved;
                }
            }
            final int room = target.capacity() - target.size();
            final int allowed = budget.claim(room);
            if (allowed == 0) {
                if (budget.isSpent()) {
                    end();
                }
                return moved;
            }
            target.limit(target.size() + allowed);
            final int received;
            try {
                received = queue.poll(target);
            } catch (ProbeException e) {
                budget.refund(allowed);
                inputError = e;
                end();
                return moved;
            }
            budget.refund(allowed - Math.max(received, 0));
            budget.captured(Math.max(received, 0));
            if (received == ReceiveQueue.END_OF_INPUT) {
                end();
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
            moved += received;
            if (target == overflow) {
                memory.release(overflow, 0, received);
                counters.add(ReceiveCounter.RING_FULL, received);
            } else if (target.size() == target.capacity() || ring.waiting() == 0) {
                publish();
            }
            if (received < allowed || allowed < room) {
                break;
            }
            counters.add(ReceiveCounter.FULL_BURSTS, 1);
        }
        return moved;
    }

    private void publish() {
        ring.publish();
        held = null;
    }

    /** Whether a burst being topped up holds packets not yet published. */
    private boolean holdsPackets() {
        return held != null && held.size() > 0;
    }

    /** Publishes what is held and ends. */
    private void end() {
        if (holdsPackets()) {
            publish();
        }
        done = true;
    }

    /**
     * Asks the worker to stop polling; it still publishes the burst it holds, then ends. Any thread.
     */
    public void finish() {
        finishing = true;
    }

    /**
     * Publishes what is still held (when the worker's loop ended without {@link #finish}, or by an
     * exception), then lets the queue clean up.
     */
    @Override
    public void onClose() {
        if (holdsPackets()) {
            publish();
        }
        queue.onStop();
    }

    @Override
    public boolean isDone() {
        return done;
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
