package dev.probe.testkit;

import java.util.List;
import java.util.Map;

/**
 * Where a {@link SinkContractTest} points the sink under test: the settings that select it, how to read
 * back what it received, and optionally what breaks it once the sink is connected. A subclass makes a
 * fresh one for every test method (a new folder, a new topic), so that what is read back is that test's
 * alone.
 *
 * <pre>{@code
 * Destination.of(Map.of("probe.sink.my.directory", folder.toString()), atLeast -> MyFiles.read(folder))
 * Destination.of(settingsOfABrokerAboutToStop, readback).failingOnceCreated(broker::close)
 * Destination.keepingNothing(Map.of())   // a sink such as discard
 * Destination.none()                      // discard's failing destination: it has none
 * }</pre>
 *
 * <p>Immutable; {@link #close()} runs the clean-up given to {@link #closedBy}.
 */
public final class Destination implements AutoCloseable {

    /** Reads back what a destination holds; called on the test thread, after the sink delivered. */
    @FunctionalInterface
    public interface Readback {
        /**
         * Every packet the destination holds now, in any order.
         *
         * @param atLeast how many packets the sink counted as delivered: a destination that shows writes
         *        late (a Kafka topic to a consumer) may wait, within its own bound, until it holds as many
         */
        List<Received> read(int atLeast) throws Exception;
    }

    private final Map<String, ?> settings;
    private final Readback readback;
    private final Runnable breakIt;
    private final AutoCloseable cleanUp;
    private final boolean canFail;

    private Destination(final Map<String, ?> settings, final Readback readback, final Runnable breakIt,
                        final AutoCloseable cleanUp, final boolean canFail) {
        this.settings = Map.copyOf(settings);
        this.readback = readback;
        this.breakIt = breakIt;
        this.cleanUp = cleanUp;
        this.canFail = canFail;
    }

    /**
     * A destination reached with {@code settings} (full paths such as {@code probe.sink.my.directory}, on
     * top of the {@code reference.conf} files on the class path) whose content {@code readback} returns.
     */
    public static Destination of(final Map<String, ?> settings, final Readback readback) {
        return new Destination(settings, readback, () -> { }, () -> { }, true);
    }

    /** A destination whose content cannot be read back (such as {@code discard}'s): only the counters are checked. */
    public static Destination keepingNothing(final Map<String, ?> settings) {
        return new Destination(settings, null, () -> { }, () -> { }, true);
    }

    /**
     * No destination at all, for {@link SinkContractTest#failingDestination} of a sink that has nothing that
     * could fail (such as {@code discard}): the test then checks that the sink fails no packet, whatever it
     * is sent.
     */
    public static Destination none() {
        return new Destination(Map.of(), null, () -> { }, () -> { }, false);
    }

    /**
     * This destination, broken by {@code breakIt} (stopping a broker, filling a disk) right after the sink
     * was created and connected: for {@link SinkContractTest#failingDestination}.
     */
    public Destination failingOnceCreated(final Runnable breakIt) {
        return new Destination(settings, readback, breakIt, cleanUp, canFail);
    }

    /** This destination, with {@code cleanUp} run by {@link #close()} once the test is over. */
    public Destination closedBy(final AutoCloseable cleanUp) {
        return new Destination(settings, readback, breakIt, cleanUp, canFail);
    }

    /** The settings that point the sink here. */
    public Map<String, ?> settings() {
        return settings;
    }

    /** Whether packets can be read back. */
    public boolean keepsPackets() {
        return readback != null;
    }

    /** Whether this is a destination at all: false for {@link #none()}. */
    public boolean canFail() {
        return canFail;
    }

    /** Reads back what the destination holds; see {@link Readback#read}. */
    public List<Received> read(final int atLeast) throws Exception {
        if (readback == null) {
            throw new IllegalStateException("this destination keeps nothing to read back");
        }
        return readback.read(atLeast);
    }

    /** Breaks the destination, if this one was made to fail; called once the sink is created. */
    public void breakIt() {
        breakIt.run();
    }

    @Override
    public void close() throws Exception {
        cleanUp.close();
    }
}
