package dev.probe.runtime.cli;

import com.typesafe.config.Config;
import dev.probe.api.ProbeException;
import dev.probe.runtime.ProbeRun;
import dev.probe.runtime.config.ConfigLoader;
import dev.probe.runtime.config.Redaction;
import dev.probe.runtime.config.RuntimeSettings;
import dev.probe.runtime.inject.Providers;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The {@code probe} command: {@code run}, {@code check}, {@code export}, {@code ports}, {@code demo},
 * {@code --help}, {@code --version}. A user's mistake prints one line and exits with status 2.
 */
public final class Main {
    /** Exit status for a user's error: a bad setting, file or device. */
    public static final int USAGE_ERROR = 2;

    static final String USAGE = """
            usage: probe <command> [options]

            commands:
              run     capture and send to the sink until stopped
                        -c FILE              HOCON configuration (defaults come from reference.conf)
                        --set path=value     override one setting (repeatable)
                        --max-packets N      stop after N packets are captured
                        --duration D         stop after D (30s, 5m)
                        --summary FILE       write the final counters as JSON
              check   validate the configuration and print it, secrets redacted (-c, --set)
              export  read the Kafka topic back into a pcap file
                        -c FILE, --set       the sink settings give the topic and bootstrap servers
                        --topic T            topic (default: probe.sink.kafka.topic)
                        --bootstrap-servers S
                        --from beginning|end where to start (default beginning)
                        --max-packets N      stop after N packets (default: no limit)
                        --timeout D          stop when nothing arrived for D (default 10s)
                        -o FILE | -          output file, or - for standard output (default -)
              ports   list DPDK ports with driver, MAC, link, queues and RSS (-c, --set for EAL args)
              demo    start a Kafka broker, capture generated traffic into it, export it back,
                      print a summary, clean up
                        --packets N          packets to generate (default 200000)
                        --keep               keep the capture, the export and summary.json

            --help, --version
            """;

    private Main() {
    }

    /** Entry point; exits with the command's status. */
    public static void main(final String[] args) {
        System.exit(run(Arrays.asList(args), System.out, System.err));
    }

    /**
     * Runs one command. Used by {@link #main} and by tests.
     *
     * @return the exit status
     */
    public static int run(final List<String> args, final PrintStream stdout, final PrintStream stderr) {
        if (args.isEmpty() || args.get(0).equals("--help") || args.get(0).equals("-h") || args.get(0).equals("help")) {
            stdout.print(USAGE);
            return args.isEmpty() ? USAGE_ERROR : 0;
        }
        if (args.get(0).equals("--version")) {
            stdout.println("probe " + version());
            return 0;
        }
        final String command = args.get(0);
        final List<String> rest = new ArrayList<>(args.subList(1, args.size()));
        try {
            return switch (command) {
                case "run" -> run(rest, stderr);
                case "check" -> check(rest, stdout);
                case "export" -> ExportCommand.run(rest, stdout, stderr);
                case "ports" -> PortsCommand.run(rest, stdout);
                case "demo" -> DemoCommand.run(rest, stdout, stderr);
                default -> throw new ProbeException("Unknown command " + command + ": expected run, check, export, ports or demo (see probe --help)");
            };
        } catch (ProbeException e) {
            stderr.println("probe: " + e.getMessage());
            return USAGE_ERROR;
        } catch (java.nio.file.InvalidPathException e) {
            stderr.println("probe: Invalid path " + e.getInput() + ": " + e.getReason());
            return USAGE_ERROR;
        } catch (RuntimeException | Error e) {
            stderr.println("probe: internal error, please report it with the trace below: " + e);
            e.printStackTrace(stderr);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stderr.println("probe: interrupted");
            return 130;
        }
    }

    private static int run(final List<String> args, final PrintStream stderr) throws InterruptedException {
        final Arguments a = Arguments.parse("run", args, Set.of("--max-packets", "--duration", "--summary"));
        final List<String> overrides = new ArrayList<>(a.overrides());
        if (a.has("--max-packets")) {
            overrides.add("probe.stop.max-packets=" + a.longOption("--max-packets", 0, 1));
        }
        if (a.has("--duration")) {
            overrides.add("probe.stop.duration=" + a.durationOption("--duration", null).toMillis() + "ms");
        }
        final Path summary = a.has("--summary") ? Path.of(a.option("--summary", null)) : null;
        if (summary != null) {
            final Path parent = summary.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                throw new ProbeException("Cannot write summary file " + summary + ": folder " + parent + " does not exist (--summary)");
            }
        }
        final Config config = ConfigLoader.load(a.configFile(), overrides);
        final ProbeRun run = new ProbeRun(config, summary, stderr);
        final SignalStop signals = SignalStop.install(run::requestStop, stderr);
        try {
            final ProbeRun.Result result = run.execute();
            if (result.error() != null) {
                stderr.println("probe: " + result.error());
            }
            return result.exitCode();
        } finally {
            signals.uninstall();
        }
    }

    private static int check(final List<String> args, final PrintStream stdout) {
        final Arguments a = Arguments.parse("check", args, Set.of());
        final Config config = ConfigLoader.load(a.configFile(), a.overrides());
        RuntimeSettings.from(config);
        Providers.source(config).validate(config);
        Providers.sink(config).configure(config);
        stdout.print(Redaction.render(config));
        stdout.println("# configuration is valid");
        return 0;
    }

    static String version() {
        final String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }
}
