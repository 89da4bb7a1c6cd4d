package dev.probe.runtime.cli;

import dev.probe.runtime.testsinks.CheckedSinkProvider;
import dev.probe.runtime.testsinks.SlowConnectSinkProvider;
import dev.probe.runtime.testsources.ClockSourceProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command line as a user meets it: help everywhere, usage errors as one line with status 2,
 * {@code check} and {@code check --connect}, exit statuses and the summary of a run that could not start.
 */
class CommandLineTest {
    @TempDir
    Path dir;

    @Test
    void everySubcommandPrintsItsHelpAndExits0() {
        final List<String> names = new ArrayList<>(Main.commandLine(new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream())).getSubcommands().keySet());
        assertTrue(names.containsAll(List.of("run", "check", "demo")), names.toString());
        for (final String name : names) {
            for (final String help : List.of("--help", "-h")) {
                final Cli cli = Cli.run(name, help);
                assertEquals(0, cli.exit(), name + " " + help + ": " + cli.stderr());
                assertTrue(cli.stdout().startsWith("Usage: probe " + name), cli.stdout());
                assertEquals("", cli.stderr(), name);
            }
        }
        final Cli top = Cli.run("--help");
        assertEquals(0, top.exit());
        assertTrue(top.stdout().contains("Exit status:") && top.stdout().contains("129, 130, 143"), top.stdout());
        final Cli version = Cli.run("--version");
        assertEquals(0, version.exit());
        assertTrue(version.stdout().startsWith("probe "), version.stdout());
    }

    @Test
    void runsHelpDocumentsTheExitStatusesAndSignals() {
        final String help = Cli.run("run", "--help").stdout().replaceAll("\\s+", " ");
        assertTrue(help.contains("SIGHUP") && help.contains("3 a capture file was read to its end"), help);
    }

    @Test
    void usageErrorsAreOneLineWithStatus2() {
        final List<List<String>> mistakes = List.of(
                List.of(),
                List.of("nosuch"),
                List.of("run", "--max-pakets", "3"),
                List.of("run", "--max-packets"),
                List.of("run", "--max-packets", "many"),
                List.of("run", "--max-packets", "0"),
                List.of("run", "--duration", "soon"),
                List.of("run", "--duration", "-5s"),
                List.of("run", "-i", "lo", "-r", "x.pcap"),
                List.of("check", "--set", "novalue"),
                List.of("check", "--set", "probe..receive=1"),
                List.of("run", "--summary", "/nonexistent-folder/summary.json"));
        for (final List<String> args : mistakes) {
            final Cli cli = Cli.run(args.toArray(String[]::new));
            assertEquals(2, cli.exit(), args + ": " + cli.stderr());
            assertEquals(1, cli.stderrLines().size(), args + ": " + cli.stderr());
            assertTrue(cli.stderr().startsWith("probe: "), args + ": " + cli.stderr());
            assertEquals("", cli.stdout(), args.toString());
        }
        assertTrue(Cli.run("run", "--max-pakets", "3").stderr().contains("(see probe run --help)"));
    }

    @Test
    void checkPrintsTheEffectiveConfigurationThenNamesTheBadSettingLast() {
        final Cli cli = Cli.run("check", "--set", "probe.source.type=tracking", "--set", "probe.sink.type=checked",
                "--set", "probe.sink.checked.address=\"\"");
        assertEquals(2, cli.exit());
        assertTrue(cli.stdout().lines().anyMatch(l -> l.startsWith("probe.receive.burst-size = 128    # ")
                && l.endsWith("reference.conf: 16")), cli.stdout());
        assertTrue(cli.stdout().contains("probe.sink.checked.address = \"\"    # --set probe.sink.checked.address"), cli.stdout());
        assertEquals(List.of("probe: Invalid value \"\" for probe.sink.checked.address: expected a non-empty string "
                + "(--set probe.sink.checked.address)"), cli.stderrLines());
    }

    @Test
    void checkValidatesASinkSectionTheUserWroteEvenWhenAnotherSinkIsSelected() {
        final Cli cli = Cli.run("check", "--set", "probe.source.type=tracking", "--set", "probe.sink.type=discard",
                "--set", "probe.sink.checked.reachable=maybe");
        assertEquals(2, cli.exit());
        assertEquals(List.of("probe: Invalid value \"maybe\" for probe.sink.checked.reachable: expected true or false "
                + "(--set probe.sink.checked.reachable)"), cli.stderrLines());
    }

    @Test
    void checkConnectReportsWhatTheSinkFoundAtItsDestination() {
        final int before = CheckedSinkProvider.CHECKS.get();
        final Cli plain = Cli.run("check", "--set", "probe.source.type=tracking", "--set", "probe.sink.type=checked");
        assertEquals(0, plain.exit(), plain.stderr());
        assertEquals(before, CheckedSinkProvider.CHECKS.get(), "no --connect, no connection");

        final Cli cli = Cli.run("check", "--connect", "--set", "probe.source.type=tracking",
                "--set", "probe.sink.type=checked");
        assertEquals(0, cli.exit(), cli.stderr());
        assertEquals(before + 1, CheckedSinkProvider.CHECKS.get());
        assertTrue(cli.stdout().contains("# destination: the checked test destination at 192.0.2.10:9\n"
                + "#   reached 192.0.2.10:9\n#   it keeps packets for 7 days\n# configuration is valid\n"), cli.stdout());
    }

    @Test
    void checkConnectFailsWithOneLineWhenTheDestinationCannotBeReached() {
        final Cli cli = Cli.run("check", "--connect", "--set", "probe.source.type=tracking",
                "--set", "probe.sink.type=checked", "--set", "probe.sink.checked.reachable=false");
        assertEquals(2, cli.exit());
        assertEquals(List.of("probe: Cannot reach the checked test destination at 192.0.2.10:9 (probe.sink.checked.address)"),
                cli.stderrLines());
        assertFalse(cli.stdout().contains("# configuration is valid"));
    }

    @Test
    void aSinkThatThrowsFailsTheRunWithStatus1AndTheSummarySaysSo() throws IOException {
        final Path summary = dir.resolve("summary.json");
        final Cli cli = Cli.run(Cli.quietRun(List.of("probe.source.type=tracking", "probe.source.tracking.packets=1000",
                "probe.sink.type=throwing", "probe.shutdown.timeout=200ms"), "--summary", summary.toString()));
        assertEquals(1, cli.exit(), cli.stderr());
        final String json = Files.readString(summary);
        assertEquals("failed", Cli.jsonString(json, "outcome"));
        assertTrue(Cli.jsonString(json, "error").contains("destination exploded"), json);
        assertEquals(1, Cli.json(json, "exit_status"));
        assertEquals(Cli.json(json, "captured"), Cli.json(json, "delivered") + Cli.json(json, "dropped_total"), json);
    }

    @Test
    void aFileReadToItsEndWithDropsExits3() throws IOException {
        final Path summary = dir.resolve("summary.json");
        final Cli cli = Cli.run(Cli.quietRun(List.of("probe.source.type=synthetic", "probe.source.synthetic.packets=1000",
                "probe.sink.type=reject-odd"), "--summary", summary.toString()));
        assertEquals(3, cli.exit(), cli.stderr());
        final String json = Files.readString(summary);
        assertEquals("end-of-input", Cli.jsonString(json, "outcome"));
        assertEquals(1000, Cli.json(json, "captured"));
        assertEquals(500, Cli.json(json, "delivered"));
        assertEquals(500, Cli.json(json, "dropped_total"), "every odd frame refused");
        assertEquals(3, Cli.json(json, "exit_status"));
        assertEquals(List.of(), cli.errorLines(), "drops are counted, not an error");
    }

    @Test
    void aSinkThatCannotConnectWritesTheSummaryAsStartupFailed() throws IOException {
        final Path summary = dir.resolve("summary.json");
        final Cli cli = Cli.run(Cli.quietRun(List.of("probe.source.type=tracking", "probe.sink.type=slow-connect",
                "probe.sink.slow-connect.connect-time=10ms", "probe.sink.slow-connect.reachable=false"),
                "--summary", summary.toString()));
        assertEquals(2, cli.exit());
        final String error = "Cannot reach the slow test destination within 10 ms (probe.sink.slow-connect.connect-time)";
        assertEquals(List.of("probe: " + error), cli.errorLines());
        final String json = Files.readString(summary);
        assertEquals("startup-failed", Cli.jsonString(json, "outcome"));
        assertEquals(error, Cli.jsonString(json, "error"));
        assertEquals(2, Cli.json(json, "exit_status"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(summary)));
    }

    @Test
    void aBadSettingWritesTheSummaryAsStartupFailedToo() throws IOException {
        final Path summary = dir.resolve("summary.json");
        final Cli cli = Cli.run("run", "--set", "probe.recieve.burst-size=64", "--summary", summary.toString());
        assertEquals(2, cli.exit());
        assertEquals(1, cli.stderrLines().size(), cli.stderr());
        final String json = Files.readString(summary);
        assertEquals("startup-failed", Cli.jsonString(json, "outcome"));
        assertEquals("Unknown setting probe.recieve.burst-size (--set probe.recieve.burst-size): did you mean "
                + "probe.receive.burst-size?", Cli.jsonString(json, "error"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(summary)));
    }

    @Test
    void durationCountsFromTheStartOfCaptureNotFromTheStartOfConnecting() throws IOException {
        final Path summary = dir.resolve("summary.json");
        // Connecting takes 2 s, the run lasts 1 s. Counted from before the connection, the deadline would
        // have passed when capture began, and capture would stop at once.
        final Cli cli = Cli.run(Cli.quietRun(List.of("probe.source.type=clock", "probe.sink.type=slow-connect",
                "probe.sink.slow-connect.connect-time=2s"), "--duration", "1s", "--summary", summary.toString()));
        assertEquals(0, cli.exit(), cli.stderr());
        assertEquals("duration", Cli.jsonString(Files.readString(summary), "outcome"));
        final long connected = SlowConnectSinkProvider.connectedNanos;
        assertTrue(ClockSourceProvider.firstPollNanos - connected >= 0, "capture starts once the sink is connected");
        final Duration captured = Duration.ofNanos(ClockSourceProvider.lastPollNanos - connected);
        // At least 1 s in theory; half of it leaves room for a busy machine and still fails at once if the
        // duration ran while connecting (about 0 s of capture).
        assertTrue(captured.compareTo(Duration.ofMillis(500)) >= 0, "captured for " + captured.toMillis() + " ms");
        assertTrue(cli.stderr().contains("probe: connecting to a test sink that takes 2000 ms to connect"), cli.stderr());
        assertTrue(cli.stderr().contains("probe: capturing from clock source"), cli.stderr());
    }

    @Test
    void theSubcommandsAreFoundWithTheirOwnOptions() {
        final CommandLine cli = Main.commandLine(new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream()));
        final CommandLine run = cli.getSubcommands().get("run");
        assertNotNull(run);
        for (final String option : List.of("-i", "-r", "-f", "-b", "--topic", "--bootstrap-servers", "-c", "--set",
                "--duration", "--max-packets", "--summary")) {
            assertNotNull(run.getCommandSpec().findOption(option), "run " + option);
            assertNotNull(cli.getSubcommands().get("check").getCommandSpec().findOption(option.equals("--duration")
                    || option.equals("--max-packets") || option.equals("--summary") ? "--connect" : option), "check " + option);
        }
    }
}
