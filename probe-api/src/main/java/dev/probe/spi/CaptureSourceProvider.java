package dev.probe.spi;

import com.typesafe.config.Config;

import java.util.Set;

/**
 * Opens a kind of capture source, found by {@link #name()} through {@link java.util.ServiceLoader}
 * when {@code probe.source.type} names it. Implementations need a public no-argument constructor and a
 * {@code META-INF/services/dev.probe.spi.CaptureSourceProvider} entry.
 */
public interface CaptureSourceProvider {

    /** The value of {@code probe.source.type} that selects this source: {@code pcap}, {@code dpdk}. */
    String name();

    /**
     * Checks the source's settings without opening anything: everything {@link #open} would reject that
     * can be known before opening (a missing file, a bad filter, a core that does not exist). Used by
     * {@code probe check} for every source section the user wrote, selected or not. Called on the main
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

    /**
     * Paths under {@code probe.source.<name>} whose keys are not listed in {@code reference.conf}
     * because they are passed on: the runtime does not report their keys as unknown. Empty by default.
     */
    default Set<String> freeFormPaths() {
        return Set.of();
    }
}
