package dev.probe.runtime.cli;

import dev.probe.runtime.ProbeRun;
import dev.probe.runtime.stats.Snapshot;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The {@code --summary} file of a run that failed before {@link ProbeRun} could start: a bad setting,
 * an unknown key, an unreadable configuration file. Written as {@link ProbeRun} writes its own: outcome
 * {@code startup-failed}, the error, zero counts, mode 0600, through a temporary file. Main thread.
 */
final class StartupSummary {
    private StartupSummary() {
    }

    /** Writes it; a failure to write is reported on {@code err} and otherwise ignored. */
    static void write(final Path file, final String error, final PrintStream err) {
        ProbeRun.writeSummary(file, new ProbeRun.Result(Snapshot.empty(), ProbeRun.Outcome.STARTUP_FAILED, error,
                true, true, false), ProbeRun.EXIT_USER_ERROR, err);
    }
}
