package dev.probe.testkit;

import com.typesafe.config.Config;
import dev.probe.api.Settings;
import dev.probe.spi.PacketBatch;
import dev.probe.spi.Sink;
import dev.probe.spi.SinkContext;
import dev.probe.spi.SinkCounters;
import dev.probe.spi.SinkFactory;
import dev.probe.spi.SinkFailure;
import dev.probe.spi.SinkProvider;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A buffering sink into an in-memory store that keeps the sink contract, or breaks exactly one rule of
 * it ({@code probe.sink.flawed.flaw}), to show that {@link SinkContractTest} catches each breach.
 * Correct, it copies each packet into its buffer in {@code send}, writes the buffer out to its store when
 * it is full, when it has lingered 20 ms ({@code tick}), on {@code flush} and on {@code close}.
 */
public class FlawedSinkProvider implements SinkProvider {
    /** The rule broken. */
    public enum Flaw {
        /** Keeps the contract. */
        NONE,
        /** Keeps views of the batch's memory instead of copying. */
        KEEPS_VIEWS,
        /** Writes out only on the next send or flush: tick() does nothing. */
        LINGERS_UNTIL_NEXT_SEND,
        /** Throws when the store is broken instead of counting. */
        THROWS_ON_DESTINATION_ERROR,
        /** Counts a broken store's packets as delivered. */
        HIDES_DESTINATION_ERRORS,
        /** Counts a broken store's packets as failed without a message. */
        FAILS_WITHOUT_A_MESSAGE,
        /** A second close() throws. */
        SECOND_CLOSE_THROWS,
        /** Counts packets as sent when it writes them out, not in send(). */
        COUNTS_SENT_LATE,
        /** close() drops what it buffers without counting it. */
        CLOSE_FORGETS_BUFFERED,
        /** close() writes out and counts what it buffers, but as other failures. */
        CLOSE_COUNTS_DROPS_AS_OTHER,
        /** available() admits four times what the buffer holds, and fails the rest as buffer-exhausted. */
        ADMITS_MORE_THAN_IT_HOLDS,
        /** A full buffer is written out only by the next send: available() stays 0 for ever. */
        NEEDS_A_SEND_TO_MAKE_ROOM,
    }

    /** One destination: what was written to it, and whether it fails every write. */
    public static final class Store {
        private final List<Received> packets = Collections.synchronizedList(new ArrayList<>());
        private volatile boolean broken;

        /** Every packet written so far. */
        public List<Received> packets() {
            synchronized (packets) {
                return List.copyOf(packets);
            }
        }

        /** From now on every write fails. */
        public void breakIt() {
            broken = true;
        }
    }

    private static final Map<String, Store> STORES = new ConcurrentHashMap<>();
    private static final int CAPACITY = 64;
    private static final long LINGER_NANOS = Duration.ofMillis(20).toNanos();

    /** The store named {@code name}, made on first use. */
    public static Store store(final String name) {
        return STORES.computeIfAbsent(name, n -> new Store());
    }

    @Override
    public String name() {
        return "flawed";
    }

    @Override
    public SinkFactory configure(final Config config) {
        final String section = "probe.sink." + name();
        final Store store = store(Settings.nonEmptyString(config, section + ".store"));
        final Flaw flaw = Settings.enumValue(config, section + ".flaw", Flaw.class);
        return new SinkFactory() {
            @Override
            public Sink create(final SinkContext context) {
                return new FlawedSink(store, flaw);
            }

            @Override
            public String description() {
                return "an in-memory store, flaw " + flaw;
            }
        };
    }

    /** One worker's sink. */
    private static final class FlawedSink implements Sink {
        private final Store store;
        private final Flaw flaw;
        private final SinkCounters counters = new SinkCounters();
        private final List<Received> buffer = new ArrayList<>();
        private final List<MemorySegment> views = new ArrayList<>();
        private long oldest;
        private int closes;

        FlawedSink(final Store store, final Flaw flaw) {
            this.store = store;
            this.flaw = flaw;
        }

