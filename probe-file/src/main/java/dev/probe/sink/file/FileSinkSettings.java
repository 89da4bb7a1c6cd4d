package dev.probe.sink.file;

import com.typesafe.config.Config;
import dev.probe.api.ProbeException;
import dev.probe.api.Settings;
import dev.probe.file.format.CaptureFormat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * The validated settings of {@code probe.sink.file}, read once by {@link #from(Config)} on the main
 * thread; immutable. Every key is documented in this module's {@code reference.conf}.
 *
 * @param directory where the files go
 * @param format the capture-file format
 * @param fileName the file-name pattern
 * @param rotateSize bytes before a new file starts; 0 for no limit
 * @param rotateInterval how long a file stays open; zero for no limit
 * @param maxFiles complete files kept per worker; 0 for no limit
 * @param maxBytes bytes of complete files kept per worker; 0 for no limit
 * @param fsync when data is forced to the disk
 * @param fsyncInterval how often, for {@link FsyncPolicy#INTERVAL}
 * @param bufferSize bytes of each worker's write buffer
 * @param linger the longest packets wait in the buffer
 * @param retryInterval how long packets are dropped at once after a write failure before a new try
 */
record FileSinkSettings(Path directory, CaptureFormat format, FileNamePattern fileName, long rotateSize,
                        Duration rotateInterval, int maxFiles, long maxBytes, FsyncPolicy fsync,
                        Duration fsyncInterval, int bufferSize, Duration linger, Duration retryInterval) {
    /** The configuration section these settings are read from. */
    static final String PATH = "probe.sink.file";
    /** The folder setting, named by errors about the folder. */
    static final String DIRECTORY_PATH = PATH + ".directory";
    static final String FORMAT_PATH = PATH + ".format";

    private static final int MIN_BUFFER = 4 << 10;
    private static final int MAX_BUFFER = 1 << 30;

    /**
     * Reads and validates {@code probe.sink.file} of the whole resolved configuration; touches no file.
     *
     * @throws ProbeException naming the first bad setting, what was expected and where it was given
     */
    static FileSinkSettings from(final Config config) {
        final Path directory = Settings.path(config, DIRECTORY_PATH);
        final CaptureFormat format = switch (Settings.oneOf(config, FORMAT_PATH, Set.of("pcap", "pcapng"))) {
            case "pcap" -> CaptureFormat.PCAP;
            default -> CaptureFormat.PCAPNG;
        };
        final String fileNamePath = PATH + ".file-name";
        final FileNamePattern fileName;
        try {
            fileName = FileNamePattern.parse(Settings.nonEmptyString(config, fileNamePath));
        } catch (IllegalArgumentException e) {
            throw Settings.invalid(config, fileNamePath, e.getMessage());
        }
        final long rotateSize = Settings.bytes(config, PATH + ".rotate.size", 0, Long.MAX_VALUE);
        final Duration rotateInterval = Settings.duration(config, PATH + ".rotate.interval", Duration.ZERO, Duration.ofDays(366));
        final int maxFiles = Settings.intInRange(config, PATH + ".retention.max-files", 0, Integer.MAX_VALUE);
        final String maxBytesPath = PATH + ".retention.max-bytes";
        final long maxBytes = Settings.bytes(config, maxBytesPath, 0, Long.MAX_VALUE);
        if (maxBytes > 0 && rotateSize > 0 && maxBytes < rotateSize) {
            throw Settings.invalid(config, maxBytesPath, "0 (no limit) or at least " + PATH + ".rotate.size ("
                    + rotateSize + " bytes), or every complete file would be deleted at once");
        }
        final FsyncPolicy fsync = Settings.enumValue(config, PATH + ".fsync", FsyncPolicy.class);
        final Duration fsyncInterval = Settings.duration(config, PATH + ".fsync-interval", Duration.ofMillis(1), Duration.ofHours(1));
        final int bufferSize = (int) Settings.bytes(config, PATH + ".buffer-size", MIN_BUFFER, MAX_BUFFER);
        final Duration linger = Settings.duration(config, PATH + ".linger", Duration.ZERO, Duration.ofHours(1));
        final Duration retryInterval = Settings.duration(config, PATH + ".retry-interval", Duration.ZERO, Duration.ofHours(1));
        return new FileSinkSettings(directory, format, fileName, rotateSize, rotateInterval, maxFiles, maxBytes,
                fsync, fsyncInterval, bufferSize, linger, retryInterval);
    }

    /**
     * For the start line: {@code pcapng files in /var/lib/probe (rotate at 1 GiB or 1h, keep 100 files
     * per worker)}.
     */
    String description() {
        final StringBuilder rotation = new StringBuilder();
        if (rotateSize > 0) {
            rotation.append("rotate at ").append(bytes(rotateSize));
        }
        if (!rotateInterval.isZero()) {
            rotation.append(rotation.isEmpty() ? "rotate every " : " or ").append(duration(rotateInterval));
        }
        if (rotation.isEmpty()) {
            rotation.append("no rotation");
        }
        final String keep;
        if (maxFiles == 0 && maxBytes == 0) {
            keep = "keep every file";
        } else {
            keep = "keep " + (maxFiles > 0 ? maxFiles + (maxFiles == 1 ? " file" : " files") : "")
                    + (maxFiles > 0 && maxBytes > 0 ? " and " : "")
                    + (maxBytes > 0 ? bytes(maxBytes) : "") + " per worker";
        }
        return format.extension() + " files in " + directory.toAbsolutePath().normalize() + " (" + rotation + ", "
                + keep + ")";
    }

    /** {@code 1 GiB}, {@code 64 MiB}, {@code 12 KiB} when exact, else {@code 1500 bytes}. */
    static String bytes(final long n) {
        final String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB"};
        long value = n;
        int unit = 0;
        while (value >= 1024 && value % 1024 == 0 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return value + " " + units[unit];
    }

    /** {@code 1h}, {@code 15m}, {@code 30s}, {@code 250ms}: the largest whole unit. */
    static String duration(final Duration d) {
        final long ms = d.toMillis();
        if (ms == 0) {
            return d.isZero() ? "0s" : d.toNanos() + "ns";
        }
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1_000 == 0) {
            return ms / 1_000 + "s";
        }
        return String.format(Locale.ROOT, "%dms", ms);
    }
}
