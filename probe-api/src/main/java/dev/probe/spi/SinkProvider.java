package dev.probe.spi;

import com.typesafe.config.Config;

/**
 * A kind of sink, found by {@link #name()} through {@link java.util.ServiceLoader} when
 * {@code probe.sink.type} names it. A team adds a sink by shipping a jar with an implementation, a public
 * no-argument constructor and a {@code META-INF/services/dev.probe.spi.SinkProvider} entry.
 */
public interface SinkProvider {

    /** The value of {@code probe.sink.type} that selects this sink: {@code kafka}. */
    String name();

    /**
     * Reads and validates {@code probe.sink.<name>} once. Called on the main thread at start-up.
     *
     * @param config the whole resolved configuration
     * @throws dev.probe.api.ProbeException for a bad setting
     */
    SinkFactory configure(Config config);
}
