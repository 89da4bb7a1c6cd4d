package dev.probe.source.synthetic;

import com.typesafe.config.Config;
import dev.probe.api.Settings;
import dev.probe.spi.CaptureSource;
import dev.probe.spi.CaptureSourceProvider;

/**
 * {@code probe.source.type = synthetic}: generates Ethernet/IPv4/UDP frames from memory as fast as the
 * pipeline takes them, to measure the pipeline and the sink without a NIC.
 */
public final class SyntheticSourceProvider implements CaptureSourceProvider {

    /** {@code probe.source.synthetic}, checked. */
    private record SyntheticSettings(int queues, int frameSize, long packets, int distinctFrames, boolean live) {
        static SyntheticSettings from(final Config config) {
            return new SyntheticSettings(
                    Settings.intInRange(config, "probe.source.synthetic.queues", 1, 64),
                    Settings.intInRange(config, "probe.source.synthetic.frame-size", 60, 9216),
                    Settings.longInRange(config, "probe.source.synthetic.packets", 0, Long.MAX_VALUE),
                    Settings.intInRange(config, "probe.source.synthetic.distinct-frames", 1, 1 << 20),
                    Settings.bool(config, "probe.source.synthetic.live"));
        }
    }

    @Override
    public String name() {
        return "synthetic";
    }

    @Override
    public void validate(final Config config) {
        SyntheticSettings.from(config);
    }

    @Override
    public CaptureSource open(final Config config) {
        final SyntheticSettings s = SyntheticSettings.from(config);
        return new SyntheticSource(s.queues(), s.frameSize(), s.packets(), s.distinctFrames(), s.live());
    }
}
