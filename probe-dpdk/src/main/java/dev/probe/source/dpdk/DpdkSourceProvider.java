package dev.probe.source.dpdk;

import com.typesafe.config.Config;
import dev.probe.spi.CaptureSource;
import dev.probe.spi.CaptureSourceProvider;

/** Opens a {@link DpdkSource} when {@code probe.source.type = dpdk}. */
public final class DpdkSourceProvider implements CaptureSourceProvider {

    /** Required by {@link java.util.ServiceLoader}. */
    public DpdkSourceProvider() {
    }

    @Override
    public String name() {
        return "dpdk";
    }

    /** Reads and checks {@code probe.source.dpdk}; the device limits are checked only when it opens. */
    @Override
    public void validate(final Config config) {
        DpdkSettings.from(config);
    }

    @Override
    public CaptureSource open(final Config config) {
        return DpdkSource.open(config);
    }
}
