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

    /**
     * Checks {@code probe.source.dpdk} without starting DPDK: types and ranges, the options, cores and
     * capture files of {@code eal-args}, and the queues of a {@code --vdev} port (see {@link DpdkSettings});
     * the limits of the device itself are checked only when it opens.
     */
    @Override
    public void validate(final Config config) {
        DpdkSettings.from(config);
    }

    @Override
    public CaptureSource open(final Config config) {
        return DpdkSource.open(config);
    }
}
