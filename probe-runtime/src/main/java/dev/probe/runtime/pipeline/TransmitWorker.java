package dev.probe.runtime.pipeline;

import dev.probe.api.PacketBurst;
import dev.probe.runtime.agent.Agent;
import dev.probe.spi.PacketMemory;
import dev.probe.spi.Sink;

import java.time.Duration;

/**
 * Drains one transmit ring into its own sink: takes the ring's bursts one at a time and hands each to
 * the sink in place, as a read-only batch of no more packets than the sink accepts
 * ({@link Sink#available()}, asked before every send), then releases them to the source. A burst the
 * sink had room for only in part is finished by later sends. A round moves whole bursts until
 * {@code roundPackets} have moved, then the worker looks at the clock and its stop signal again. When
 * the sink is saturated the worker takes nothing, so pressure shows up as ring depth and, from a live
 * source, as counted ring-full drops. Calls {@link Sink#tick()} at least every tick interval.
 *
 * <p>Every sink call is isolated: an exception is kept as the worker's {@link #sinkError()}, the packets
 * the sink had not accounted for are counted ({@link TransmitCounter#SINK_ERROR_UNSENT}), and the worker
 * takes nothing more from its ring. At stop ({@link #finish}) the worker, on its own thread, drains its
 * ring until its receive worker is done and the ring is empty (or the deadline passes), then flushes
 * and closes its sink, whatever the sink threw before; anything the sink leaves unresolved is counted
 * ({@link TransmitCounter#SINK_ERROR_UNRESOLVED}).
 *
 * <p>Runs on its own thread; {@link #finish}, {@link #upstreamDone()} and the counters are used by the
 * controlling and stats threads.
 */
public final class TransmitWorker implements Agent {
    /** A deadline that never passes: drain everything (a finite input that ended). */
    public static final long NO_DEADLINE = Long.MAX_VALUE;
    /** Longest single flush call, so that a deadline shortened meanwhile is seen soon. */
    private static final long FLUSH_SLICE_NANOS = Duration.ofMillis(50).toNanos();

    private final BurstRing ring;
    private final PacketMemory memory;
    private final Sink sink;
    private final BurstView view;
    /** Most packets moved to the sink in one {@link #doWork} round. */
    private final int roundPackets;
    private final String roleName;
    private final long tickIntervalNanos;
    private final CounterSet<TransmitCounter> counters = new CounterSet<>(TransmitCounter.class);
    private long nextTick;
    /** Whether the sink threw; then the worker takes nothing more. Worker thread only. */
    private boolean broken;
    /**
     * The burst taken from the ring and not yet wholly sent, or null; its position and how many of its
     * packets the sink has had. Worker thread only.
     */
    private PacketBurst held;
    private long heldPosition;
    private int heldSent;

    private volatile boolean finishing;
    private volatile long deadline = NO_DEADLINE;
    private volatile boolean upstreamDone;
    private volatile boolean done;
    private volatile SinkError sinkError;

    /**
     * @param roundPackets the most packets one round moves to the sink: whole bursts while fewer than
     *        this have moved, at least one
     * @param roleName such as {@code tx-0-1}: ring 0, worker 1
     * @param tickInterval the longest time between two {@link Sink#tick()} calls
     */
    public TransmitWorker(final BurstRing ring, final PacketMemory memory, final Sink sink,
                          final int roundPackets, final String roleName, final Duration tickInterval) {
        this.ring = ring;
        this.memory = memory;
        this.sink = sink;
        this.roundPackets = roundPackets;
        this.view = new BurstView(memory);
        this.roleName = roleName;
        this.tickIntervalNanos = tickInterval.toNanos();
    }

    @Override
    public void onStart() {
        // Libraries a plugin bundles may look classes up through the context class loader.
        Thread.currentThread().setContextClassLoader(sink.getClass().getClassLoader());
        memory.onThreadStart();
        nextTick = System.nanoTime() + tickIntervalNanos;
    }

    @Override
    public void onClose() {
        memory.onThreadStop();
    }

    @Override
    public int doWork() {
        final long now = System.nanoTime();
        if (now - nextTick >= 0) {
            nextTick = now + tickIntervalNanos;
            tick();
        }
        final boolean pastDeadline = finishing && deadlinePassed(now);
        int moved = 0;
        if (!broken && !pastDeadline && (held != null || ring.waiting() > 0)) {
            moved = transmit();
        }
        if (finishing && (broken || pastDeadline || upstreamDone && held == null && ring.waiting() == 0)) {
            finishSink();
        }
        return moved;
    }

    private boolean deadlinePassed(final long now) {
        final long d = deadline;
        return d != NO_DEADLINE && now - d >= 0;
    }

