package dev.probe.spi;

/**
 * Creates sinks from settings that were validated once; returned by {@link SinkProvider#configure}.
 */
@FunctionalInterface
public interface SinkFactory {

    /**
     * Creates the sink of one transmit worker. Called on the main thread at start-up.
     *
     * @param workerName the worker's role name, such as {@code tx-0-1}, for client ids and logs
     * @throws dev.probe.api.ProbeException when the sink cannot be created from its settings
     */
    Sink create(String workerName);
}
