package dev.probe.testkit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.probe.api.ProbeException;
import dev.probe.runtime.ProbeRun;
import dev.probe.runtime.config.ConfigLoader;
import dev.probe.runtime.plugin.Plugins;
import dev.probe.runtime.stats.Snapshot;
import dev.probe.spi.SinkProvider;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the whole probe in-process, as {@code probe run} does, from a capture file into the sink under
 * test: the runtime's {@link ProbeRun} with its receive workers, rings and transmit workers, the sink
 * found through {@link Plugins#of} and the kit's pure-Java {@link CaptureFileSourceProvider} as the
 * source. The run ends at the end of the file, once every packet is delivered or failed.
 *
 * <pre>{@code
 * PipelineRun.Result run = PipelineRun.of(new MySinkProvider(), capture)
 *         .with("probe.sink.my.directory", folder.toString())
 *         .with("probe.transmit.workers-per-ring", 2)
 *         .run();
 * run.assertEveryPacketDelivered();
 * }</pre>
 *
 * <p>Besides the summary the result says how the runtime treated the sink (see
 * {@link ContractCheckingSinkProvider}: one thread, batches within {@code available()}, flush then close)
 * and what happened to the packet memory (each packet released once, none read after its release).
 *
 * <p>Settings not given take their defaults from the {@code reference.conf} files on the class path,
 * except for quiet, non-spinning workers ({@code idle-strategy = sleep}) and no periodic stats lines.
 * Unknown keys are errors, as for {@code probe run}. Used from the test's thread.
 */
public final class PipelineRun {
    private final SinkProvider sink;
    private final Path capture;
    private final Map<String, Object> settings = new LinkedHashMap<>();

    private PipelineRun(final SinkProvider sink, final Path capture) {
        this.sink = sink;
        this.capture = capture;
        settings.put("probe.source.type", CaptureFileSourceProvider.NAME);
        settings.put("probe.sink.type", sink.name());
        settings.put("probe.receive.idle-strategy", "sleep");
        settings.put("probe.transmit.idle-strategy", "sleep");
        settings.put("probe.stats.interval", "0s");
    }

    /** A run of {@code capture} (pcap or pcapng) into the sink {@code sink} provides. */
    public static PipelineRun of(final SinkProvider sink, final Path capture) {
        return new PipelineRun(sink, capture);
    }

    /** Sets {@code path} (a full path such as {@code probe.sink.my.directory}) to {@code value}; a later call wins. */
    public PipelineRun with(final String path, final Object value) {
        settings.put(path, value);
        return this;
    }

    /** Sets every entry of {@code values}, full paths to values. */
    public PipelineRun with(final Map<String, ?> values) {
        settings.putAll(values);
        return this;
    }

    /**
     * Runs the probe until the end of the capture and every packet is delivered or failed (bounded by
     * the sink's {@link dev.probe.spi.SinkFactory#deliveryTimeout()}), and returns what happened. A bad
     * setting or a sink that cannot start ends the run as {@link ProbeRun.Outcome#STARTUP_FAILED}, with
     * its message in {@link ProbeRun.Result#error()}.
     */
    public Result run() throws InterruptedException {
        final CaptureFileSourceProvider source = new CaptureFileSourceProvider(capture);
        final ContractCheckingSinkProvider checked = new ContractCheckingSinkProvider(sink);
        final Plugins plugins = Plugins.of(List.of(source), List.of(checked));
        final ByteArrayOutputStream output = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);
        final ProbeRun.Result result;
        try {
            final Config config = ConfigLoader.resolve(ConfigFactory.parseMap(settings, "PipelineRun settings"), plugins);
            result = new ProbeRun(config, plugins, null, out).execute();
        } catch (ProbeException e) {
            out.println("probe: " + e.getMessage());
            return new Result(new ProbeRun.Result(Snapshot.empty(), ProbeRun.Outcome.STARTUP_FAILED, e.getMessage(),
                    true, true, false), CaptureFile.load(capture), List.of(), List.of(), List.of(), 0, 0, false,
                    output.toString(StandardCharsets.UTF_8));
        }
        final CaptureFileSourceProvider.CaptureFileSource opened = source.opened();
        return new Result(result, opened != null ? opened.capture() : CaptureFile.load(capture), checked.violations(),
                checked.calls(), opened != null ? opened.memoryErrors() : List.of(), opened != null ? opened.released() : 0,
                opened != null ? opened.held() : 0, opened != null && opened.closed(), output.toString(StandardCharsets.UTF_8));
    }

    /**
     * What a run did.
     *
     * @param run the runtime's result: the final {@link Snapshot}, the outcome, the exit status
     * @param capture the file's link type and records, as read
     * @param violations how the runtime broke the {@link dev.probe.spi.Sink} contract in calling the sink, one line
     *        each; empty when it kept it
     * @param calls per sink: how often each method was called, and on which thread
     * @param memoryErrors packets released twice or read after release; empty normally
     * @param released packets released to the source
     * @param held packets handed out by the source and never released
     * @param sourceClosed whether the source was closed
     * @param output what the probe printed: start lines, the final summary lines, errors
     */
    public record Result(ProbeRun.Result run, CaptureFile.Capture capture, List<String> violations, List<String> calls,
                         List<String> memoryErrors, long released, long held, boolean sourceClosed, String output) {

        /** The final counters. */
        public Snapshot snapshot() {
            return run.snapshot();
        }

        /** The exit status {@code probe run} would have ended with. */
        public int exitCode() {
            return run.exitCode();
        }

        /**
         * Checks that the run went as a run of a file into a working destination must: it ended at the end of
         * the file with exit status 0; every packet of the file was captured and delivered, with its bytes;
         * nothing was dropped and nothing is left in flight; every packet was released to the source exactly
         * once and never read after; the source was closed; and the runtime kept the sink contract.
         *
         * @throws AssertionError naming every difference, with the probe's output
         */
        public void assertEveryPacketDelivered() {
            final List<String> problems = new ArrayList<>();
            final Snapshot s = snapshot();
            final int packets = capture.records().size();
            expect(problems, "outcome", ProbeRun.Outcome.END_OF_INPUT, run.outcome());
            if (run.error() != null) {
                problems.add("error: " + run.error());
            }
            expect(problems, "exit status", 0, exitCode());
            expect(problems, "captured", (long) packets, s.captured());
            expect(problems, "delivered", (long) packets, s.delivered());
            expect(problems, "bytes delivered", capture.capturedBytes(), s.bytesDelivered());
            expect(problems, "dropped", Map.of(), nonZero(s.dropped()));
            expect(problems, "in flight", 0L, s.inFlight());
            expect(problems, "packets released to the source", (long) packets, released);
            expect(problems, "packets never released", 0L, held);
            expect(problems, "source closed", true, sourceClosed);
            if (!memoryErrors.isEmpty()) {
                problems.add("packet memory misused: " + memoryErrors.subList(0, Math.min(5, memoryErrors.size())));
            }
            problems.addAll(violations);
            if (!problems.isEmpty()) {
                throw new AssertionError("the run of " + packets + " packets went wrong:\n  " + String.join("\n  ", problems)
                        + "\nprobe output:\n" + output);
            }
        }

        private static Map<String, Long> nonZero(final Map<String, Long> counts) {
            final Map<String, Long> result = new LinkedHashMap<>();
            counts.forEach((k, v) -> {
                if (v != 0) {
                    result.put(k, v);
                }
            });
            return result;
        }

        private static void expect(final List<String> problems, final String what, final Object expected, final Object actual) {
            if (!expected.equals(actual)) {
                problems.add(what + ": expected " + expected + ", was " + actual);
            }
        }
    }
}
