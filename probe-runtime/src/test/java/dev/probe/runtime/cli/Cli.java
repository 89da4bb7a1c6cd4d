package dev.probe.runtime.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One {@code probe} command line run in-process with captured output, for the tests of this package. */
record Cli(int exit, String stdout, String stderr) {

    /** Runs {@code probe args...} as {@link Main#main} does, without exiting. */
    static Cli run(final String... args) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int exit = Main.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Cli(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** {@code run}'s arguments with quiet, sleeping workers and these {@code --set}s. */
    static String[] quietRun(final List<String> settings, final String... more) {
        final List<String> args = new ArrayList<>(List.of("run", "--set", "probe.stats.interval=0s",
                "--set", "probe.receive.idle-strategy=sleep", "--set", "probe.transmit.idle-strategy=sleep"));
        for (final String s : settings) {
            args.add("--set");
            args.add(s);
        }
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    List<String> stderrLines() {
        return stderr.lines().filter(l -> !l.isBlank()).toList();
    }

    /** The lines of standard error that report an error: not the start, stop and summary lines. */
    List<String> errorLines() {
        return stderrLines().stream().filter(l -> !l.startsWith("probe: capturing from ")
                && !l.startsWith("probe: connecting to ") && !l.startsWith("probe: stopped (")
                && !l.matches("\\S+ (summary|stats) .*")).toList();
    }

    /** A number of the summary JSON, such as {@code "captured"}. */
    static long json(final String json, final String field) {
        final Matcher m = Pattern.compile("\"" + field + "\": (-?\\d+)").matcher(json);
        if (!m.find()) {
            throw new AssertionError("no " + field + " in " + json);
        }
        return Long.parseLong(m.group(1));
    }

    /** A string of the summary JSON, such as {@code "outcome"}; null for JSON null. */
    static String jsonString(final String json, final String field) {
        final Matcher m = Pattern.compile("\"" + field + "\": (null|\"((?:[^\"\\\\]|\\\\.)*)\")").matcher(json);
        if (!m.find()) {
            throw new AssertionError("no " + field + " in " + json);
        }
        return m.group(2);
    }
}
