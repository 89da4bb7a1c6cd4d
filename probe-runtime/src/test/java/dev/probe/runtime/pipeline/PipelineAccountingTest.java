package dev.probe.runtime.pipeline;

import com.typesafe.config.Config;
import dev.probe.runtime.ProbeRun;
import dev.probe.runtime.config.ConfigLoader;
import dev.probe.runtime.plugin.Plugins;
import dev.probe.runtime.stats.Snapshot;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Counters add up: captured = delivered + dropped (every reason) + in flight, and in flight is 0 after a stop. */
class PipelineAccountingTest {

    private static ProbeRun.Result run(final String... settings) throws InterruptedException {
        final List<String> overrides = new ArrayList<>(List.of(
                "probe.source.type=synthetic", "probe.sink.type=discard", "probe.stats.interval=0s",
                "probe.receive.idle-strategy=sleep", "probe.transmit.idle-strategy=sleep"));
        overrides.addAll(List.of(settings));
        final Config config = ConfigLoader.load(null, overrides, Plugins.classpath());
        return new ProbeRun(config, Plugins.classpath(), null, new PrintStream(new ByteArrayOutputStream())).execute();
    }

    @Test
    void everyPacketOfAFiniteInputIsDeliveredAcrossQueuesAndWorkers() throws InterruptedException {
        final ProbeRun.Result result = run("probe.source.synthetic.packets=300001", "probe.source.synthetic.queues=3",
                "probe.transmit.workers-per-ring=2", "probe.transmit.ring-size=256", "probe.receive.burst-size=64");
        final Snapshot s = result.snapshot();
        assertEquals(ProbeRun.Outcome.END_OF_INPUT, result.outcome());
        assertEquals(300_001, s.captured());
        assertEquals(300_001, s.delivered());
        assertEquals(0, s.droppedTotal());
        assertEquals(0, s.inFlight());
        assertEquals(3, s.queues().size());
        for (final Snapshot.Queue q : s.queues()) {
            assertEquals(2, q.workers().size());
            assertEquals(q.packets(), q.workers().get(0).delivered() + q.workers().get(1).delivered(),
                    "queue " + q.id() + ": its two workers deliver all of its packets");
        }
        assertEquals(0, result.exitCode());
    }

    @Test
    void maxPacketsStopsAfterExactlyThatManyFromAnEndlessSource() throws InterruptedException {
        final ProbeRun.Result result = run("probe.source.synthetic.queues=2", "probe.stop.max-packets=123457",
                "probe.receive.burst-size=100");
        assertEquals(ProbeRun.Outcome.MAX_PACKETS, result.outcome());
        assertEquals(123_457, result.snapshot().captured());
        assertEquals(123_457, result.snapshot().delivered());
        assertEquals(0, result.snapshot().inFlight());
    }

    @Test
    void aFullRingDropsAndCountsAndWhatIsLeftAtTheShutdownTimeoutIsCountedToo() throws InterruptedException {
        final ProbeRun.Result result = run("probe.sink.type=stalled", "probe.source.synthetic.packets=10000",
                "probe.transmit.ring-size=16", "probe.shutdown.timeout=100ms", "probe.source.synthetic.live=true");
        final Snapshot s = result.snapshot();
        assertEquals(10_000, s.captured());
        assertEquals(0, s.delivered());
        assertEquals(10_000 - 16, s.dropped().get(Snapshot.RING_FULL));
        assertEquals(16, s.dropped().get(Snapshot.SHUTDOWN), "what the stalled sink never took is counted at shutdown");
        assertEquals(0, s.inFlight());
        assertTrue(!result.clean(), "a shutdown that had to drop is not clean");
    }

    @Test
    void sinkFailuresAreCountedByReason() throws InterruptedException {
        final ProbeRun.Result result = run("probe.sink.type=reject-odd", "probe.source.synthetic.packets=5000",
                "probe.source.synthetic.distinct-frames=1000");
        final Snapshot s = result.snapshot();
        assertEquals(5_000, s.captured());
        // Byte 42 of synthetic frame i is the low byte of i: frames with odd i fail.
        assertEquals(2_500, s.delivered());
        assertEquals(2_500, s.dropped().get("sink-record-too-large"));
        assertEquals(0, s.inFlight());
    }
}
