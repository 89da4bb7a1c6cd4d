package dev.probe.sink.file;

import com.typesafe.config.Config;
import dev.probe.api.ProbeException;
import dev.probe.api.Settings;
import dev.probe.spi.Sink;
import dev.probe.spi.SinkContext;
import dev.probe.spi.SinkCounters;
import dev.probe.spi.SinkFactory;
import dev.probe.spi.SinkProvider;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code file} sink: full packet capture to local disk, in rotating pcap or pcapng files, each
 * transmit worker writing files of its own (see {@link FileSink}). Found through
 * {@link java.util.ServiceLoader}; settings under {@code probe.sink.file} (this module's
 * {@code reference.conf}).
 */
public final class FileSinkProvider implements SinkProvider {
    /** The value of {@code probe.sink.type} that selects this sink. */
    public static final String NAME = "file";

    private static final System.Logger LOG = System.getLogger(FileSinkProvider.class.getName());

    /** Needed by {@link java.util.ServiceLoader}. */
    public FileSinkProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * Reads and validates {@code probe.sink.file}, without touching the folder. The factory checks the
     * folder when it creates the first sink, and finishes the files an earlier run left unfinished
     * there. Main thread.
     */
    @Override
    public SinkFactory configure(final Config config) {
        final FileSinkSettings settings = FileSinkSettings.from(config);
        final SinkFolder folder = new SinkFolder(settings.directory(), settings.fileName());
        return new SinkFactory() {
            private boolean leftoversFinished;

            /**
             * Checks that the folder exists and can be written, finishes leftovers of an earlier run
             * (first call only), and creates the worker's sink. Main thread.
             */
            @Override
            public Sink create(final SinkContext context) {
                checkFolder(config, settings.directory());
                if (!leftoversFinished) {
                    leftoversFinished = true;
                    try {
                        folder.finishLeftovers().forEach(line -> LOG.log(Level.WARNING, "file sink: " + line));
                    } catch (IOException e) {
                        throw folderError(config, settings.directory(), "a folder this user can list ("
                                + SinkCounters.describe(e) + ")");
                    }
                }
                return FileSink.start(settings, context, folder, System::nanoTime);
            }

            @Override
            public String description() {
                return settings.description();
            }

            /** The folder, its free space, and the sink's files already there. */
            @Override
            public List<String> checkDestination() {
                checkFolder(config, settings.directory());
                final Path dir = settings.directory().toAbsolutePath().normalize();
                final List<String> lines = new ArrayList<>();
                try {
                    final FileStore store = Files.getFileStore(dir);
                    lines.add("folder " + dir + ": writable, " + gib(store.getUsableSpace()) + " free of "
                            + gib(store.getTotalSpace()));
                    long files = 0;
                    long bytes = 0;
                    long parts = 0;
                    try (var entries = Files.newDirectoryStream(dir)) {
                        for (final Path entry : entries) {
                            final String name = entry.getFileName().toString();
                            if (settings.fileName().match(name) != null) {
                                files++;
                                bytes += Files.size(entry);
                            } else if (settings.fileName().matchPart(name) != null) {
                                parts++;
                            }
                        }
                    }
                    lines.add(files + " complete file(s) of this sink there (" + FileSinkSettings.bytes(bytes) + ")"
                            + (parts > 0 ? ", " + parts + " unfinished (.part) file(s) of an earlier run, finished at start"
                            : ""));
                } catch (IOException e) {
                    throw folderError(config, dir, "a folder this user can list (" + SinkCounters.describe(e) + ")");
                }
                return lines;
            }
        };
    }

    /**
     * Fails unless {@code directory} is an existing folder in which a file can really be created (as
     * root, permission bits say nothing: a read-only file system does).
     */
    static void checkFolder(final Config config, final Path directory) {
        final Path dir = directory.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw folderError(config, dir, "an existing folder (" + dir + (Files.exists(dir) ? " is not a folder)"
                    : " does not exist)"));
        }
        try {
            Files.delete(Files.createTempFile(dir, ".probe-write-check-", ".tmp"));
        } catch (IOException e) {
            throw folderError(config, dir, "a folder this user can write (" + SinkCounters.describe(e) + ")");
        }
    }

    private static ProbeException folderError(final Config config, final Path dir, final String expected) {
        return Settings.invalid(config, FileSinkSettings.DIRECTORY_PATH, expected);
    }

    private static String gib(final long bytes) {
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }
}