        @Override
        public int available() {
            if (flaw == Flaw.ADMITS_MORE_THAN_IT_HOLDS) {
                return CAPACITY * 4;
            }
            return CAPACITY - buffer.size();
        }

        @Override
        public void send(final PacketBatch batch) {
            if (flaw != Flaw.COUNTS_SENT_LATE) {
                counters.onSent(batch.size());
            }
            if (flaw == Flaw.NEEDS_A_SEND_TO_MAKE_ROOM || flaw == Flaw.LINGERS_UNTIL_NEXT_SEND) {
                writeOut();
            }
            for (int i = 0; i < batch.size(); i++) {
                if (buffer.size() == CAPACITY) {
                    if (flaw == Flaw.ADMITS_MORE_THAN_IT_HOLDS) {
                        counters.onFailed(SinkFailure.BUFFER_EXHAUSTED, batch.size() - i, "buffer full");
                        return;
                    }
                    writeOut();
                }
                if (buffer.isEmpty()) {
                    oldest = System.nanoTime();
                }
                if (flaw == Flaw.KEEPS_VIEWS) {
                    views.add(batch.data(i));
                    buffer.add(new Received(batch.timestampNanos(i), batch.wireLength(i), null));
                } else {
                    final byte[] copy = new byte[batch.capturedLength(i)];
                    batch.copyTo(i, copy, 0);
                    buffer.add(new Received(batch.timestampNanos(i), batch.wireLength(i), copy));
                }
            }
            if (buffer.size() == CAPACITY && flaw != Flaw.NEEDS_A_SEND_TO_MAKE_ROOM) {
                writeOut();
            }
        }

        @Override
        public void tick() {
            if (flaw != Flaw.LINGERS_UNTIL_NEXT_SEND && flaw != Flaw.NEEDS_A_SEND_TO_MAKE_ROOM
                    && !buffer.isEmpty() && System.nanoTime() - oldest >= LINGER_NANOS) {
                writeOut();
            }
        }

        private void writeOut() {
            final int n = buffer.size();
            if (n == 0) {
                return;
            }
            if (flaw == Flaw.COUNTS_SENT_LATE) {
                counters.onSent(n);
            }
            if (store.broken) {
                switch (flaw) {
                    case THROWS_ON_DESTINATION_ERROR -> throw new UncheckedIOException(new IOException("store is broken"));
                    case HIDES_DESTINATION_ERRORS -> counters.onDelivered(n, 0);
                    case FAILS_WITHOUT_A_MESSAGE -> counters.onFailed(SinkFailure.IO_ERROR, n);
                    default -> counters.onFailed(SinkFailure.IO_ERROR, n, new IOException("store is broken"));
                }
                clear();
                return;
            }
            long bytes = 0;
            for (int i = 0; i < n; i++) {
                final Received r = buffer.get(i);
                final byte[] data = r.data() != null ? r.data() : views.get(i).toArray(ValueLayout.JAVA_BYTE);
                store.packets.add(new Received(r.timestampNanos(), r.wireLength(), data));
                bytes += data.length;
            }
            counters.onDelivered(n, bytes);
            clear();
        }

        private void clear() {
            buffer.clear();
            views.clear();
        }

        @Override
        public boolean flush(final Duration timeout) {
            writeOut();
            return true;
        }

        @Override
        public SinkCounters counters() {
            return counters;
        }

        @Override
        public void close() {
            closes++;
            if (closes > 1) {
                if (flaw == Flaw.SECOND_CLOSE_THROWS) {
                    throw new IllegalStateException("already closed");
                }
                return;
            }
            switch (flaw) {
                case CLOSE_FORGETS_BUFFERED -> clear();
                case CLOSE_COUNTS_DROPS_AS_OTHER -> {
                    counters.onFailed(SinkFailure.OTHER, buffer.size(), "closed");
                    clear();
                }
                default -> writeOut();
            }
        }
    }

    /** The same sink under another name, whose reference.conf section has no comments. */
    public static final class Undocumented extends FlawedSinkProvider {
        @Override
        public String name() {
            return "undocumented";
        }
    }
}
