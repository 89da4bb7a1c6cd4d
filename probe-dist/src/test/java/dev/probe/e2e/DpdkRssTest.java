package dev.probe.e2e;

import dev.probe.runtime.ProbeRun;
import dev.probe.runtime.stats.Snapshot;
import dev.probe.source.dpdk.Dpdk;
import dev.probe.testkit.NativeRequirement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RSS over several receive queues on a device that offers it ({@code net_null}, which reports hash
 * offloads and a redirection table): the port configures with the symmetric key and its hash fields,
 * every queue's worker receives, and a live source that outruns the sink drops at the ring, counted, with
 * every mbuf back in the pool after the stop.
 */
class DpdkRssTest {

    @BeforeAll
    static void requireDpdk() {
        NativeRequirement.require(Dpdk.isAvailable(), "DPDK 22.11 is not available: " + Dpdk.unavailabilityCause());
    }

    @Test
    void threeQueuesWithSymmetricRssAllReceiveAndEveryPacketIsAccountedFor() throws Exception {
        final ProbeRun.Result result = Probe.run(List.of(
                "probe.source.type=dpdk",
                "probe.source.dpdk.eal-args=[\"--no-huge\",\"-m\",\"512\",\"--no-pci\",\"--no-telemetry\",\"--file-prefix\",\"probe-runtime-rss\",\"--log-level\",\"*:error\",\"--vdev\",\"net_null0\"]",
                "probe.source.dpdk.port=net_null0", "probe.source.dpdk.rx-queues=3", "probe.source.dpdk.rss.symmetric=true",
                "probe.source.dpdk.rss.fields=[ip,tcp,udp,sctp]", "probe.source.dpdk.mbufs=16383", "probe.source.dpdk.link-wait=1s",
                "probe.sink.type=discard", "probe.stop.max-packets=300000", "probe.transmit.ring-size=256",
                "probe.receive.idle-strategy=sleep", "probe.transmit.idle-strategy=sleep", "probe.stats.interval=0s"), null);
        final Snapshot s = result.snapshot();
        assertEquals(ProbeRun.Outcome.MAX_PACKETS, result.outcome());
        assertEquals(3, s.queues().size());
        for (final Snapshot.Queue q : s.queues()) {
            assertTrue(q.packets() > 0, "queue " + q.id() + " received");
        }
        assertEquals(300_000, s.received());
        assertEquals(0, s.inFlight());
        assertEquals(s.received() - s.delivered(), s.dropped().get(Snapshot.RING_FULL) + s.dropped().get(Snapshot.SHUTDOWN),
                "a live device that outruns the sink drops at the ring, counted");
        assertEquals(0L, s.sourceDetails().get("mbufs-unreturned"), "every mbuf back in the pool");
    }
}
