package dev.probe.source.pcap;

import com.typesafe.config.Config;
import dev.probe.api.ProbeException;
import dev.probe.api.Settings;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The validated {@code probe.source.pcap} section, read once on the main thread. Exactly one of
 * {@link #file()} and {@link #interfaceName()} is non-null.
 */
final class PcapSettings {
    static final String PREFIX = "probe.source.pcap.";
    static final String FILE = PREFIX + "file";
    static final String INTERFACE = PREFIX + "interface";
    static final String SNAPLEN = PREFIX + "snaplen";
    static final String PROMISCUOUS = PREFIX + "promiscuous";
    static final String FILTER = PREFIX + "filter";
    static final String BUFFER_SIZE = PREFIX + "buffer-size";
    static final String TIMEOUT = PREFIX + "timeout";
    static final String BUFFER_PACKETS = PREFIX + "buffer-packets";

    /** libpcap's MAXIMUM_SNAPLEN. */
    static final int MAX_SNAPLEN = 262_144;
    static final long MIN_BUFFER_SIZE = 64L * 1024;
    static final long MAX_BUFFER_SIZE = Integer.MAX_VALUE;
    static final Duration MIN_TIMEOUT = Duration.ofMillis(1);
    static final Duration MAX_TIMEOUT = Duration.ofSeconds(10);
    static final int MAX_BUFFER_PACKETS = 1 << 24;

    private final Config config;
    private final Path file;
    private final String interfaceName;
    private final int snaplen;
    private final boolean promiscuous;
    private final String filter;
    private final int bufferSize;
    private final int timeoutMillis;
    private final int bufferPackets;

    private PcapSettings(final Config config) {
        this.config = config;
        final String fileValue = Settings.string(config, FILE).strip();
        final String interfaceValue = Settings.string(config, INTERFACE).strip();
        if (fileValue.isEmpty() && interfaceValue.isEmpty()) {
            throw new ProbeException("No capture file or interface for the pcap source: set " + FILE
                    + " (run -r FILE) or " + INTERFACE + " (run -i IFACE)");
        }
        if (!fileValue.isEmpty() && !interfaceValue.isEmpty()) {
            throw new ProbeException("Exactly one of " + FILE + " and " + INTERFACE + " must be set: both are ("
                    + FILE + " = \"" + fileValue + "\"" + Settings.origin(config, FILE) + ", " + INTERFACE + " = \""
                    + interfaceValue + "\"" + Settings.origin(config, INTERFACE) + ")");
        }
        file = fileValue.isEmpty() ? null : path(config, fileValue);
        interfaceName = interfaceValue.isEmpty() ? null : interfaceValue;
        snaplen = Settings.intInRange(config, SNAPLEN, 1, MAX_SNAPLEN);
        promiscuous = Settings.bool(config, PROMISCUOUS);
        filter = Settings.string(config, FILTER).strip();
        bufferSize = (int) Settings.bytes(config, BUFFER_SIZE, MIN_BUFFER_SIZE, MAX_BUFFER_SIZE);
        timeoutMillis = (int) Settings.duration(config, TIMEOUT, MIN_TIMEOUT, MAX_TIMEOUT).toMillis();
        bufferPackets = Settings.intInRange(config, BUFFER_PACKETS, 1, MAX_BUFFER_PACKETS);
    }

    /** Reads and validates {@code probe.source.pcap} of the whole configuration. */
    static PcapSettings from(final Config config) {
        return new PcapSettings(config);
    }

    /** The absolute capture file path, or null for live capture. */
    Path file() {
        return file;
    }

    /** The live interface name, or null for a capture file. */
    String interfaceName() {
        return interfaceName;
    }

    int snaplen() {
        return snaplen;
    }

    boolean promiscuous() {
        return promiscuous;
    }

    /** The BPF expression, empty for none. */
    String filter() {
        return filter;
    }

    int bufferSize() {
        return bufferSize;
    }

    int timeoutMillis() {
        return timeoutMillis;
    }

    int bufferPackets() {
        return bufferPackets;
    }

    /** The error for a filter libpcap rejected, with libpcap's own words. */
    ProbeException invalidFilter(final String libpcapMessage) {
        return Settings.invalid(config, FILTER, "a BPF expression libpcap can compile, libpcap says: "
                + oneLine(libpcapMessage));
    }

    /** Makes a native message fit the one-line rule of {@link ProbeException}. */
    static String oneLine(final String message) {
        return message == null ? "(no message)" : message.strip().replaceAll("\\s*[\\r\\n]+\\s*", "; ");
    }

    private static Path path(final Config config, final String value) {
        try {
            return Path.of(value).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw Settings.invalid(config, FILE, "a file path (" + e.getReason() + ")");
        }
    }
}
