package dev.probe.runtime.cli;

import dev.probe.api.ProbeException;
import dev.probe.runtime.ProbeRun;
import dev.probe.runtime.config.ConfigLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@code probe run}: captures and sends to the sink until stopped. Main thread. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Capture and send to the sink until the input ends, a stop condition is met, or a signal.",
                "SIGINT, SIGTERM and SIGHUP stop cleanly: the rings drain and the sinks deliver what is in flight, within probe.shutdown.timeout; a second signal exits at once (status 130, 143, 129).",
                "The end of a capture file waits until every packet is delivered or failed."},
        footer = {"", "Exit status: 0 done; 1 internal error; 2 a bad option, setting, file or device, or a destination that cannot be reached; "
                + "3 a capture file was read to its end (or to --max-packets) with packets dropped; "
                + "129, 130, 143 a second SIGHUP, SIGINT, SIGTERM cut the stop short.",
                "--summary FILE is written however the run ends, with its outcome and error."})
final class RunCommand extends ProbeSubcommand.Base {
    @Mixin
    ConfigOptions config;

    @Mixin
    CaptureShortcuts shortcuts;

    @Option(names = "--max-packets", paramLabel = "N", description = "Stop after N packets are captured (probe.stop.max-packets)")
    Long maxPackets;

    @Option(names = "--duration", paramLabel = "D",
            description = "Stop D after capture starts (once every sink is connected), such as 30s or 5m (probe.stop.duration)")
    String duration;

    @Option(names = "--summary", paramLabel = "FILE", description = "Write the final counters as JSON to FILE (mode 0600), however the run ends")
    Path summary;

    @Override
    public Integer call() throws InterruptedException {
        if (summary != null) {
            final Path parent = summary.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                throw new ProbeException("Cannot write summary file " + summary + ": folder " + parent + " does not exist (--summary)");
            }
        }
        final SettingsOptions.Loaded loaded;
        try {
            loaded = config.load(settings(), err);
            loaded.plugins().source(loaded.config());
            loaded.plugins().sink(loaded.config());
        } catch (ProbeException e) {
            if (summary != null) {
                StartupSummary.write(summary, e.getMessage(), err);
            }
            throw e;
        }
        loaded.warnAboutBrokenPlugins(err);
        final ProbeRun run = new ProbeRun(loaded.config(), loaded.plugins(), summary, err);
        final SignalStop signals = SignalStop.install(run, err);
        try {
            final ProbeRun.Result result = run.execute();
            if (result.error() != null) {
                err.println("probe: " + result.error());
            }
            return result.exitCode();
        } finally {
            signals.uninstall();
        }
    }

    /** The settings the options stand for. */
    private List<ConfigLoader.Assignment> settings() {
        final List<ConfigLoader.Assignment> settings = new ArrayList<>(shortcuts.settings("run"));
        if (maxPackets != null) {
            if (maxPackets < 1) {
                throw new ProbeException("Invalid value " + maxPackets + " for --max-packets: expected an integer of at least 1");
            }
            settings.add(SettingsOptions.assignHocon("--max-packets", "probe.stop.max-packets", String.valueOf(maxPackets)));
        }
        if (duration != null) {
            settings.add(SettingsOptions.assignHocon("--duration", "probe.stop.duration", durationMillis(duration) + "ms"));
        }
        return settings;
    }

    private static long durationMillis(final String value) {
        final Duration d;
        try {
            d = com.typesafe.config.ConfigFactory.parseString("d = " + com.typesafe.config.ConfigUtil.quoteString(value))
                    .getDuration("d");
        } catch (RuntimeException e) {
            throw new ProbeException("Invalid value " + value + " for --duration: expected a duration such as 30s, 500ms or 2m");
        }
        if (d.isNegative() || d.isZero()) {
            throw new ProbeException("Invalid value " + value + " for --duration: expected a duration above 0, such as 30s");
        }
        if (d.compareTo(Duration.ofDays(365 * 100L)) > 0) {
            throw new ProbeException("Invalid value " + value + " for --duration: expected a duration up to 36500d");
        }
        return d.toMillis();
    }
}
