package dev.probe.sink.kafka.export;

import java.io.PrintStream;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A progress line on a terminal, rewritten in place with a carriage return at most four times a second
 * and cleared at the end: {@code probe export: 41% (123,456 of 300,000 records read, 120,000 packets)}.
 * Only for a terminal: a log or a pipe gets the final line alone. Confined to the exporting thread.
 */
public final class TerminalProgress implements ExportProgress {
    private static final long INTERVAL = TimeUnit.MILLISECONDS.toNanos(250);

    private final PrintStream err;
    private long lastShown = System.nanoTime() - INTERVAL;
    private int lastWidth;

    /** Writes to {@code err}, which should be a terminal (see {@link #isTerminal}). */
    public TerminalProgress(final PrintStream err) {
        this.err = err;
    }

    /**
     * Whether file descriptor {@code fd} (2 for standard error) is a terminal, from the C library's
     * {@code isatty}; false when that cannot be asked.
     */
    @SuppressWarnings("restricted") // native access is enabled for the probe's JVM (--enable-native-access)
    public static boolean isTerminal(final int fd) {
        try {
            final Linker linker = Linker.nativeLinker();
            final MethodHandle isatty = linker.downcallHandle(linker.defaultLookup().findOrThrow("isatty"),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            return (int) isatty.invokeExact(fd) == 1;
        } catch (Throwable t) {
            return false;
        }
    }

    @Override
    public void update(final long read, final long toRead, final long written) {
        final long now = System.nanoTime();
        if (now - lastShown < INTERVAL) {
            return;
        }
        lastShown = now;
        show(line(read, toRead, written));
    }

    /** The progress line, without carriage return. */
    static String line(final long read, final long toRead, final long written) {
        if (toRead < 0) {
            return String.format(Locale.ROOT, "probe export: %,d records read, %,d packets (following new records)",
                    read, written);
        }
        final long percent = toRead == 0 ? 100 : Math.min(100, read * 100 / toRead);
        return String.format(Locale.ROOT, "probe export: %d%% (%,d of %,d records read, %,d packets)",
                percent, read, toRead, written);
    }

    private void show(final String line) {
        final StringBuilder b = new StringBuilder("\r").append(line);
        for (int i = line.length(); i < lastWidth; i++) {
            b.append(' ');
        }
        lastWidth = line.length();
        err.print(b);
        err.flush();
    }

    @Override
    public void done() {
        if (lastWidth > 0) {
            err.print("\r" + " ".repeat(lastWidth) + "\r");
            err.flush();
            lastWidth = 0;
        }
    }
}
