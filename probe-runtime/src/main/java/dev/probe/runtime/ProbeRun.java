package dev.probe.runtime;

import com.typesafe.config.Config;
import dev.probe.api.ProbeException;
import dev.probe.runtime.config.RuntimeSettings;
import dev.probe.runtime.inject.ProbeComponent;
import dev.probe.runtime.pipeline.Pipeline;
import dev.probe.runtime.stats.Snapshot;
import dev.probe.runtime.stats.StatsFormatter;
import dev.probe.runtime.stats.SummaryJson;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One capture run from start to final summary: builds the pipeline, starts it, prints stats lines,
 * waits for a stop (end of input, {@code probe.stop.*}, or {@link #requestStop()}), shuts down cleanly
 * within {@code probe.shutdown.timeout}, and writes the summary.
 *
 * <p>{@link #execute()} runs on the calling thread; {@link #requestStop()} may be called from any thread
 * (a signal handler).
 */
public final class ProbeRun {
    /** How the run ended. */
    public enum Outcome {
        /** Every receive queue reached the end of its input. */
        END_OF_INPUT("end-of-input"),
        /** probe.stop.max-packets were captured. */
        MAX_PACKETS("max-packets"),
        /** probe.stop.duration elapsed. */
        DURATION("duration"),
        /** A stop was requested (SIGINT, SIGTERM). */
        STOP_REQUESTED("stop-requested"),
        /** The input was damaged; everything before the damage was delivered. */
        INPUT_ERROR("input-error"),
        /** A worker failed unexpectedly. */
        FAILED("failed");

        private final String label;

        Outcome(final String label) {
            this.label = label;
        }

        /** As written in the summary. */
        public String label() {
            return label;
        }
    }

    /**
     * The end of a run.
     *
     * @param snapshot the final counters
     * @param outcome how it ended
     * @param error the one-line error, or null
     * @param clean whether the shutdown delivered everything without dropping for the stop itself
     * @param userError whether the error is the user's to fix (exit status 2)
     */
    public record Result(Snapshot snapshot, Outcome outcome, String error, boolean clean, boolean userError) {
        /** 0 for a run that ended as asked, 2 for a user's error (damaged input, a bad core), 1 for a failure. */
        public int exitCode() {
            if (userError) {
                return 2;
            }
            return outcome == Outcome.FAILED ? 1 : 0;
        }
    }

    private final Config config;
    private final Path summaryFile;
    private final PrintStream out;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile boolean running;

    /**
     * @param config the effective configuration
     * @param summaryFile where to write the final JSON summary, or null
     * @param out where stats lines and the final summary go (standard error for the CLI)
     */
    public ProbeRun(final Config config, final Path summaryFile, final PrintStream out) {
        this.config = config;
        this.summaryFile = summaryFile;
        this.out = out;
    }

    /** Asks a running {@link #execute()} to stop cleanly. Any thread. */
    public void requestStop() {
        stopRequested.countDown();
    }

    /**
     * Waits until {@link #execute()} has opened the source and started every worker, or has failed to.
     * Any thread.
     *
     * @return true when the workers are running; false on timeout or when start-up failed
     */
    public boolean awaitStarted(final Duration timeout) throws InterruptedException {
        return started.await(timeout.toNanos(), TimeUnit.NANOSECONDS) && running;
    }

    /**
     * Runs until stopped.
     *
     * @throws ProbeException when the configuration, source or sink is unusable (before anything starts)
     */
    public Result execute() throws InterruptedException {
        try {
            return capture();
        } finally {
            running = false;
            started.countDown();
        }
    }

    private Result capture() throws InterruptedException {
        final ProbeComponent component = ProbeComponent.create(config);
        final RuntimeSettings settings = component.settings();
        final Pipeline pipeline = component.pipeline();
        final Snapshot first = pipeline.snapshot();
        out.println("probe: capturing from " + first.source() + " with " + first.queues().size()
                + " receive queue(s), " + settings.workersPerRing() + " transmit worker(s) per ring");
        pipeline.start();
        running = true;
        started.countDown();

        Outcome outcome = null;
        boolean clean = false;
        boolean stopped = false;
        try {
            outcome = awaitStop(pipeline, settings, new StatsFormatter());
            clean = pipeline.stop(settings.shutdownTimeout());
            stopped = true;
        } finally {
            if (!stopped) {
                // Something unexpected on this thread: still stop the workers and close what can be closed.
                pipeline.stop(Duration.ZERO);
            }
        }
        final Snapshot last = pipeline.snapshot();
        String error = null;
        boolean userError = false;
        if (outcome == Outcome.INPUT_ERROR) {
            error = pipeline.inputError().getMessage();
            userError = true;
        } else if (outcome == Outcome.FAILED) {
            final Throwable failure = pipeline.workerFailure();
            userError = failure instanceof ProbeException;
            error = userError ? failure.getMessage() : "a worker failed: " + failure;
            if (!userError) {
                failure.printStackTrace(out);
            }
        }
        if (!pipeline.stuckWorkers().isEmpty()) {
            out.println("probe: worker(s) " + pipeline.stuckWorkers() + " did not stop within probe.shutdown.timeout + "
                    + Pipeline.STUCK_WORKER_GRACE.toSeconds() + " s; the source was left open");
        }
        final Result result = new Result(last, outcome, error, clean, userError);
        printSummary(result, settings.shutdownTimeout());
        writeSummary(result);
        return result;
    }

    /** Prints stats lines until the run should stop; returns why. */
    private Outcome awaitStop(final Pipeline pipeline, final RuntimeSettings settings, final StatsFormatter formatter)
            throws InterruptedException {
        final long started = System.nanoTime();
        final long statsNanos = settings.statsInterval().toNanos();
        long nextStats = statsNanos > 0 ? started + statsNanos : Long.MAX_VALUE;
        final long deadline = settings.duration().isZero() ? Long.MAX_VALUE : started + settings.duration().toNanos();
        while (true) {
            final long now = System.nanoTime();
            final long wait = Math.min(Math.min(nextStats, deadline) - now, TimeUnit.MILLISECONDS.toNanos(20));
            if (stopRequested.await(Math.max(0, wait), TimeUnit.NANOSECONDS)) {
                return Outcome.STOP_REQUESTED;
            }
            if (pipeline.workerFailure() != null) {
                return Outcome.FAILED;
            }
            if (pipeline.receiversFinished()) {
                if (pipeline.inputError() != null) {
                    return Outcome.INPUT_ERROR;
                }
                return settings.maxPackets() > 0 && pipeline.snapshot().received() >= settings.maxPackets()
                        ? Outcome.MAX_PACKETS : Outcome.END_OF_INPUT;
            }
            if (System.nanoTime() >= deadline) {
                return Outcome.DURATION;
            }
            if (System.nanoTime() >= nextStats) {
                formatter.lines(pipeline.snapshot()).forEach(line -> out.println("stats " + line));
                nextStats += statsNanos;
            }
        }
    }

    private void printSummary(final Result result, final Duration shutdownTimeout) {
        final Snapshot s = result.snapshot();
        out.println("probe: stopped (" + result.outcome().label() + ") after "
                + String.format(java.util.Locale.ROOT, "%.1f", s.elapsedNanos() / 1e9) + " s");
        new StatsFormatter().lines(s).forEach(line -> out.println("summary " + line));
        if (!result.clean()) {
            out.println("probe: shutdown did not finish within " + shutdownTimeout.toMillis()
                    + " ms (probe.shutdown.timeout); what was left is counted as dropped");
        }
    }

    private void writeSummary(final Result result) {
        if (summaryFile == null) {
            return;
        }
        try {
            final Path parent = summaryFile.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(summaryFile, SummaryJson.render(result.snapshot(), result.outcome().label(), result.error()));
        } catch (IOException e) {
            throw new ProbeException("Cannot write summary file " + summaryFile + ": " + e.getMessage() + " (--summary)", e);
        }
    }
}
