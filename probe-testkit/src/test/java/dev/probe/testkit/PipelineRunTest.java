package dev.probe.testkit;

import dev.probe.api.LinkType;
import dev.probe.runtime.ProbeRun;
import dev.probe.sink.discard.DiscardSinkProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The in-process harness: the real pipeline from a capture file into a sink, and its summary. */
class PipelineRunTest {

    @Test
    void runsASharedCaptureThroughThePipelineAndReturnsTheSummary() throws InterruptedException {
        final SharedCaptures.Entry entry = SharedCaptures.entry("of13_ericsson.pcapng");

        final PipelineRun.Result run = PipelineRun.of(new DiscardSinkProvider(), entry.path())
                .with("probe.transmit.workers-per-ring", 3)
                .with("probe.receive.burst-size", 7)
                .run();

        run.assertEveryPacketDelivered();
        assertEquals(entry.packets(), run.snapshot().delivered());
        assertEquals(entry.bytes(), run.snapshot().bytesDelivered());
        assertEquals(LinkType.ETHERNET, run.capture().linkType());
        assertEquals(3, run.snapshot().queues().getFirst().workers().size());
        assertEquals(3, run.calls().size(), "each of the three sinks closed once: " + run.calls());
        assertTrue(run.output().contains("summary total    captured 174 = delivered 174"), run.output());
    }

    @Test
    void aBadSettingEndsTheRunAsAStartupFailureWithItsOneLineMessage(@TempDir final Path dir) throws InterruptedException {
        final PipelineRun.Result run = PipelineRun.of(new DiscardSinkProvider(), TestCaptures.mixed(dir))
                .with("probe.transmit.ring-size", 1000)
                .run();

        assertEquals(ProbeRun.Outcome.STARTUP_FAILED, run.run().outcome());
        assertEquals(2, run.exitCode());
        assertTrue(run.run().error().startsWith("Invalid value 1000 for probe.transmit.ring-size"), run.run().error());
        final AssertionError failed = assertThrows(AssertionError.class, run::assertEveryPacketDelivered);
        assertTrue(failed.getMessage().contains("error: Invalid value 1000"), failed.getMessage());
    }

    @Test
    void anUnknownSettingIsAStartupFailureNamingIt(@TempDir final Path dir) throws InterruptedException {
        final PipelineRun.Result run = PipelineRun.of(new DiscardSinkProvider(), TestCaptures.mixed(dir))
                .with("probe.sink.discard.speed", 3)
                .run();

        assertEquals(ProbeRun.Outcome.STARTUP_FAILED, run.run().outcome());
        assertTrue(run.run().error().contains("probe.sink.discard.speed"), run.run().error());
    }
}
