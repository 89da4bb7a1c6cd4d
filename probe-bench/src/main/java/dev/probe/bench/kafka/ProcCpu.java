package dev.probe.bench.kafka;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

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
        return seconds(Path.of("/proc", Long.toString(pid), "stat"));
    }

    /**
     * Seconds of CPU each group of {@code pid}'s live threads has used so far, by the thread's name
     * ({@code /proc/<pid>/task/<tid>/comm}, cut to 15 characters by Linux) grouped as: {@code rx}
     * (receive workers), {@code tx} (transmit workers), {@code kafka-io} (the Kafka client's I/O
     * threads), {@code main}, {@code gc}, {@code jit}, {@code other}. Empty when the process is gone.
     */
    static Map<String, Double> secondsByThreadGroup(final long pid) {
        final Map<String, Double> groups = new TreeMap<>();
        final Path tasks = Path.of("/proc", Long.toString(pid), "task");
        try (Stream<Path> list = Files.list(tasks)) {
            list.forEach(task -> {
                final double cpu = seconds(task.resolve("stat"));
                if (Double.isNaN(cpu)) {
                    return;
                }
                String name;
                try {
                    name = Files.readString(task.resolve("comm")).trim();
                } catch (IOException e) {
                    return;
                }
                groups.merge(group(name), cpu, Double::sum);
            });
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
        return groups;
    }

    private static String group(final String thread) {
        if (thread.startsWith("rx-")) {
            return "rx";
        }
        if (thread.startsWith("tx-")) {
            return "tx";
        }
        if (thread.startsWith("kafka-producer")) {
            return "kafka-io";
        }
        if (thread.equals("main") || thread.equals("java")) {
            return "main";
        }
        if (thread.startsWith("GC ") || thread.startsWith("G1 ")) {
            return "gc";
        }
        if (thread.startsWith("C1 ") || thread.startsWith("C2 ")) {
            return "jit";
        }
        return "other";
    }

    private static double seconds(final Path stat) {
        try {
            final String text = Files.readString(stat);
            // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
            final String[] f = text.substring(text.lastIndexOf(')') + 2).split(" ");
            // f[0] is field 3 (state): utime is field 14, stime field 15.
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}
