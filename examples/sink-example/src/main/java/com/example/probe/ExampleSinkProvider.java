package com.example.probe;

import com.typesafe.config.Config;
import dev.probe.api.Settings;
import dev.probe.spi.Sink;
import dev.probe.spi.SinkContext;
import dev.probe.spi.SinkFactory;
import dev.probe.spi.SinkProvider;

import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code probe.sink.type = example}: every packet as one line of JSON in a file per transmit worker (see
 * {@link ExampleSink}). Found by the probe through {@code META-INF/services/dev.probe.spi.SinkProvider};
 * its settings, under {@code probe.sink.example}, are documented in this jar's {@code reference.conf}.
 */
public final class ExampleSinkProvider implements SinkProvider {
    private static final String SECTION = "probe.sink.example";

    /** Needed by {@link java.util.ServiceLoader}. */
    public ExampleSinkProvider() {
    }

    @Override
    public String name() {
        return "example";
    }

    /**
     * Reads and checks the settings once, on the main thread, without touching the disk: a bad value fails
     * here with one line naming it (the {@link Settings} readers do that), so {@code probe check} finds it.
     */
    @Override
    public SinkFactory configure(final Config config) {
        final Path directory = Settings.path(config, SECTION + ".directory");
        final Duration maxLinger = Settings.duration(config, SECTION + ".max-linger", Duration.ofMillis(1), Duration.ofMinutes(1));
        final int bufferPackets = Settings.intInRange(config, SECTION + ".buffer-packets", 1, 65_536);
        return new SinkFactory() {
            /** Opens the worker's file on the main thread, before capture starts. */
            @Override
            public Sink create(final SinkContext context) {
                return ExampleSink.open(directory, context.workerName(), maxLinger, bufferPackets);
            }

            @Override
            public String description() {
                return "JSON lines in " + directory.toAbsolutePath() + " (one file per transmit worker)";
            }
        };
    }
}
