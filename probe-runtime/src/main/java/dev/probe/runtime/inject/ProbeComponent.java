package dev.probe.runtime.inject;

import com.typesafe.config.Config;
import dagger.BindsInstance;
import dagger.Component;
import dev.probe.runtime.config.RuntimeSettings;
import dev.probe.runtime.pipeline.Pipeline;

import jakarta.inject.Singleton;

/**
 * The runtime's object graph: configuration, then the capture source, the sink factory, the idle
 * strategies and the pipeline that joins them. Created once per run on the main thread.
 */
@Singleton
@Component(modules = {PipelineModule.class, IdleStrategyModule.class})
public interface ProbeComponent {

    /** Validated runtime settings. */
    RuntimeSettings settings();

    /**
     * The pipeline, built on first call: opens the source and creates one sink per transmit worker.
     *
     * @throws dev.probe.api.ProbeException for bad settings, a source that cannot be opened, or a sink
     *         that cannot connect
     */
    Pipeline pipeline();

    /** Creates the component from the resolved configuration. */
    @Component.Factory
    interface Factory {
        /** @param config the effective configuration (see ConfigLoader) */
        ProbeComponent create(@BindsInstance Config config);
    }

    /** The component for {@code config}. */
    static ProbeComponent create(final Config config) {
        return DaggerProbeComponent.factory().create(config);
    }
}
