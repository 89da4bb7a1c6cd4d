package dev.probe.testkit;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The real-world captures in {@code ../shared/pcaps} and their manifest.
 *
 * <p>Tests call {@link #require()}: on a user's clone without {@code ../shared} the test is skipped with
 * a reason; under {@code CI=true} a missing folder fails the test instead.
 */
public final class SharedCaptures {

    /** One manifest row. */
    public record Entry(String file, String format, String linktype, int packets, int maxCaplen,
                        int truncated, long bytes, String framesSha256) {
        /** The capture's path. */
        public Path path() {
            return folder().resolve(file);
        }
    }

    private SharedCaptures() {
    }

    /** The captures folder: {@code $PROBE_SHARED/pcaps}, else {@code ../shared/pcaps} from the checkout. */
    public static Path folder() {
        final String env = System.getenv("PROBE_SHARED");
        if (env != null && !env.isBlank()) {
            return Path.of(env, "pcaps").toAbsolutePath().normalize();
        }
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            final Path candidate = dir.resolveSibling("shared").resolve("pcaps");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
            dir = dir.getParent();
        }
        return Path.of("..", "shared", "pcaps").toAbsolutePath().normalize();
    }

    /** Skips (or, under {@code CI=true}, fails) the calling test when the captures are absent. */
    public static List<Entry> require() {
        final Path manifest = folder().resolve("MANIFEST.tsv");
        if (!Files.isRegularFile(manifest)) {
            NativeRequirement.skipOrFail("the shared captures are not at " + folder()
                    + " (clone with ../shared beside the checkout, or set PROBE_SHARED)");
        }
        return read(manifest);
    }

    /** The manifest row for {@code file}. */
    public static Entry entry(final String file) {
        return require().stream().filter(e -> e.file().equals(file)).findFirst()
                .orElseThrow(() -> new AssertionError("no manifest row for " + file));
    }

    private static List<Entry> read(final Path manifest) {
        try {
            final List<Entry> entries = new ArrayList<>();
            for (final String line : Files.readAllLines(manifest)) {
                if (line.isBlank() || line.startsWith("file\t")) {
                    continue;
                }
                final String[] f = line.split("\t");
                entries.add(new Entry(f[0], f[1], f[2], Integer.parseInt(f[3]), Integer.parseInt(f[4]),
                        Integer.parseInt(f[5]), Long.parseLong(f[6]), f[7]));
            }
            return List.copyOf(entries);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the tests run under CI, where nothing may be skipped. */
    public static boolean underCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Internal: keeps {@link Assumptions} use in one place. */
    static void skip(final String reason) {
        Assumptions.abort(reason);
    }
}
