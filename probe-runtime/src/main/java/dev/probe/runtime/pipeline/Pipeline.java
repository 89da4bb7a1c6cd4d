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
import dev.probe.spi.SinkFactory;
import dev.probe.spi.SinkFailure;

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
 * <p>Built, started, stopped and closed by one controlling thread; {@link #snapshot()} may be called by
 * any thread.
 */
public final class Pipeline implements AutoCloseable {
    private final RuntimeSettings settings;
    private final CaptureSource source;
    private final CaptureBudget budget;
    private final List<SpmcPacketRing> rings = new ArrayList<>();
    private final List<ReceiveWorker> receivers = new ArrayList<>();
    private final List<List<TransmitWorker>> transmitters = new ArrayList<>();
    private final List<AgentRunner> receiveRunners = new ArrayList<>();
    private final List<AgentRunner> transmitRunners = new ArrayList<>();
    private final List<List<AgentRunner>> transmitRunnersByRing = new ArrayList<>();
    /** How much longer than the shutdown timeout a worker stuck in a slow call is waited for. */
    public static final Duration STUCK_WORKER_GRACE = Duration.ofSeconds(10);

    private final long createdNanos = System.nanoTime();
    private boolean closed;
    private boolean abandoned;

    /**
     * Creates the rings and workers and one sink per transmit worker (connecting each).
     *
     * @throws ProbeException when a sink cannot be created; whatever was created is closed
     */
    @Inject
    public Pipeline(final RuntimeSettings settings, final Config config, final CaptureSource source,
                    final SinkFactory sinks, final Map<String, Provider<IdleStrategy>> idleStrategies) {
        this.settings = settings;
        this.source = source;
        this.budget = new CaptureBudget(settings.maxPackets());
        try {
            final List<? extends ReceiveQueue> queues = source.queues();
            settings.checkAgainstQueues(config, queues.size());
            int txIndex = 0;
            for (final ReceiveQueue queue : queues) {
                final SpmcPacketRing ring = new SpmcPacketRing(settings.ringSize());
                rings.add(ring);
                final ReceiveWorker receiver = new ReceiveWorker(queue, source.memory(), ring,
                        settings.receiveBurstSize(), settings.burstMaxRepeats(), budget, source.isLive());
                receivers.add(receiver);
                receiveRunners.add(new AgentRunner(receiver, idleStrategies.get(settings.receiveIdleStrategy()).get(),
                        core(settings.receiveCores(), queue.id())));
                final List<TransmitWorker> workers = new ArrayList<>();
                final List<AgentRunner> runners = new ArrayList<>();
                for (int w = 0; w < settings.workersPerRing(); w++) {
                    final String name = "tx-" + queue.id() + "-" + w;
                    final Sink sink = sinks.create(name);
                    final TransmitWorker worker = new TransmitWorker(ring, source.memory(), sink,
                            settings.transmitBurstSize(), name);
                    workers.add(worker);
                    runners.add(new AgentRunner(worker, idleStrategies.get(settings.transmitIdleStrategy()).get(),
                            core(settings.transmitCores(), txIndex++)));
                }
                transmitters.add(workers);
                transmitRunnersByRing.add(runners);
                transmitRunners.addAll(runners);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static int core(final List<Integer> cores, final int index) {
        return cores.isEmpty() ? -1 : cores.get(index);
    }

    /** Starts every worker thread: transmit workers first, so rings drain from the first packet. */
    public void start() {
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

    /** The first unexpected failure of any worker thread, or null. */
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

    /**
     * Stops cleanly, within {@code timeout}: the receive workers stop polling and hand what they hold to
     * their rings, the transmit workers drain the rings, the sinks flush; whatever is left then is
     * dropped and counted ({@code shutdown}, {@code sink-shutdown}); the sinks and the source close.
     * Controlling thread.
     *
     * <p>A transmit worker inside a slow {@code send} may outlast the timeout by its sink's own bound:
     * it is waited for up to {@link #STUCK_WORKER_GRACE} more. A worker thread still running after that
     * is reported and the source and sinks are left open, since freeing memory a thread may still read
     * would be worse than leaking it.
     *
     * @return true when everything captured was delivered, or dropped for a reason other than the stop
     */
    public boolean stop(final Duration timeout) throws InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        final long lastChance = deadline + STUCK_WORKER_GRACE.toNanos();
        receivers.forEach(ReceiveWorker::finish);
        awaitAll(receiveRunners, deadline);
        receiveRunners.forEach(AgentRunner::stop);
        final boolean receiversStopped = awaitAll(receiveRunners, lastChance);

        for (int q = 0; q < rings.size(); q++) {
            final List<AgentRunner> ringRunners = transmitRunnersByRing.get(q);
            while (rings.get(q).depth() > 0 && System.nanoTime() < deadline
                    && ringRunners.stream().anyMatch(r -> !r.isTerminated())) {
                Thread.sleep(1);
            }
        }
        transmitRunners.forEach(AgentRunner::stop);
        final boolean transmittersStopped = awaitAll(transmitRunners, lastChance);
        if (!receiversStopped || !transmittersStopped) {
            abandoned = true;
            return false;
        }

        boolean clean = receivers.stream().allMatch(r -> r.counters().get(ReceiveCounter.SHUTDOWN_DROPS) == 0);
        for (final List<TransmitWorker> workers : transmitters) {
            for (final TransmitWorker worker : workers) {
                clean &= worker.dropRemaining() == 0;
            }
        }
        for (final List<TransmitWorker> workers : transmitters) {
            for (final TransmitWorker worker : workers) {
                clean &= worker.sink().flush(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            }
        }
        close();
        return clean;
    }

    /** Names of worker threads that did not stop; empty unless {@link #stop} gave up on one. */
    public List<String> stuckWorkers() {
        final List<String> stuck = new ArrayList<>();
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

    private static boolean awaitAll(final List<AgentRunner> runners, final long deadline) throws InterruptedException {
        boolean all = true;
        for (final AgentRunner runner : runners) {
            all &= runner.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        return all;
    }

    /**
     * Closes the sinks and the source; idempotent. Counts packets still in a sink as sink-shutdown. Does
     * nothing once {@link #stop} has given up on a stuck worker thread.
     */
    @Override
    public void close() {
        if (closed || abandoned) {
            return;
        }
        closed = true;
        receiveRunners.forEach(AgentRunner::stop);
        transmitRunners.forEach(AgentRunner::stop);
        for (final List<TransmitWorker> workers : transmitters) {
            for (final TransmitWorker worker : workers) {
                worker.sink().close();
            }
        }
        source.close();
    }

    /**
     * Reads every counter into a consistent-enough snapshot: downstream counters are read before
     * upstream ones, so each stage's in-flight count is never negative. Any thread.
     */
    public Snapshot snapshot() {
        final long now = System.nanoTime();
        final List<Snapshot.Queue> queues = new ArrayList<>();
        for (int q = 0; q < receivers.size(); q++) {
            final List<Snapshot.Worker> workers = new ArrayList<>();
            for (final TransmitWorker worker : transmitters.get(q)) {
                final Map<SinkFailure, Long> failed = worker.sink().counters().failedByReason();
                final long delivered = worker.sink().counters().delivered();
                final long bytes = worker.sink().counters().bytesDelivered();
                final long sent = worker.sink().counters().sent();
                final long shutdownDrops = worker.counters().get(TransmitCounter.SHUTDOWN_DROPS);
                final long sendFailed = worker.counters().get(TransmitCounter.SEND_FAILED);
                final long taken = worker.counters().get(TransmitCounter.TAKEN);
                workers.add(new Snapshot.Worker(worker.roleName(), taken, shutdownDrops, sendFailed, sent, delivered, bytes, failed));
            }
            final SpmcPacketRing ring = rings.get(q);
            final long dequeued = ring.dequeued();
            final long enqueued = ring.enqueued();
            final CounterSet<ReceiveCounter> rc = receivers.get(q).counters();
            final long ringFull = rc.get(ReceiveCounter.RING_FULL);
            final long shutdownDrops = rc.get(ReceiveCounter.SHUTDOWN_DROPS);
            final long packets = rc.get(ReceiveCounter.PACKETS);
            queues.add(new Snapshot.Queue(q, packets, rc.get(ReceiveCounter.BURSTS), rc.get(ReceiveCounter.FULL_BURSTS),
                    rc.get(ReceiveCounter.REPEATS), ringFull, shutdownDrops, enqueued, dequeued, workers));
        }
        return new Snapshot(now - createdNanos, source.description(), new LinkedHashMap<>(source.drops()),
                new LinkedHashMap<>(source.details()), queues);
    }
}
