package dev.probe.e2e;

import dev.probe.runtime.ProbeRun;
import dev.probe.runtime.config.ConfigLoader;
import dev.probe.runtime.plugin.Plugins;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A probe run in this JVM on a thread of its own, as {@link Probe#run} does it, so that a fault test
 * can act on the broker while the run goes on, read the stats lines the run prints, and then ask it to
 * stop and wait for its result.
 */
final class BackgroundRun implements AutoCloseable {
    private static final Pattern SINK_LINE = Pattern.compile("stats sink +sent ([\\d,]+) delivered ([\\d,]+)");
    private static final Pattern RING_LINE = Pattern.compile("stats ring +enqueued ([\\d,]+) ring-full ([\\d,]+)");

    private final ProbeRun run;
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final Thread thread;
    private volatile ProbeRun.Result result;
    private volatile Throwable failure;

    private BackgroundRun(final List<String> settings, final Path summary) {
        run = new ProbeRun(ConfigLoader.load(null, settings, Plugins.classpath()), Plugins.classpath(), summary,
                new PrintStream(output, true, StandardCharsets.UTF_8));
        thread = Thread.ofPlatform().name("probe-run").start(() -> {
            try {
                result = run.execute();
            } catch (Throwable t) {
                failure = t;
            }
        });
    }

    /** Starts a run with these {@code --set} overrides and waits until its workers run. */
    static BackgroundRun start(final List<String> settings, final Path summary) throws InterruptedException {
        final BackgroundRun r = new BackgroundRun(settings, summary);
        if (!r.run.awaitStarted(Duration.ofSeconds(60))) {
            r.thread.join(TimeUnit.SECONDS.toMillis(60));
            throw new AssertionError("the run did not start: " + r.output() + " " + r.result + " " + r.failure);
        }
        return r;
    }

    /** Whether the run is still going. */
    boolean running() {
        return thread.isAlive();
    }

    /** Everything the run printed so far (start lines, stats lines, summary). */
    String output() {
        return output.toString(StandardCharsets.UTF_8);
    }

    /** Packets delivered as of the last stats line printed, or -1 before the first. */
    long lastDelivered() {
        return last(SINK_LINE, 2);
    }

    /** Packets dropped as ring-full as of the last stats line printed, or -1 before the first. */
    long lastRingFull() {
        return last(RING_LINE, 2);
    }

    /** How many stats lines of the sink the run printed so far. */
    int sinkLines() {
        final Matcher m = SINK_LINE.matcher(output());
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private long last(final Pattern pattern, final int group) {
        final Matcher m = pattern.matcher(output());
        long value = -1;
        while (m.find()) {
            value = Long.parseLong(m.group(group).replace(",", ""));
        }
        return value;
    }

    /** Asks the run to stop, as a signal does. */
    void requestStop() {
        run.requestStop();
    }

    /** Waits for the run to end and returns its result. */
    ProbeRun.Result await(final Duration timeout) throws InterruptedException {
        thread.join(timeout.toMillis());
        if (thread.isAlive()) {
            throw new AssertionError("the run did not end within " + timeout + ": " + output());
        }
        if (failure != null) {
            throw new AssertionError("the run threw", failure);
        }
        return result;
    }

    @Override
    public void close() throws InterruptedException {
        if (thread.isAlive()) {
            run.requestStop();
            thread.join(TimeUnit.SECONDS.toMillis(120));
        }
    }
}
