package dev.probe.runtime.plugin;

import dev.probe.runtime.cli.Main;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code probe} command line run in-process, as the launcher runs it, with its output captured.
 *
 * @param exit the exit status
 * @param stdout what it printed on standard output
 * @param stderr what it printed on standard error
 */
record ProbeCli(int exit, String stdout, String stderr) {

    /** Settings for a run of 1,000 generated 64-byte frames with quiet, non-spinning workers. */
    static final List<String> THOUSAND_FRAMES = List.of(
            "--set", "probe.source.type=synthetic", "--set", "probe.source.synthetic.packets=1000",
            "--set", "probe.receive.idle-strategy=sleep", "--set", "probe.transmit.idle-strategy=sleep",
            "--set", "probe.stats.interval=0s");

    /** Runs {@code probe <args>}. */
    static ProbeCli run(final List<String> args) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int exit = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new ProbeCli(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Runs {@code probe <command>} with {@link #THOUSAND_FRAMES} and then {@code more}. */
    static ProbeCli thousandFrames(final String command, final String... more) {
        final List<String> args = new ArrayList<>(List.of(command));
        args.addAll(THOUSAND_FRAMES);
        args.addAll(List.of(more));
        return run(args);
    }

    /** The non-blank lines of standard error. */
    List<String> errorLines() {
        return stderr.lines().filter(l -> !l.isBlank()).toList();
    }

    /**
     * Checks a user error: exit status 2, standard error only one-line {@code probe:} messages (warnings
     * about other plugins allowed), no internal error, no stack trace, and the last line holding every
     * one of {@code fragments}.
     */
    void assertUserError(final String... fragments) {
        assertEquals(2, exit, "exit status; stderr:\n" + stderr);
        assertFalse(stderr.contains("internal error"), stderr);
        final List<String> lines = errorLines();
        assertFalse(lines.isEmpty(), "nothing on stderr");
        for (final String line : lines) {
            assertTrue(line.startsWith("probe: "), "not a one-line probe message: " + line + "\nstderr:\n" + stderr);
        }
        final String last = lines.getLast();
        for (final String fragment : fragments) {
            assertTrue(last.contains(fragment), "the error line lacks \"" + fragment + "\": " + last);
        }
    }
}
