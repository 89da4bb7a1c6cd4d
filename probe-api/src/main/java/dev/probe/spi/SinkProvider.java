package dev.probe.spi;

import com.typesafe.config.Config;

import java.util.Set;

/**
 * A kind of sink, found by {@link #name()} through {@link java.util.ServiceLoader} when
 * {@code probe.sink.type} names it.
 *
 * <p>A team adds a sink by shipping a jar with an implementation (a public no-argument constructor), a
 * {@code META-INF/services/dev.probe.spi.SinkProvider} entry naming it, and a {@code reference.conf}
 * that documents every key under {@code probe.sink.<name>}; the jar goes in the probe's plugins folder.
 * Instances are created and called on the main thread.
 */
public interface SinkProvider {

    /** The value of {@code probe.sink.type} that selects this sink, such as {@code kafka}. */
    String name();

    /**
     * Reads and validates {@code probe.sink.<name>} once, without connecting to anything (also used by
     * {@code probe check}).
     *
     * @param config the whole resolved configuration
     * @throws dev.probe.api.ProbeException for a bad setting: one line naming its path (see
     *         {@link dev.probe.api.Settings}). A {@link com.typesafe.config.ConfigException} is reported the
     *         same way.
     */
    SinkFactory configure(Config config);

    /**
     * Paths under {@code probe.sink.<name>} whose keys are not listed in {@code reference.conf} because
     * they are passed on (a client library's own properties): the runtime does not report their keys
     * as unknown, and the sink checks them itself. Empty by default.
     */
    default Set<String> freeFormPaths() {
        return Set.of();
    }
}
