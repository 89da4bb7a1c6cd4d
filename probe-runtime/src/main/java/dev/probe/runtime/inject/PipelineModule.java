package dev.probe.runtime.inject;

import com.typesafe.config.Config;
import dagger.Module;
import dagger.Provides;
import dev.probe.runtime.config.RuntimeSettings;
import dev.probe.runtime.plugin.Plugins;
import dev.probe.spi.CaptureSource;
import dev.probe.spi.SinkFactory;

import jakarta.inject.Singleton;

/** Settings, then the sink factory and the capture source, both found by name among the plugins. */
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
    static SinkFactory sinkFactory(final Config config, final Plugins plugins, final RuntimeSettings validatedFirst) {
        return Plugins.configure(plugins.sink(config), config);
    }

    @Provides
    @Singleton
    static CaptureSource source(final Config config, final Plugins plugins, final SinkFactory validatedFirst) {
        // The sink's settings are validated before the device is opened: a typo fails fast.
        return Plugins.open(plugins.source(config), config);
    }
}
