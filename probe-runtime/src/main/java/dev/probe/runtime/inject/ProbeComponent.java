package dev.probe.runtime.inject;

import com.typesafe.config.Config;
import dagger.BindsInstance;
import dagger.Component;
import dev.probe.runtime.config.RuntimeSettings;
import dev.probe.runtime.pipeline.Pipeline;
import dev.probe.runtime.plugin.Plugins;
import dev.probe.spi.CaptureSource;
import dev.probe.spi.SinkFactory;

import jakarta.inject.Singleton;

/**
 * The runtime's object graph: configuration and plugins, then the settings, the sink factory, the
 * capture source, the idle strategies and the pipeline that joins them. Created once per run on the
 * main thread.
 */
@Singleton
@Component(modules = {PipelineModule.class, IdleStrategyModule.class})
public interface ProbeComponent {

    /** Validated runtime settings. */
    RuntimeSettings settings();

    /** The selected sink's factory, its settings validated; connects to nothing yet. */
    SinkFactory sinkFactory();

    /** The capture source, opened on first call (after the sink's settings were validated). */
    CaptureSource source();

    /**
     * The pipeline, built on first call: opens the source and creates (connects) one sink per transmit
     * worker.
     *
     * @throws dev.probe.api.ProbeException for bad settings, a source that cannot be opened, or a sink
     *         that cannot connect
     */
    Pipeline pipeline();

    /** Creates the component. */
    @Component.Factory
    interface Factory {
        /**
         * @param config the effective configuration (see ConfigLoader)
         * @param plugins the sources and sinks to choose from
         */
        ProbeComponent create(@BindsInstance Config config, @BindsInstance Plugins plugins);
    }

    /** The component for {@code config} and {@code plugins}. */
    static ProbeComponent create(final Config config, final Plugins plugins) {
        return DaggerProbeComponent.factory().create(config, plugins);
    }
}
