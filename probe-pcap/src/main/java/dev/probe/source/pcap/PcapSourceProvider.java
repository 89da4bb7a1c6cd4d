package dev.probe.source.pcap;

import com.typesafe.config.Config;
import dev.probe.spi.CaptureSource;
import dev.probe.spi.CaptureSourceProvider;

/**
 * The {@code pcap} capture source: a capture file (pcap or pcapng) or a live interface read through
 * libpcap with pcap4j, configured under {@code probe.source.pcap}. Found by {@link java.util.ServiceLoader}.
 */
public final class PcapSourceProvider implements CaptureSourceProvider {

    /** For {@link java.util.ServiceLoader}. */
    public PcapSourceProvider() {
    }

    /** {@code pcap}. */
    @Override
    public String name() {
        return "pcap";
    }

    /**
     * Reads and checks {@code probe.source.pcap}: every setting's type and range, then that the capture
     * file exists, is readable and starts as a capture file, or that the interface exists, and that the
     * filter compiles for the file's or interface's link type. Opens no capture.
     */
    @Override
    public void validate(final Config config) {
        PcapCaptureSource.validate(PcapSettings.from(config));
    }

    /**
     * Validates {@code probe.source.pcap} and opens the file or interface it names. Called once on the
     * main thread.
     *
     * @throws dev.probe.api.ProbeException for a bad setting, a missing, unreadable or damaged-at-the-start
     *         file, an absent interface, a filter libpcap rejects, or a missing libpcap
     */
    @Override
    public CaptureSource open(final Config config) {
        return PcapCaptureSource.open(PcapSettings.from(config));
    }
}
