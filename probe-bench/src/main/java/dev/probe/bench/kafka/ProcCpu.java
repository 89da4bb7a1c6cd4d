package dev.probe.bench.kafka;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time a process has used so far (user + system, every thread), from {@code /proc/<pid>/stat}.
 * Linux only; the clock tick is the kernel's USER_HZ, 100 on every Linux architecture the probe runs on.
 */
final class ProcCpu {
    private static final double TICKS_PER_SECOND = 100.0;

    private ProcCpu() {
    }

    /** Seconds of CPU {@code pid} has used, or NaN when it is gone. */
    static double seconds(final long pid) {
        try {
            final String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
            final String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // f[0] is field 3 (state): utime is field 14, stime field 15.
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}
