package dev.probe.bench.harness;

import com.typesafe.config.Config;
import dev.probe.sink.discard.DiscardSinkProvider;
import dev.probe.spi.Sink;
import dev.probe.spi.SinkContext;
import dev.probe.spi.SinkFactory;
import dev.probe.spi.SinkProvider;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@code probe.sink.type = bench-discard}: the runtime's own {@code discard} sink, unchanged, with each
 * instance it creates remembered so that a benchmark can read the delivered counts without taking a
 * {@link dev.probe.runtime.pipeline.Pipeline#snapshot()}, which allocates and would show up in the
 * bytes allocated per packet.
 */
public final class CountingDiscardSinkProvider implements SinkProvider {
    private static final List<Sink> SINKS = new CopyOnWriteArrayList<>();

    @Override
    public String name() {
        return "bench-discard";
    }

    @Override
    public SinkFactory configure(final Config config) {
        final SinkFactory discard = new DiscardSinkProvider().configure(config);
        return new SinkFactory() {
            @Override
            public Sink create(final SinkContext context) {
                final Sink sink = discard.create(context);
                SINKS.add(sink);
                return sink;
            }

            @Override
            public String description() {
                return discard.description();
            }
        };
    }

    /** Forgets the sinks of an earlier pipeline of this JVM. Controlling thread, before building one. */
    static void reset() {
        SINKS.clear();
    }

    /** The sinks created since the last {@link #reset()}, as an array for allocation-free reading. */
    static Sink[] sinks() {
        return SINKS.toArray(new Sink[0]);
    }
}
