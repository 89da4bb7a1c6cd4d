package dev.probe.runtime.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;

/**
 * The cores this process may run on, from {@code Cpus_allowed_list} in {@code /proc/self/status} (the
 * online cores, narrowed by taskset, cgroups and systemd's {@code CPUAffinity}): a worker pinned to any
 * other core fails. Read once when settings are validated.
 */
final class AllowedCpus {
    private AllowedCpus() {
    }

    /** The allowed cores, or null when the kernel does not say (not Linux). */
    static BitSet read() {
        return read(Path.of("/proc/self/status"));
    }

    static BitSet read(final Path status) {
        final List<String> lines;
        try {
            lines = Files.readAllLines(status);
        } catch (IOException | RuntimeException e) {
            return null;
        }
        for (final String line : lines) {
            if (line.startsWith("Cpus_allowed_list:")) {
                return parse(line.substring("Cpus_allowed_list:".length()).strip());
            }
        }
        return null;
    }

    /** {@code 0-3,8,10-11}; null when it does not read as such a list. */
    static BitSet parse(final String list) {
        final BitSet cpus = new BitSet();
        try {
            for (final String part : list.split(",")) {
                final String p = part.strip();
                if (p.isEmpty()) {
                    continue;
                }
                final int dash = p.indexOf('-');
                final int from = Integer.parseInt(dash < 0 ? p : p.substring(0, dash));
                final int to = dash < 0 ? from : Integer.parseInt(p.substring(dash + 1));
                cpus.set(from, to + 1);
            }
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            return null;
        }
        return cpus.isEmpty() ? null : cpus;
    }

    /** {@code 0-1,4} for messages. */
    static String describe(final BitSet cpus) {
        final StringBuilder b = new StringBuilder();
        for (int from = cpus.nextSetBit(0); from >= 0; ) {
            final int to = cpus.nextClearBit(from) - 1;
            b.append(b.isEmpty() ? "" : ",").append(from).append(to > from ? "-" + to : "");
            from = cpus.nextSetBit(to + 1);
        }
        return b.toString();
    }
}
