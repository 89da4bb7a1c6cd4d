package dev.probe.runtime.inject;

import com.typesafe.config.Config;
import dagger.Module;
import dagger.Provides;
import dev.probe.runtime.config.RuntimeSettings;
import dev.probe.spi.CaptureSource;
import dev.probe.spi.SinkFactory;

import jakarta.inject.Singleton;

/** Settings, the capture source and the sink factory, the latter two found by name. */
@Module
final class PipelineModule {
    private PipelineModule() {
    }

    @Provides
    @Singleton
    static RuntimeSettings settings(final Config config) {
        return RuntimeSettings.from(config);
    }

    @Provides
    @Singleton
    static SinkFactory sinkFactory(final Config config, final RuntimeSettings settings) {
        return Providers.sink(config).configure(config);
    }

    @Provides
    @Singleton
    static CaptureSource source(final Config config, final RuntimeSettings settings, final SinkFactory validatedFirst) {
        // The sink's settings are validated before the device is opened: a typo fails fast.
        return Providers.source(config).open(config);
    }
}
