package dev.probe.runtime.pipeline;

import dev.probe.runtime.ProbeRun;
import dev.probe.runtime.config.ConfigLoader;
import dev.probe.runtime.plugin.Plugins;
import dev.probe.runtime.stats.Snapshot;
import dev.probe.runtime.testsinks.SlowSinkProvider;
import dev.probe.runtime.testsinks.TestSinks;
import dev.probe.runtime.testsources.TrackingSourceProvider;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stopping, however it happens, gives every packet back to the source exactly once, never touches a
 * packet after the source closed, and leaves nothing in flight.
 */
class StopTest {

    private static ProbeRun start(final List<String> settings) {
        final List<String> all = new ArrayList<>(List.of("probe.source.type=tracking", "probe.stats.interval=0s",
                "probe.receive.idle-strategy=sleep", "probe.transmit.idle-strategy=sleep"));
        all.addAll(settings);
        return new ProbeRun(ConfigLoader.load(null, all, Plugins.classpath()), Plugins.classpath(), null, new PrintStream(new ByteArrayOutputStream()));
    }

    private static CompletableFuture<ProbeRun.Result> execute(final ProbeRun run) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return run.execute();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static void assertEveryPacketReleasedOnce(final TrackingSourceProvider.Tracking source, final Snapshot s) {
        assertEquals(0, source.errors(), "no packet released twice or read after close");
        assertEquals(0, source.unreleased(), "every packet handed out was released");
        assertTrue(source.closed(), "the source was closed");
        assertEquals(source.handedOut(), s.captured(), "captured counts every packet handed out");
        assertEquals(0, s.inFlight());
        assertEquals(s.captured(), s.delivered() + s.droppedTotal());
    }

    @Test
    void stoppingAFileReplayMidwayDropsNothingItHadRead() throws Exception {
        final ProbeRun run = start(List.of("probe.sink.type=discard", "probe.source.tracking.packets=50000000",
                "probe.transmit.ring-size=64"));
        final CompletableFuture<ProbeRun.Result> result = execute(run);
        assertTrue(run.awaitStarted(Duration.ofSeconds(30)));
        run.requestStop();
        final ProbeRun.Result r = result.get(60, TimeUnit.SECONDS);
        assertEquals(ProbeRun.Outcome.STOP_REQUESTED, r.outcome());
        assertTrue(r.snapshot().captured() < 50_000_000, "stopped before the end");
        assertEquals(0, r.snapshot().droppedTotal(), "a source that waits to be read loses nothing at a stop: " + r.snapshot().dropped());
        assertTrue(r.clean());
        assertEveryPacketReleasedOnce(TrackingSourceProvider.last(), r.snapshot());
    }

    @Test
    void aSendThatOutlastsTheShutdownTimeoutIsWaitedForBeforeAnythingIsReleasedOrClosed() throws Exception {
        final ProbeRun run = start(List.of("probe.sink.type=slow", "probe.source.tracking.packets=100000",
                "probe.shutdown.timeout=50ms", "probe.transmit.ring-size=1024", "probe.receive.burst-size=64"));
        final CompletableFuture<ProbeRun.Result> result = execute(run);
        assertTrue(SlowSinkProvider.SENDING.await(30, TimeUnit.SECONDS), "a send started");
        run.requestStop();
        final ProbeRun.Result r = result.get(60, TimeUnit.SECONDS);
        final Snapshot s = r.snapshot();
        assertFalse(r.clean(), "packets left on the ring at the timeout were dropped");
        assertTrue(s.dropped().get(Snapshot.SHUTDOWN) > 0, s.dropped().toString());
        assertTrue(s.delivered() >= 64 && s.delivered() % 64 == 0, "whole bursts delivered, none released under the sink: " + s.delivered());
        assertEveryPacketReleasedOnce(TrackingSourceProvider.last(), s);
    }

    @Test
    void aSinkThatThrowsFailsTheRunWithEveryPacketAccountedFor() throws Exception {
        final ProbeRun.Result r = execute(start(List.of("probe.sink.type=throwing", "probe.source.tracking.packets=10000",
                "probe.shutdown.timeout=200ms", "probe.receive.burst-size=100"))).get(60, TimeUnit.SECONDS);
        final Snapshot s = r.snapshot();
        assertEquals(ProbeRun.Outcome.FAILED, r.outcome());
        assertEquals(1, r.exitCode());
        assertTrue(r.error().contains("destination exploded"), r.error());
        assertEquals(50, s.dropped().get(Snapshot.SINK_ERROR), "the half of the burst the sink never took");
        assertEquals(50, s.dropped().get("sink-other"), "the half it took and failed");
        assertEveryPacketReleasedOnce(TrackingSourceProvider.last(), s);
    }

    @Test
    void aSinkWhoseFlushThrowsStillClosesEverySinkAndTheSource() throws Exception {
        assertBrokenStopStillCloses("throwing-flush", "flush exploded");
    }

    @Test
    void aSinkWhoseCloseThrowsStillClosesEverySinkAndTheSource() throws Exception {
        assertBrokenStopStillCloses("throwing-close", "close exploded");
    }

    private static void assertBrokenStopStillCloses(final String sink, final String message) throws Exception {
        final int closedBefore = TestSinks.closed();
        final ProbeRun.Result r = execute(start(List.of("probe.sink.type=" + sink, "probe.source.tracking.packets=30000",
                "probe.source.tracking.queues=3", "probe.transmit.burst-size=100", "probe.shutdown.timeout=1s"))).get(60, TimeUnit.SECONDS);
        final Snapshot s = r.snapshot();
        assertEquals(3, TestSinks.closed() - closedBefore, "all three sinks were closed");
        assertEquals(ProbeRun.Outcome.FAILED, r.outcome());
        assertEquals(1, r.exitCode());
        assertTrue(r.error().contains(message), r.error());
        assertTrue(s.dropped().get(Snapshot.SINK_ERROR) + s.dropped().get("sink-shutdown") > 0,
                "what the broken sinks held at the stop is counted: " + s.dropped());
        assertEveryPacketReleasedOnce(TrackingSourceProvider.last(), s);
        assertTrue(s.balances());
    }
}