    /**
     * One round: hands the sink whole bursts, or the part of a burst it has room for, asking it for room
     * before each send, until it has none, the ring is empty or {@link #roundPackets} have moved.
     */
    private int transmit() {
        int moved = 0;
        while (moved < roundPackets) {
            final int room;
            try {
                room = sink.available();
            } catch (Throwable t) {
                failed("available", t);
                break;
            }
            if (room <= 0 || held == null && !takeBurst()) {
                break;
            }
            final int n = Math.min(room, held.size() - heldSent);
            view.wrap(held, heldSent, n);
            final long sentBefore = sink.counters().sent();
            try {
                sink.send(view);
            } catch (Throwable t) {
                counters.add(TransmitCounter.SINK_ERROR_UNSENT, Math.max(0, n - (sink.counters().sent() - sentBefore)));
                failed("send", t);
            } finally {
                memory.release(held, heldSent, n);
                counters.add(TransmitCounter.BURSTS, 1);
            }
            heldSent += n;
            moved += n;
            if (broken) {
                dropHeld(TransmitCounter.SINK_ERROR_UNSENT);
                break;
            }
            if (heldSent == held.size()) {
                ring.release(heldPosition);
                held = null;
            }
        }
        return moved;
    }

    /** Takes the next non-empty burst off the ring into {@link #held}; false when the ring has none. */
    private boolean takeBurst() {
        while (true) {
            final long position = ring.take();
            if (position < 0) {
                return false;
            }
            final PacketBurst burst = ring.burst(position);
            if (burst.size() == 0) {
                ring.release(position);
                continue;
            }
            counters.add(TransmitCounter.TAKEN, burst.size());
            held = burst;
            heldPosition = position;
            heldSent = 0;
            return true;
        }
    }

    /** Releases the packets of {@link #held} not handed to the sink, counts them, and frees its slot. */
    private void dropHeld(final TransmitCounter reason) {
        final int left = held.size() - heldSent;
        if (left > 0) {
            memory.release(held, heldSent, left);
            counters.add(reason, left);
        }
        ring.release(heldPosition);
        held = null;
    }

    private void tick() {
        if (broken) {
            return;
        }
        try {
            sink.tick();
        } catch (Throwable t) {
            failed("tick", t);
        }
    }

    /** Flushes in slices until the sink is empty or the deadline passes, then closes it; worker thread. */
    private void finishSink() {
        if (held != null) {
            dropHeld(TransmitCounter.SHUTDOWN_DROPS);
        }
        try {
            while (true) {
                final long d = deadline;
                final long left = d == NO_DEADLINE ? FLUSH_SLICE_NANOS : Math.min(FLUSH_SLICE_NANOS, d - System.nanoTime());
                if (left <= 0 || sink.flush(Duration.ofNanos(left))) {
                    break;
                }
            }
        } catch (Throwable t) {
            failed("flush", t);
        }
        closeSink();
        done = true;
    }

    private void closeSink() {
        try {
            sink.close();
        } catch (Throwable t) {
            failed("close", t);
        }
        final long unresolved = sink.counters().inFlight() - counters.get(TransmitCounter.SINK_ERROR_UNRESOLVED);
        if (unresolved > 0) {
            counters.add(TransmitCounter.SINK_ERROR_UNRESOLVED, unresolved);
        }
    }

    private void failed(final String method, final Throwable t) {
        if (t instanceof VirtualMachineError fatal) {
            throw fatal;
        }
        broken = true;
        if (sinkError == null) {
            sinkError = new SinkError(roleName, method, t);
        }
    }

    /**
     * Asks the worker to stop once its ring is empty and {@link #upstreamDone()} was called, or once
     * {@code deadlineNanos} ({@link System#nanoTime()} time, or {@link #NO_DEADLINE}) has passed; it then
     * flushes and closes its sink on its own thread. A later call can only bring the deadline forward.
     * Controlling thread or a signal handler.
     */
    public void finish(final long deadlineNanos) {
        final long current = deadline;
        if (!finishing || current == NO_DEADLINE || deadlineNanos != NO_DEADLINE && deadlineNanos - current < 0) {
            deadline = deadlineNanos;
        }
        finishing = true;
    }

    /** Tells the worker that nothing more will be put on its ring. Controlling thread. */
    public void upstreamDone() {
        upstreamDone = true;
    }

    @Override
    public boolean isDone() {
        return done;
    }

    /**
     * When the worker's thread never ran (start-up failed): closes the sink on the calling thread.
     * Controlling thread.
     */
    void closeUnstarted() {
        closeSink();
        done = true;
    }

    /**
     * After the deadline, on the controlling thread once every worker of this ring has stopped: takes
     * what is left on the ring, releases it unsent and counts it.
     *
     * @return how many packets were dropped
     */
    long dropRemaining() {
        long dropped = 0;
        long position;
        while ((position = ring.take()) >= 0) {
            final PacketBurst burst = ring.burst(position);
            final int n = burst.size();
            if (n > 0) {
                memory.release(burst, 0, n);
                counters.add(TransmitCounter.TAKEN, n);
                counters.add(TransmitCounter.SHUTDOWN_DROPS, n);
                dropped += n;
            }
            ring.release(position);
        }
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

    /** The first exception the sink threw, or null. */
    public SinkError sinkError() {
        return sinkError;
    }
}
