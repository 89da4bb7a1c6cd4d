package dev.probe.runtime.cli;

import dev.probe.runtime.ProbeRun;
import dev.probe.runtime.stats.Snapshot;
import dev.probe.runtime.stats.SummaryJson;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

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
        final String json = SummaryJson.render(Snapshot.empty(), ProbeRun.Outcome.STARTUP_FAILED.label(), error,
                ProbeRun.EXIT_USER_ERROR);
        try {
            final Path target = file.toAbsolutePath();
            final Path temp = target.resolveSibling("." + target.getFileName() + ".tmp");
            Files.deleteIfExists(temp);
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temp, json);
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | UnsupportedOperationException e) {
            err.println("probe: cannot write summary file " + file + ": " + e.getMessage() + " (--summary)");
        }
    }
}
