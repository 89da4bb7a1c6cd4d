package dev.probe.runtime.cli;

import dev.probe.api.ProbeException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The {@code probe} command: {@code run} and {@code check}, and the subcommands modules add
 * ({@link ProbeSubcommand}: {@code export}, {@code ports}, {@code demo}). Every subcommand has
 * {@code --help}. A user's mistake (a bad option, a bad setting, a missing file) prints one line and
 * exits with status 2; an internal error prints its stack trace and exits with status 1.
 */
public final class Main {
    /** Exit status for a user's error: a bad option, setting, file or device. */
    public static final int USAGE_ERROR = 2;

    private Main() {
    }

    /** The top-level command: holds the subcommands, {@code --help} and {@code --version}. */
    @Command(name = "probe", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = "Poll-mode packet capture into Kafka: each frame one record, keyed by its capture time.",
            footer = {"", "Exit status:",
                    "  0    done",
                    "  1    internal error (a worker or a sink failed)",
                    "  2    user error: bad option, setting, file or device; unreachable destination",
                    "  3    a capture file was read to its end, with packets dropped",
                    "  129, 130, 143  a second SIGHUP, SIGINT, SIGTERM cut the stop short"})
    static final class Probe implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: expected one of "
                    + String.join(", ", spec.subcommands().keySet()));
        }
    }

    /** Entry point; exits with the command's status. */
    public static void main(final String[] args) {
        System.exit(run(List.of(args), System.out, System.err));
    }

    /**
     * Runs one command line. Used by {@link #main} and by tests.
     *
     * @return the exit status
     */
    public static int run(final List<String> args, final PrintStream stdout, final PrintStream stderr) {
        final CommandLine cli = commandLine(stdout, stderr);
        return cli.execute(args.toArray(String[]::new));
    }

    /** The command line with every subcommand found, writing to {@code stdout} and {@code stderr}. */
    public static CommandLine commandLine(final PrintStream stdout, final PrintStream stderr) {
        final CommandLine cli = new CommandLine(new Probe());
        final List<ProbeSubcommand> subcommands = new ArrayList<>(List.of(new RunCommand(), new CheckCommand()));
        ServiceLoader.load(ProbeSubcommand.class).forEach(subcommands::add);
        if (subcommands.stream().noneMatch(s -> s instanceof DemoUnavailable || "demo".equals(name(s)))) {
            subcommands.add(new DemoUnavailable());
        }
        for (final ProbeSubcommand sub : subcommands) {
            sub.streams(stdout, stderr);
            cli.addSubcommand(sub);
        }
        cli.setOut(new PrintWriter(stdout, true, StandardCharsets.UTF_8));
        cli.setErr(new PrintWriter(stderr, true, StandardCharsets.UTF_8));
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setParameterExceptionHandler((e, argv) -> {
            final CommandLine c = e.getCommandLine();
            c.getErr().println("probe: " + e.getMessage() + " (see " + c.getCommandSpec().qualifiedName() + " --help)");
            return USAGE_ERROR;
        });
        cli.setExecutionExceptionHandler((e, c, parsed) -> {
            if (e instanceof ProbeException) {
                c.getErr().println("probe: " + e.getMessage());
                return USAGE_ERROR;
            }
            if (e instanceof InvalidPathException bad) {
                c.getErr().println("probe: Invalid path " + bad.getInput() + ": " + bad.getReason());
                return USAGE_ERROR;
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                c.getErr().println("probe: interrupted");
                return 130;
            }
            c.getErr().println("probe: internal error, please report it with the trace below: " + e);
            e.printStackTrace(c.getErr());
            return 1;
        });
        return cli;
    }

    private static String name(final ProbeSubcommand sub) {
        final Command command = sub.getClass().getAnnotation(Command.class);
        return command == null ? "" : command.name();
    }

    /** {@code probe demo} where the demo module is not installed: a release carries no Kafka broker. */
    @Command(name = "demo", mixinStandardHelpOptions = true,
            description = "Runs the demo; only in a source checkout (bin/probe demo).")
    static final class DemoUnavailable extends ProbeSubcommand.Base {
        @Override
        public Integer call() {
            throw new ProbeException("probe demo runs from a source checkout (git clone, then bin/probe demo): "
                    + "it starts a Kafka broker, which this installation does not carry");
        }
    }

    /** {@code probe --version}: the runtime's and the SPI's versions. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"probe " + version(Main.class) + " (probe-api " + version(dev.probe.spi.Sink.class) + ")"};
        }
    }

    static String version(final Class<?> type) {
        final String v = type.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }
}
