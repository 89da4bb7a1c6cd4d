package dev.probe.runtime;

import com.typesafe.config.Config;
import dev.probe.api.ProbeException;
import dev.probe.runtime.config.RuntimeSettings;
import dev.probe.runtime.inject.ProbeComponent;
import dev.probe.runtime.metrics.MetricsServer;
import dev.probe.runtime.metrics.MetricsSettings;
import dev.probe.runtime.metrics.Readiness;
import dev.probe.runtime.pipeline.Pipeline;
import dev.probe.runtime.pipeline.SinkError;
import dev.probe.runtime.pipeline.TransmitWorker;
import dev.probe.runtime.plugin.Plugins;
import dev.probe.runtime.stats.Snapshot;
import dev.probe.runtime.stats.StatsFormat;
import dev.probe.runtime.stats.StatsFormatter;
import dev.probe.runtime.stats.SummaryJson;
import dev.probe.spi.CaptureSource;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One capture run from start to final summary: builds the pipeline, starts it, prints stats lines,
 * waits for a stop, stops, and writes the summary. Every way a run ends writes the {@code --summary}
 * file when one was asked for, with {@code outcome} and {@code error}: a start-up failure, a stop, an
 * internal error, and an abort by a second signal.
 *
 * <p>How it stops depends on why. The end of a finite input (a file) and {@code probe.stop.max-packets}
 * wait until every packet is delivered or failed, bounded by the sinks' own delivery timeouts; a stop
 * by signal, by {@code probe.stop.duration} or by a failure waits at most {@code probe.shutdown.timeout}
 * and counts what is left as dropped.
 *
 * <p>With {@code probe.metrics.port} set, the run serves {@code /metrics}, {@code /health} and
 * {@code /ready} from before the source opens until after the summary is written (see
 * {@link MetricsServer}). Stats lines and the summary are written in {@code probe.stats.format}.
 *
 * <p>{@link #execute()} runs on the calling thread; {@link #requestStop()}, {@link #abort} and
 * {@link #awaitStarted} may be called from any thread (a signal handler).
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
        /** A stop was requested (SIGINT, SIGTERM, SIGHUP). */
        STOP_REQUESTED("stop-requested"),
        /** The input was damaged; everything before the damage was delivered. */
        INPUT_ERROR("input-error"),
        /** The run could not start: a bad setting, a source that cannot be opened, a sink that cannot connect. */
        STARTUP_FAILED("startup-failed"),
        /** A worker or a sink failed unexpectedly. */
        FAILED("failed"),
        /** A second signal ended the process without waiting for the stop to finish. */
        ABORTED("aborted");

        private final String label;

        Outcome(final String label) {
            this.label = label;
        }

        /** As written in the summary. */
        public String label() {
            return label;
        }
    }

    /** Exit status of a run that ended as asked. */
    public static final int EXIT_OK = 0;
    /** Exit status of an internal failure: a worker or a sink threw. */
    public static final int EXIT_FAILED = 1;
    /** Exit status of a user's error: a bad setting, file or device, a destination that refused the run. */
    public static final int EXIT_USER_ERROR = 2;
    /** Exit status of a finite input (a file) that was read to its end, or to --max-packets, with drops. */
    public static final int EXIT_INCOMPLETE = 3;

    /**
     * The end of a run.
     *
     * @param snapshot the final counters
     * @param outcome how it ended
     * @param error the one-line error, or null
     * @param clean whether the stop dropped nothing for want of time
     * @param userError whether the error is the user's to fix
     * @param live whether the source was live
     */
    public record Result(Snapshot snapshot, Outcome outcome, String error, boolean clean, boolean userError,
                         boolean live) {
        /**
         * {@value #EXIT_OK} for a run that ended as asked, {@value #EXIT_USER_ERROR} for a user's error,
         * {@value #EXIT_FAILED} for a failure, {@value #EXIT_INCOMPLETE} when a finite input ended with
         * drops.
         */
        public int exitCode() {
            if (userError) {
                return EXIT_USER_ERROR;
            }
            if (outcome == Outcome.FAILED) {
                return EXIT_FAILED;
            }
            if (!live && snapshot.droppedTotal() > 0 && (outcome == Outcome.END_OF_INPUT || outcome == Outcome.MAX_PACKETS)) {
                return EXIT_INCOMPLETE;
            }
            return EXIT_OK;
        }
    }

    private final Config config;
    private final Plugins plugins;
    private final Path summaryFile;
    private final PrintStream out;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch started = new CountDownLatch(1);
    private final Object summaryLock = new Object();
    private volatile Pipeline pipeline;
    private volatile RuntimeSettings settings;
    private volatile boolean running;
    private volatile boolean draining;
    private boolean summaryWritten;
    private StatsFormat statsFormat;
    private Readiness readiness;
    private MetricsServer metrics;
    private Consumer<Result> onFinish = result -> { };

    /**
     * @param config the effective configuration
     * @param plugins the sources and sinks to choose from
     * @param summaryFile where to write the final JSON summary, or null
     * @param out where stats lines and the final summary go (standard error for the CLI)
     */
    public ProbeRun(final Config config, final Plugins plugins, final Path summaryFile, final PrintStream out) {
        this.config = config;
        this.plugins = plugins;
        this.summaryFile = summaryFile;
        this.out = out;
    }

    /**
     * Asks a running {@link #execute()} to stop within {@code probe.shutdown.timeout}. During a drain
     * without deadline (the end of a file), bounds that drain by the timeout instead. Any thread.
     */
    public void requestStop() {
        stopRequested.countDown();
        final Pipeline p = pipeline;
        if (draining && p != null) {
            p.shortenDeadline(System.nanoTime() + settings.shutdownTimeout().toNanos());
        }
    }

    /**
     * Writes the summary with outcome {@code aborted}, {@code reason} as the error and {@code exitStatus},
     * for a process about to exit at once with that status (a second signal). Any thread; returns when
     * the file is written.
     */
    public void abort(final String reason, final int exitStatus) {
        final Pipeline p = pipeline;
        final Snapshot snapshot = p == null ? Snapshot.empty() : p.snapshot();
        writeSummary(new Result(snapshot, Outcome.ABORTED, reason, false, false, p != null && p.sourceIsLive()), exitStatus);
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
     * Sets what to do once the run has ended and its summary is written, while the metrics endpoint still
     * serves the final counters: for tests and for programs that embed the probe. Called before
     * {@link #execute()}; the action runs on the thread of {@code execute()}.
     */
    public void onFinish(final Consumer<Result> action) {
        onFinish = action;
    }

    /** Runs until stopped; never throws for a user's error, which ends the run as {@link Outcome#STARTUP_FAILED}. */
    public Result execute() throws InterruptedException {
        try {
            final Result result = capture();
            onFinish.accept(result);
            return result;
        } finally {
            running = false;
            started.countDown();
            if (metrics != null) {
                metrics.close();
            }
        }
    }

    private Result capture() throws InterruptedException {
        final Pipeline p;
        try {
            final ProbeComponent component = ProbeComponent.create(config, plugins);
            settings = component.settings();
            statsFormat = StatsFormat.from(config);
            startMetrics(MetricsSettings.from(config));
            final String sink = component.sinkFactory().description();
            final CaptureSource source = component.source();
            out.println("probe: capturing from " + source.description() + " with " + source.queues().size()
                    + " receive queue(s), " + settings.workersPerRing() + " transmit worker(s) per ring");
            out.println("probe: connecting to " + sink);
            p = component.pipeline();
        } catch (ProbeException e) {
            return finish(new Result(Snapshot.empty(), Outcome.STARTUP_FAILED, e.getMessage(), true, true, false));
        }
        pipeline = p;
        p.start();
        running = true;
        if (readiness != null) {
            readiness.running(System.nanoTime());
        }
        started.countDown();

        Outcome outcome = Outcome.FAILED;
        boolean clean = false;
        try {
            outcome = awaitStop(p, new StatsFormatter(statsFormat));
        } finally {
            if (readiness != null) {
                readiness.stopping();
            }
            // Also reached on an unexpected error on this thread: the stop still runs, bounded.
            final boolean drain = outcome == Outcome.END_OF_INPUT || outcome == Outcome.MAX_PACKETS
                    || outcome == Outcome.INPUT_ERROR;
            draining = drain;
            final long deadline = drain && stopRequested.getCount() > 0 ? TransmitWorker.NO_DEADLINE
                    : System.nanoTime() + settings.shutdownTimeout().toNanos();
            clean = p.stop(deadline);
            draining = false;
        }
        return finish(result(p, outcome, clean));
    }

    private Result result(final Pipeline p, final Outcome outcome, final boolean clean) {
        final Snapshot last = p.snapshot();
        String error = null;
        boolean userError = false;
        Outcome ending = outcome;
        final List<SinkError> sinkErrors = p.sinkErrors();
        final Throwable failure = p.workerFailure();
        if (outcome == Outcome.INPUT_ERROR) {
            error = p.inputError().getMessage();
            userError = true;
        } else if (failure != null) {
            ending = Outcome.FAILED;
            userError = failure instanceof ProbeException;
            error = userError ? failure.getMessage() : "a worker failed: " + failure;
            if (!userError) {
                failure.printStackTrace(out);
            }
        } else if (!sinkErrors.isEmpty()) {
            ending = Outcome.FAILED;
            error = sinkErrors.get(0).message();
            for (final SinkError e : sinkErrors) {
                out.println("probe: " + e.message() + " (a bug in the sink: sinks report errors through their counters)");
                e.cause().printStackTrace(out);
            }
        }
        p.closeErrors().forEach(e -> out.println("probe: " + e));
        if (!p.stuckWorkers().isEmpty()) {
            out.println("probe: worker(s) " + p.stuckWorkers() + " did not stop within probe.shutdown.timeout + "
                    + Pipeline.STUCK_WORKER_GRACE.toSeconds() + " s; the source was left open");
        }
        return new Result(last, ending, error, clean, userError, p.sourceIsLive());
    }

    /** Starts the metrics endpoint when {@code probe.metrics.port} is set, and says where it is. */
    private void startMetrics(final MetricsSettings metricsSettings) {
        if (!metricsSettings.enabled()) {
            return;
        }
        readiness = new Readiness(metricsSettings.deliveryStallTimeout());
        metrics = MetricsServer.start(metricsSettings, readiness, () -> {
            final Pipeline p = pipeline;
            return p == null ? null : p.snapshot();
        }, version());
        out.println("probe: metrics at " + metrics.url().resolve("metrics") + " (also " + metrics.url().resolve("health")
                + " and " + metrics.url().resolve("ready") + ")");
    }

    private static String version() {
        final String v = ProbeRun.class.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }

    /** Prints stats lines until the run should stop, and samples readiness; returns why. */
    private Outcome awaitStop(final Pipeline p, final StatsFormatter formatter) throws InterruptedException {
        final long start = System.nanoTime();
        final long statsNanos = settings.statsInterval().toNanos();
        long nextStats = statsNanos > 0 ? start + statsNanos : Long.MAX_VALUE;
        final long sampleNanos = readiness == null ? 0 : readiness.samplePeriod().toNanos();
        long nextSample = start;
        final long deadline = settings.duration().isZero() ? Long.MAX_VALUE : start + settings.duration().toNanos();
        while (true) {
            if (readiness != null && System.nanoTime() - nextSample >= 0) {
                readiness.sample(p.snapshot(), System.nanoTime());
                nextSample += sampleNanos;
            }
            final long now = System.nanoTime();
            final long wait = Math.min(Math.min(nextStats, deadline) - now, TimeUnit.MILLISECONDS.toNanos(20));
            if (stopRequested.await(Math.max(0, wait), TimeUnit.NANOSECONDS)) {
                return Outcome.STOP_REQUESTED;
            }
            if (p.workerFailure() != null || !p.sinkErrors().isEmpty()) {
                return Outcome.FAILED;
            }
            if (p.receiversFinished()) {
                if (p.inputError() != null) {
                    return Outcome.INPUT_ERROR;
                }
                return settings.maxPackets() > 0 && p.snapshot().received() >= settings.maxPackets()
                        ? Outcome.MAX_PACKETS : Outcome.END_OF_INPUT;
            }
            if (System.nanoTime() - deadline >= 0) {
                return Outcome.DURATION;
            }
            if (System.nanoTime() - nextStats >= 0) {
                formatter.stats(Instant.now(), p.snapshot()).forEach(out::println);
                nextStats += statsNanos;
            }
        }
    }

    private Result finish(final Result result) {
        printSummary(result);
        writeSummary(result, result.exitCode());
        return result;
    }

    private void printSummary(final Result result) {
        final Snapshot s = result.snapshot();
        if (result.outcome() == Outcome.STARTUP_FAILED) {
            return;
        }
        out.println("probe: stopped (" + result.outcome().label() + ") after "
                + String.format(Locale.ROOT, "%.1f", s.elapsedNanos() / 1e9) + " s");
        StatsFormatter.summary(statsFormat, Instant.now(), s, result.outcome().label()).forEach(out::println);
        if (!result.clean()) {
            out.println("probe: the stop did not finish within probe.shutdown.timeout ("
                    + settings.shutdownTimeout().toMillis() + " ms); what was left is counted as dropped");
        }
    }

    /** Writes the summary once (the first of a stop and an abort wins). */
    private void writeSummary(final Result result, final int exitStatus) {
        if (summaryFile == null) {
            return;
        }
        synchronized (summaryLock) {
            if (summaryWritten) {
                return;
            }
            summaryWritten = true;
            writeSummary(summaryFile, result, exitStatus, out);
        }
    }

    /**
     * Writes {@code result} as the {@code --summary} JSON to {@code file}: mode 0600 (it names hosts and
     * counts), through a temporary file renamed into place. A failure is reported on {@code err}, not thrown.
     */
    public static void writeSummary(final Path file, final Result result, final int exitStatus, final PrintStream err) {
        final String json = SummaryJson.render(result.snapshot(), result.outcome().label(), result.error(), exitStatus);
        try {
            final Path target = file.toAbsolutePath();
            final Path temp = target.resolveSibling("." + target.getFileName() + ".tmp");
            Files.deleteIfExists(temp);
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temp, json);
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | UnsupportedOperationException e) {
            err.println("probe: cannot write summary file " + file + ": " + e.getMessage() + " (--summary)");
        }
    }
}
