package dev.probe.runtime.pipeline;

import com.typesafe.config.Config;
import dev.probe.api.ProbeException;
import dev.probe.runtime.agent.AgentRunner;
import dev.probe.runtime.agent.IdleStrategy;
import dev.probe.runtime.config.RuntimeSettings;
import dev.probe.runtime.stats.Snapshot;
import dev.probe.spi.CaptureSource;
import dev.probe.spi.ReceiveQueue;
import dev.probe.spi.Sink;
import dev.probe.spi.SinkContext;
import dev.probe.spi.SinkFactory;

import jakarta.inject.Inject;
import jakarta.inject.Provider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The capture pipeline: one receive worker and one transmit ring per receive queue, and
 * {@code workers-per-ring} transmit workers per ring, each with its own sink.
 *
 * <p>Built, started and stopped by one controlling thread. There is one way to end it, {@link #stop},
 * which always completes: it lets the receive workers hand over what they hold, lets each transmit
 * worker drain its ring and then flush and close its own sink on its own thread, drops and counts what
 * the deadline left, and closes the source once no worker thread can touch it any more. An exception
 * from a sink or the source is kept and reported, and never keeps the other sinks or the source from
 * closing. Nothing closes the source under a running worker. {@link #snapshot()} and
 * {@link #shortenDeadline} may be called by any thread.
 */
public final class Pipeline {
    /** How much longer than the deadline a worker stuck in a slow call is waited for. */
    public static final Duration STUCK_WORKER_GRACE = Duration.ofSeconds(10);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final CaptureSource source;
    private final CaptureBudget budget;
    private final Duration shutdownTimeout;
    private final long stallNanos;
    private final List<BurstRing> rings = new ArrayList<>();
    private final List<ReceiveWorker> receivers = new ArrayList<>();
    private final List<List<TransmitWorker>> transmitters = new ArrayList<>();
    private final List<AgentRunner> receiveRunners = new ArrayList<>();
    private final List<List<AgentRunner>> transmitRunnersByRing = new ArrayList<>();
    private final List<AgentRunner> transmitRunners = new ArrayList<>();
    private final List<String> closeErrors = new ArrayList<>();
    private final long createdNanos = System.nanoTime();
    private volatile long deadline = TransmitWorker.NO_DEADLINE;
    private volatile boolean stopping;
    private boolean started;
    private boolean stopped;

    /**
     * Creates the rings and workers and one sink per transmit worker (each connects before this
     * returns). Controlling thread.
     *
     * @param idleStrategies a fresh idle strategy of the given name (busy-spin, backoff, sleep) per call
     * @throws ProbeException when a sink cannot be created; the sinks created so far and the source are
     *         closed before it is thrown
     */
    @Inject
    public Pipeline(final RuntimeSettings settings, final Config config, final CaptureSource source,
                    final SinkFactory sinks, final Map<String, Provider<IdleStrategy>> idleStrategies) {
        this.source = source;
        this.budget = new CaptureBudget(settings.maxPackets());
        this.shutdownTimeout = settings.shutdownTimeout();
        this.stallNanos = sinks.deliveryTimeout().toNanos();
        try {
            final List<? extends ReceiveQueue> queues = source.queues();
            settings.checkAgainstQueues(config, queues.size());
            final long captureStart = source.firstTimestampNanos().orElseGet(Pipeline::epochNanosNow);
            int txIndex = 0;
            for (final ReceiveQueue queue : queues) {
                final BurstRing ring = new BurstRing(settings.ringSize(), settings.receiveBurstSize());
                rings.add(ring);
                final ReceiveWorker receiver = new ReceiveWorker(queue, source.memory(), ring,
                        settings.burstMaxRepeats(), budget, source.isLive());
                receivers.add(receiver);
                receiveRunners.add(new AgentRunner(receiver, idleStrategies.get(settings.receiveIdleStrategy()).get(),
                        core(settings.receiveCores(), queue.id())));
                final List<TransmitWorker> workers = new ArrayList<>();
                final List<AgentRunner> runners = new ArrayList<>();
                transmitters.add(workers);
                transmitRunnersByRing.add(runners);
                for (int w = 0; w < settings.workersPerRing(); w++) {
                    final String name = "tx-" + queue.id() + "-" + w;
                    final Sink sink = sinks.create(new Context(name, source.isLive(), source.linkType(), captureStart,
                            settings.tickInterval()));
                    final TransmitWorker worker = new TransmitWorker(ring, source.memory(), sink,
                            settings.transmitBurstSize(), name, settings.tickInterval());
                    workers.add(worker);
                    final AgentRunner runner = new AgentRunner(worker,
                            idleStrategies.get(settings.transmitIdleStrategy()).get(), core(settings.transmitCores(), txIndex++));
                    runners.add(runner);
                    transmitRunners.add(runner);
                }
            }
        } catch (RuntimeException e) {
            transmitters.forEach(ws -> ws.forEach(TransmitWorker::closeUnstarted));
            closeSource();
            throw e;
        }
    }

    private static long epochNanosNow() {
        final java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static int core(final List<Integer> cores, final int index) {
        return cores.isEmpty() ? -1 : cores.get(index);
    }

    /** Starts every worker thread: transmit workers first, so rings drain from the first packet. */
    public void start() {
        if (started) {
            throw new IllegalStateException("pipeline already started");
        }
        started = true;
        transmitRunners.forEach(AgentRunner::start);
        receiveRunners.forEach(AgentRunner::start);
    }

    /** Whether every receive worker has stopped: inputs ended, the budget is spent, or one failed. */
    public boolean receiversFinished() {
        return receiveRunners.stream().allMatch(AgentRunner::isTerminated);
    }

    /** The first damaged-input error a receive worker met, or null. */
    public ProbeException inputError() {
        return receivers.stream().map(ReceiveWorker::inputError).filter(e -> e != null).findFirst().orElse(null);
    }

    /** The first unexpected failure of a worker thread (not a sink's exception), or null. */
    public Throwable workerFailure() {
        for (final AgentRunner runner : receiveRunners) {
            if (runner.failure() != null) {
                return runner.failure();
            }
        }
        for (final AgentRunner runner : transmitRunners) {
            if (runner.failure() != null) {
                return runner.failure();
            }
        }
        return null;
    }

    /** The first exception each sink threw, in worker order; empty when every sink behaved. */
    public List<SinkError> sinkErrors() {
        final List<SinkError> errors = new ArrayList<>();
        transmitters.forEach(ws -> ws.forEach(w -> {
            if (w.sinkError() != null) {
                errors.add(w.sinkError());
            }
        }));
        return errors;
    }

    /** Errors the source's close reported; empty normally. */
    public List<String> closeErrors() {
        return List.copyOf(closeErrors);
    }

    /**
     * Stops, always completing: the receive workers stop polling and hand what they hold to their rings;
     * each transmit worker drains its ring, then flushes and closes its sink on its own thread; whatever
     * {@code deadlineNanos} leaves on a ring is dropped and counted ({@code shutdown}); the source closes.
     * With {@link TransmitWorker#NO_DEADLINE} everything captured is delivered or failed by the sinks,
     * bounded by each sink's own delivery timeout; {@link #shortenDeadline} can bound it later.
     * Controlling thread; called once.
     *
     * <p>A worker still stuck in a slow call {@link #STUCK_WORKER_GRACE} after the deadline is reported by
     * {@link #stuckWorkers()}, and the source is then left open: freeing memory a thread may still read
     * would be worse than leaking it.
     *
     * @param deadlineNanos a {@link System#nanoTime()} time, or {@link TransmitWorker#NO_DEADLINE}
     * @return true when the deadline dropped nothing
     */
    public boolean stop(final long deadlineNanos) throws InterruptedException {
        if (stopped) {
            throw new IllegalStateException("pipeline already stopped");
        }
        stopped = true;
        stopping = true;
        shortenDeadline(deadlineNanos);
        if (!started) {
            transmitters.forEach(ws -> ws.forEach(TransmitWorker::closeUnstarted));
            closeSource();
            return true;
        }
        receivers.forEach(ReceiveWorker::finish);
        await(receiveRunners, false);
        receiveRunners.forEach(AgentRunner::stop);
        final boolean receiversStopped = await(receiveRunners, true);
        for (int q = 0; q < rings.size(); q++) {
            if (receiveRunners.get(q).isTerminated()) {
                transmitters.get(q).forEach(TransmitWorker::upstreamDone);
            }
        }
        final boolean transmittersStopped = await(transmitRunners, true);

        for (int q = 0; q < rings.size(); q++) {
            if (transmitRunnersByRing.get(q).stream().allMatch(AgentRunner::isTerminated)) {
                transmitters.get(q).get(0).dropRemaining();
            }
        }
        // What the deadline dropped: bursts left on the rings, and the rest of a burst a worker held.
        final boolean clean = transmitters.stream().flatMap(List::stream)
                .allMatch(w -> w.counters().get(TransmitCounter.SHUTDOWN_DROPS) == 0);
        if (receiversStopped && transmittersStopped) {
            closeSource();
        }
        return clean;
    }

    /**
     * Brings the stop's deadline forward (a signal during a drain without deadline); any thread. A
     * deadline later than the current one changes nothing.
     */
    public void shortenDeadline(final long deadlineNanos) {
        final long current = deadline;
        if (current == TransmitWorker.NO_DEADLINE || deadlineNanos != TransmitWorker.NO_DEADLINE && deadlineNanos - current < 0) {
            deadline = deadlineNanos;
        }
        if (stopping) {
            transmitters.forEach(ws -> ws.forEach(w -> w.finish(deadline)));
        }
    }

    /**
     * Waits for {@code runners} to end: until the deadline, or with {@code grace} until
     * {@link #STUCK_WORKER_GRACE} after it. An open-ended wait (no deadline) is bounded by
     * {@code probe.shutdown.timeout} once a sink has thrown, or once nothing has moved for the sink's
     * delivery timeout: a broken or stalled sink may never resolve what it holds.
     */
    private boolean await(final List<AgentRunner> runners, final boolean grace) throws InterruptedException {
        long progress = progress();
        long lastMove = System.nanoTime();
        for (final AgentRunner runner : runners) {
            while (!runner.awaitTermination(POLL_NANOS, TimeUnit.NANOSECONDS)) {
                final long now = System.nanoTime();
                final long d = deadline;
                if (d == TransmitWorker.NO_DEADLINE) {
                    final long p = progress();
                    if (p != progress) {
                        progress = p;
                        lastMove = now;
                    }
                    if (!sinkErrors().isEmpty() || now - lastMove > stallNanos) {
                        shortenDeadline(now + shutdownTimeout.toNanos());
                    }
                    continue;
                }
                final long limit = grace ? d + STUCK_WORKER_GRACE.toNanos() : d;
                if (now - limit >= 0) {
                    break;
                }
            }
        }
        return runners.stream().allMatch(AgentRunner::isTerminated);
    }

    /** A number that grows whenever a packet moves anywhere: taken, enqueued, delivered or failed. */
    private long progress() {
        long total = 0;
        for (int q = 0; q < rings.size(); q++) {
            total += rings.get(q).enqueued();
            for (final TransmitWorker w : transmitters.get(q)) {
                total += w.counters().get(TransmitCounter.TAKEN) + w.sink().counters().delivered()
                        + w.sink().counters().failed();
            }
        }
        return total;
    }

    private void closeSource() {
        try {
            source.close();
        } catch (Throwable t) {
            if (t instanceof VirtualMachineError fatal) {
                throw fatal;
            }
            closeErrors.add("closing " + source.description() + " failed: " + t);
        }
    }

    /** Names of worker threads that did not stop; empty unless {@link #stop} gave up on one. */
    public List<String> stuckWorkers() {
        final List<String> stuck = new ArrayList<>();
        if (!started) {
            return stuck;
        }
        for (final AgentRunner runner : receiveRunners) {
            if (!runner.isTerminated()) {
                stuck.add(runner.agent().roleName());
            }
        }
        for (final AgentRunner runner : transmitRunners) {
            if (!runner.isTerminated()) {
                stuck.add(runner.agent().roleName());
            }
        }
        return stuck;
    }

    /** Whether the source is live (see {@link CaptureSource#isLive()}). */
    public boolean sourceIsLive() {
        return source.isLive();
    }

    /**
     * Reads every counter into a snapshot: downstream counters are read before upstream ones, each with
     * acquire ordering, so each stage's in-flight count is never negative. Any thread; allocates.
     */
    public Snapshot snapshot() {
        final long now = System.nanoTime();
        final List<Snapshot.Queue> queues = new ArrayList<>();
        for (int q = 0; q < receivers.size(); q++) {
            final List<Snapshot.Worker> workers = new ArrayList<>();
            for (final TransmitWorker worker : transmitters.get(q)) {
                workers.add(Snapshot.Worker.read(worker));
            }
            final BurstRing ring = rings.get(q);
            final long dequeued = ring.dequeued();
            final long enqueued = ring.enqueued();
            final CounterSet<ReceiveCounter> rc = receivers.get(q).counters();
            final long ringFull = rc.get(ReceiveCounter.RING_FULL);
            final long packets = rc.get(ReceiveCounter.PACKETS);
            queues.add(new Snapshot.Queue(q, packets, rc.get(ReceiveCounter.BURSTS), rc.get(ReceiveCounter.FULL_BURSTS),
                    rc.get(ReceiveCounter.REPEATS), ringFull, enqueued, dequeued, ring.capacity(), workers));
        }
        return new Snapshot(now - createdNanos, source.description(), new LinkedHashMap<>(source.drops()),
                new LinkedHashMap<>(source.details()), queues);
    }

    /** The {@link SinkContext} of one transmit worker. */
    private record Context(String workerName, boolean sourceIsLive, int linkType, long captureStartNanos,
                           Duration tickInterval) implements SinkContext {
    }
}
