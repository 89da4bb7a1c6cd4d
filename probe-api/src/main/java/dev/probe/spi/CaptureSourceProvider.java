package dev.probe.spi;

import com.typesafe.config.Config;

/**
 * Opens a kind of capture source, found by {@link #name()} through {@link java.util.ServiceLoader}
 * when {@code probe.source.type} names it. Implementations need a public no-argument constructor and a
 * {@code META-INF/services/dev.probe.spi.CaptureSourceProvider} entry.
 */
public interface CaptureSourceProvider {

    /** The value of {@code probe.source.type} that selects this source: {@code pcap}, {@code dpdk}. */
    String name();

    /**
     * Checks the source's settings without opening anything, for {@code probe check}. Called on the main
     * thread; {@link #open} checks them again.
     *
     * @param config the whole resolved configuration
     * @throws dev.probe.api.ProbeException naming the first bad setting
     */
    void validate(Config config);

    /**
     * Validates the source's settings and opens it. Called once on the main thread.
     *
     * @param config the whole resolved configuration; the source reads {@code probe.source.<name>} and
     *        may read {@code probe.receive.*} and {@code probe.transmit.*} to size its buffers
     * @throws dev.probe.api.ProbeException for a bad setting or a device or file that cannot be opened
     */
    CaptureSource open(Config config);
}
