package dev.probe.runtime.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Signals to a real {@code probe run} process (a child JVM started as the launcher starts it, signalled
 * with {@code kill}): SIGHUP, SIGINT and SIGTERM each stop cleanly with a drain, the summary and the
 * {@code --summary} file, exit 0; a second signal during the stop exits at once with 128 + its number
 * and still writes the summary, with outcome {@code aborted}.
 */
class SignalTest {
    private static final long WAIT_SECONDS = 60;

    @TempDir
    Path dir;

    /** A child {@code probe run} and the lines of its standard error as they come. */
    private static final class Child implements AutoCloseable {
        final Process process;
        final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        private final Thread reader;

        Child(final List<String> runArgs) throws IOException {
            final String java = ProcessHandle.current().info().command().orElse(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString());
            final List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                    "-Xmx256m", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "run"));
            command.addAll(runArgs);
            process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            reader = Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    lines.add("(reading standard error failed: " + e + ")");
                }
            });
        }

        /** Waits until a line matches, or the process ends, or the wait runs out. */
        void awaitLine(final Predicate<String> match, final String what) throws InterruptedException {
            final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (System.nanoTime() - until < 0) {
                synchronized (lines) {
                    if (lines.stream().anyMatch(match)) {
                        return;
                    }
                }
                if (!process.isAlive()) {
                    throw new AssertionError("the probe ended (" + process.exitValue() + ") before " + what + ": " + lines);
                }
                final CountDownLatch tick = new CountDownLatch(1);
                tick.await(20, TimeUnit.MILLISECONDS);
            }
            throw new AssertionError("no " + what + " within " + WAIT_SECONDS + " s: " + lines);
        }

        void signal(final String name) throws IOException, InterruptedException {
            final Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start();
            assertEquals(0, kill.waitFor(), "kill -" + name);
        }

        int awaitExit() throws InterruptedException {
            assertTrue(process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "the probe ends within " + WAIT_SECONDS + " s: " + lines);
            reader.join(TimeUnit.SECONDS.toMillis(10));
            return process.exitValue();
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    private static List<String> settings(final String sink, final Path summary, final String... more) {
        final List<String> args = new ArrayList<>(List.of("--summary", summary.toString()));
        for (final String s : List.of("probe.source.type=synthetic", "probe.source.synthetic.live=true",
                "probe.sink.type=" + sink, "probe.stats.interval=100ms", "probe.receive.idle-strategy=sleep",
                "probe.transmit.idle-strategy=sleep")) {
            args.add("--set");
            args.add(s);
        }
        for (final String s : more) {
            args.add("--set");
            args.add(s);
        }
        return args;
    }

    @ParameterizedTest(name = "SIG{0}")
    @CsvSource({"HUP", "INT", "TERM"})
    void oneSignalDrainsWritesTheSummaryAndExits0(final String signal) throws Exception {
        final Path summary = dir.resolve("summary.json");
        try (Child probe = new Child(settings("discard", summary))) {
            probe.awaitLine(l -> l.contains(" stats "), "a stats line: capture is under way");
            probe.signal(signal);
            assertEquals(0, probe.awaitExit(), String.join("\n", probe.lines));
            final List<String> lines = List.copyOf(probe.lines);
            assertTrue(lines.contains("probe: SIG" + signal + ": stopping (draining rings, flushing sinks); signal again to exit at once"),
                    lines.toString());
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("probe: stopped (stop-requested) after ")), lines.toString());
            assertTrue(lines.stream().anyMatch(l -> l.contains(" summary ")), "summary lines: " + lines);
            assertFalse(lines.stream().anyMatch(l -> l.contains("\tat ") || l.contains("Exception")), lines.toString());
            final String json = Files.readString(summary);
            assertEquals("stop-requested", Cli.jsonString(json, "outcome"));
            assertNull(Cli.jsonString(json, "error"));
            assertEquals(0, Cli.json(json, "exit_status"));
            assertEquals(0, Cli.json(json, "in_flight"), "drained");
            assertTrue(Cli.json(json, "captured") > 0, json);
            assertEquals(Cli.json(json, "captured"), Cli.json(json, "delivered") + Cli.json(json, "dropped_total"), json);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(summary)));
        }
    }

    @ParameterizedTest(name = "SIG{0} twice")
    @CsvSource({"HUP, 129", "INT, 130", "TERM, 143"})
    void aSecondSignalExitsAtOnceWith128PlusItsNumberAndWritesTheSummaryAsAborted(final String signal, final int status)
            throws Exception {
        final Path summary = dir.resolve("summary.json");
        // Each send takes 500 ms: draining a full ring of 1024 in bursts of 64 takes 8 s, so the second
        // signal comes while the first stop is still draining.
        try (Child probe = new Child(settings("slow", summary, "probe.transmit.ring-size=1024",
                "probe.transmit.burst-size=64", "probe.shutdown.timeout=60s"))) {
            probe.awaitLine(l -> l.contains(" stats "), "a stats line: capture is under way");
            probe.signal(signal);
            probe.awaitLine(l -> l.startsWith("probe: SIG" + signal + ": stopping"), "the first signal's line");
            probe.signal(signal);
            assertEquals(status, probe.awaitExit(), String.join("\n", probe.lines));
            final List<String> lines = List.copyOf(probe.lines);
            assertTrue(lines.contains("probe: SIG" + signal + " again: exiting now with status " + status), lines.toString());
            assertFalse(lines.stream().anyMatch(l -> l.startsWith("probe: stopped (")), "no clean stop: " + lines);
            final String json = Files.readString(summary);
            assertEquals("aborted", Cli.jsonString(json, "outcome"));
            assertEquals("SIG" + signal + " received twice: exited without finishing the stop", Cli.jsonString(json, "error"));
            assertEquals(status, Cli.json(json, "exit_status"), "the summary gives the status the process exited with");
            assertTrue(Cli.json(json, "captured") > 0, json);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(summary)));
        }
    }
}
