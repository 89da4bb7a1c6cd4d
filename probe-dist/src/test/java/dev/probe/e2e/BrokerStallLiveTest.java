package dev.probe.e2e;

import dev.probe.broker.EmbeddedKafkaBroker;
import dev.probe.broker.KafkaBrokerProcess;
import dev.probe.broker.KafkaTestSupport;
import dev.probe.runtime.ProbeRun;
import dev.probe.runtime.stats.Snapshot;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A live capture while the broker freezes (SIGSTOP) and thaws (SIGCONT): the probe keeps its
 * connection, the sink pushes back, and what the live source offers meanwhile overflows the ring and is
 * counted as ring-full, not as a sink failure; once the broker goes on, delivery resumes, and at the
 * stop every packet is delivered or dropped with its reason.
 */
class BrokerStallLiveTest {
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** How long the broker stays frozen. */
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(3);

    @Test
    void aStalledBrokerMakesALiveSourceDropAsRingFullAndDeliveryRecoversAfterTheStall() throws Exception {
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(EmbeddedKafkaBroker.Options.defaults()
                .withAutoCreateTopics(false))) {
            broker.createTopic("stall", 2);
            final List<String> settings = List.of("probe.source.type=synthetic", "probe.source.synthetic.live=true",
                    "probe.source.synthetic.packets=0", "probe.sink.type=kafka", "probe.sink.kafka.topic=stall",
                    "probe.sink.kafka.delivery=durable",
                    "probe.sink.kafka.producer.bootstrap.servers=\"" + broker.bootstrapServers() + "\"",
                    "probe.receive.idle-strategy=sleep", "probe.transmit.idle-strategy=sleep", "probe.stats.interval=100ms");
            final ProbeRun.Result result;
            final long stalledDelivered;
            final long stallNanos;
            final long recoverNanos;
            try (BackgroundRun run = BackgroundRun.start(settings, null)) {
                awaitStats(run, () -> run.lastDelivered() >= 20_000, "delivery under way");

                broker.pause();
                final long paused = System.nanoTime();
                // The stall is in effect once three stats lines in a row show nothing more delivered.
                long delivered = run.lastDelivered();
                int lines = run.sinkLines();
                int still = 0;
                while (still < 3) {
                    assertTrue(run.running(), run.output());
                    if (run.sinkLines() > lines) {
                        final long now = run.lastDelivered();
                        still = now == delivered ? still + 1 : 0;
                        delivered = now;
                        lines = run.sinkLines();
                    }
                    assertTrue(System.nanoTime() - paused < TimeUnit.SECONDS.toNanos(30), "delivery never stalled");
                    LockSupport.parkNanos(POLL_NANOS);
                }
                stalledDelivered = delivered;
                // Frozen for a few seconds in all: nothing is delivered meanwhile, and the live source overflows.
                final long ringFullAtStall = run.lastRingFull();
                while (System.nanoTime() - paused < STALL_NANOS) {
                    assertEquals(stalledDelivered, run.lastDelivered(), "nothing delivered while the broker is frozen");
                    LockSupport.parkNanos(POLL_NANOS);
                }
                final long ringFullDuringStall = run.lastRingFull();
                assertTrue(ringFullDuringStall > ringFullAtStall, "ring-full drops during the stall");

                broker.resume();
                stallNanos = System.nanoTime() - paused;
                final long resumed = System.nanoTime();
                awaitStats(run, () -> run.lastDelivered() > stalledDelivered + 20_000, "delivery after the stall");
                recoverNanos = System.nanoTime() - resumed;
                assertTrue(run.lastRingFull() >= ringFullDuringStall);
                run.requestStop();
                result = run.await(Duration.ofMinutes(2));
            }
            final Snapshot s = result.snapshot();
            final long records = KafkaTestSupport.recordCount(broker.bootstrapServers(), "stall");
            final Map<String, Long> dropped = s.dropped();
            dropped.values().removeIf(v -> v == 0);
            System.out.printf("broker stall (SIGSTOP %d ms) under a live source: captured %d, delivered %d, dropped %s,"
                            + " records in topic %d, duplicates %d; delivery stalled at %d, resumed %d ms after SIGCONT%n",
                    TimeUnit.NANOSECONDS.toMillis(stallNanos), s.captured(), s.delivered(), dropped, records,
                    records - s.delivered(), stalledDelivered, TimeUnit.NANOSECONDS.toMillis(recoverNanos));

            assertEquals(ProbeRun.Outcome.STOP_REQUESTED, result.outcome(), String.valueOf(result.error()));
            assertEquals(0, result.exitCode());
            assertTrue(s.dropped().get(Snapshot.RING_FULL) > 0, "a live source overflows its ring: " + dropped);
            assertEquals(Map.of(Snapshot.RING_FULL, s.dropped().get(Snapshot.RING_FULL)), dropped,
                    "every drop is ring-full: no sink failure, nothing left at the stop");
            assertTrue(s.delivered() > stalledDelivered + 20_000);
            assertEquals(0, s.inFlight());
            assertTrue(s.balances());
            assertEquals(s.captured(), s.delivered() + s.droppedTotal());
            assertEquals(s.delivered(), records, "durable delivery: the topic holds exactly what was delivered");
        }
    }

    /** Waits, polling the run's stats lines, until {@code condition} holds; fails after 60 s. */
    private static void awaitStats(final BackgroundRun run, final java.util.function.BooleanSupplier condition,
                                   final String what) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertTrue(run.running(), "the run ended while waiting for " + what + ": " + run.output());
            assertTrue(System.nanoTime() < deadline, "no " + what + " within 60 s: " + run.output());
            LockSupport.parkNanos(POLL_NANOS);
        }
    }
}
