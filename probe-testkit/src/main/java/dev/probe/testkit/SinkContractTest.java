package dev.probe.testkit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import dev.probe.api.LinkType;
import dev.probe.runtime.config.ConfigLoader;
import dev.probe.runtime.plugin.Plugins;
import dev.probe.spi.SinkCounters;
import dev.probe.spi.SinkFactory;
import dev.probe.spi.SinkFailure;
import dev.probe.spi.SinkProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The contract every {@link dev.probe.spi.Sink} keeps, as JUnit tests a team inherits by extending this
 * class with one small class of its own:
 *
 * <pre>{@code
 * class MySinkContractTest extends SinkContractTest {
 *     protected SinkProvider provider() { return new MySinkProvider(); }
 *
 *     protected Destination destination(Path folder) {
 *         return Destination.of(Map.of("probe.sink.my.directory", folder.toString()), atLeast -> MyFiles.read(folder));
 *     }
 *
 *     protected Destination failingDestination(Path folder) throws IOException {
 *         Files.createSymbolicLink(folder.resolve("tx-0-0.out"), Path.of("/dev/full"));   // every write: no space
 *         return destination(folder);
 *     }
 * }
 * }</pre>
 *
 * <p>Each test method gets a fresh destination in a folder of its own, creates the sink on the test thread
 * as the runtime does on its main thread, and calls it from one other thread, as a transmit worker does
 * (see {@link SinkDriver}). The packets are the records of {@link #captures}: by default a capture the kit
 * writes itself ({@link TestCaptures#mixed}: 60-byte to 9,000-byte frames, some truncated, nanosecond
 * times). The tests check that:
 * <ul>
 *   <li>the counters balance: sent = delivered + failed after flush and close, with the bytes delivered;</li>
 *   <li>bytes are copied before the batch is released: the destination holds the originals byte for byte,
 *       though every batch is overwritten ({@link TestBatch#POISON}) as soon as {@code send} returns;</li>
 *   <li>{@code available()} is honoured: never negative, every packet it admits is delivered, and a sink
 *       that admits nothing gets room back by itself, without being sent to;</li>
 *   <li>flush leaves nothing in flight, and close counts what it drops as {@code sink-shutdown};</li>
 *   <li>the sink never throws on destination errors: it counts them, with a reason and its message;</li>
 *   <li>the periodic {@code tick()} delivers a packet sent alone, with no further sends, within
 *       {@link #deliveryBound()};</li>
 *   <li>close is idempotent; counters and details can be read from any thread while the sink works;</li>
 *   <li>the whole pipeline ({@link PipelineRun}, two transmit workers) delivers every packet of each
 *       capture, while the runtime keeps the {@link dev.probe.spi.Sink} threading contract;</li>
 *   <li>the sink's {@code reference.conf} has a comment on every key.</li>
 * </ul>
 *
 * <p>Direct calls use worker name {@code tx-0-0} (see {@link #context}): a failing destination may rely on
 * it, as the example above does.
 */
public abstract class SinkContractTest {
    /** The worker name of the sink the direct tests create. */
    protected static final String WORKER = "tx-0-0";

    /** A folder of this test method's own, deleted afterwards. */
    @TempDir
    protected Path temp;

    /** This test method's captures, made once. */
    private List<Path> captures;

    /** The provider of the sink under test. */
    protected abstract SinkProvider provider();

    /**
     * A working destination of this test method's own, in {@code folder} (created, empty) where the sink
     * keeps files.
     */
    protected abstract Destination destination(Path folder) throws Exception;

    /**
     * A destination that fails: from the start (a file on {@code /dev/full}) or once the sink is connected
     * ({@link Destination#failingOnceCreated}: a broker that stops). Set its timeouts short, so that the sink
     * counts the failures well within {@link #flushTimeout()}. {@link Destination#none()} for a sink that
     * has nothing that could fail, such as {@code discard}.
     */
    protected abstract Destination failingDestination(Path folder) throws Exception;

    /**
     * The longest a packet sent alone may wait to be delivered, given ticks every
     * {@link dev.probe.spi.SinkContext#tickInterval()} and no further sends: the sink's linger or batching
     * time plus the destination's round trip, in the working destination's settings. The test waits
     * three times this and two seconds more before it fails, so it is no timing assertion. One second by default.
     */
    protected Duration deliveryBound() {
        return Duration.ofSeconds(1);
    }

    /** The resolution of the capture times the destination keeps; {@link Duration#ZERO} when it keeps none. Nanoseconds by default. */
    protected Duration timestampResolution() {
        return Duration.ofNanos(1);
    }

    /** Whether the destination keeps each packet's wire length; when not, {@link Received#wireLength()} is its captured length. */
    protected boolean keepsWireLength() {
        return true;
    }

    /** The captures whose packets the tests send, made in or found from {@code folder}. */
    protected List<Path> captures(final Path folder) {
        return List.of(TestCaptures.mixed(folder));
    }

    /**
     * Packets per {@code send}, at most. The runtime hands over one receive burst per send
     * ({@code probe.receive.burst-size}, 32 by default); 256 covers any burst a user is likely to set.
     */
    protected int burstSize() {
        return 256;
    }

    /** How long a flush may take in a test before it counts as having given up. 30 seconds by default. */
    protected Duration flushTimeout() {
        return Duration.ofSeconds(30);
    }

    /** The context the direct tests create the sink with: {@link #WORKER}, a file's source (not live), ticks every 20 ms. */
    protected TestContext context(final CaptureFile.Capture first) {
        return TestContext.worker(WORKER).live(false).ticking(Duration.ofMillis(20))
                .linkType(first.linkType() == CaptureFile.NO_LINK_TYPE ? LinkType.ETHERNET : first.linkType())
                .startingAt(first.firstTimestampNanos().orElse(System.currentTimeMillis() * 1_000_000L));
    }

    // ---------------------------------------------------------------------------------------------- tests

    @Test
    void countersBalanceAndCountTheBytesDelivered() throws Exception {
        final List<CaptureFile.Record> records = records();
        try (Destination destination = destination(folder("destination"));
             SinkDriver driver = driver(destination)) {
            driver.sendAll(records, burstSize(), roomTimeout());
            final SinkCounters c = driver.counters();
            assertEquals(records.size(), c.sent(), "sent: every packet given to send()");
            assertTrue(driver.flush(flushTimeout()), "flush() returns true once nothing is in flight; in flight "
                    + c.inFlight() + " after " + flushTimeout().toSeconds() + " s");
            assertEquals(0, c.inFlight(), "in flight after a flush that returned true");
            assertEquals(0, c.failed(), "failed into a working destination: " + failures(c));
            assertEquals(records.size(), c.delivered(), "delivered");
            assertEquals(bytes(records), c.bytesDelivered(), "bytes delivered: the captured bytes of the delivered packets");
            driver.closeSink();
            assertEquals(records.size(), c.sent(), "sent after close");
            assertEquals(c.sent(), c.delivered() + c.failed(), "sent = delivered + failed after close");
            assertEquals(bytes(records), c.bytesDelivered(), "bytes delivered after close");
        }
    }

    @Test
    void bytesAreCopiedBeforeTheBatchIsReleased() throws Exception {
        final List<CaptureFile.Record> records = records();
        try (Destination destination = destination(folder("destination"));
             SinkDriver driver = driver(destination)) {
            // Every batch is poisoned as soon as send() returns; ticks come after, as when the sink lingers.
            driver.sendAll(records, burstSize(), roomTimeout());
            for (int i = 0; i < 3; i++) {
                driver.tick();
            }
            assertTrue(driver.flush(flushTimeout()), "flush() within " + flushTimeout().toSeconds() + " s");
            driver.closeSink();
            assertEquals(records.size(), driver.counters().delivered(), "delivered: " + failures(driver.counters()));
            if (destination.keepsPackets()) {
                assertSame(records, destination.read(records.size()));
            }
        }
    }

    @Test
    void availableIsNeverNegativeAndEveryPacketItAdmitsIsDelivered() throws Exception {
        final List<CaptureFile.Record> records = new ArrayList<>();
        while (records.size() < 1_000) {
            records.addAll(records());
        }
        try (Destination destination = destination(folder("destination"));
             SinkDriver driver = driver(destination)) {
            // The driver asks available() before every batch, never sends more, and while it is 0 only ticks.
            final int batches = driver.sendAll(records, burstSize(), roomTimeout());
            assertTrue(driver.maxAvailable() > 0, "available() was never above 0");
            assertTrue(driver.flush(flushTimeout()), "flush() within " + flushTimeout().toSeconds() + " s");
            final SinkCounters c = driver.counters();
            assertEquals(0, c.failed(), "packets admitted by available() must not fail for want of room: " + failures(c));
            assertEquals(records.size(), c.delivered(), "delivered, in " + batches + " batches");
            driver.closeSink();
            if (destination.keepsPackets()) {
                assertEquals(records.size(), destination.read(records.size()).size(), "packets the destination holds");
            }
        }
    }

    @Test
    void flushLeavesNothingInFlightAndTheDestinationHoldsItAll() throws Exception {
        final List<CaptureFile.Record> records = records();
        try (Destination destination = destination(folder("destination"));
             SinkDriver driver = driver(destination)) {
            driver.sendAll(records, burstSize(), roomTimeout());
            // No tick: flush alone must write out what lingers.
            assertTrue(driver.flush(flushTimeout()), "flush() returns true once nothing is in flight");
            final SinkCounters c = driver.counters();
            assertEquals(0, c.inFlight(), "in flight after flush");
            assertEquals(records.size(), c.delivered(), "delivered after flush: " + failures(c));
            if (destination.keepsPackets()) {
                assertSame(records, destination.read(records.size()));
            }
        }
    }

    @Test
    void closeWithoutFlushCountsWhatItDropsAsSinkShutdown() throws Exception {
        final List<CaptureFile.Record> records = records();
        try (Destination destination = destination(folder("destination"));
             SinkDriver driver = driver(destination)) {
            driver.sendAll(records, burstSize(), roomTimeout());
            driver.closeSink();
            final SinkCounters c = driver.counters();
            assertEquals(records.size(), c.sent(), "sent");
            assertEquals(0, c.inFlight(), "in flight after close: close() counts what it drops");
            assertEquals(c.sent(), c.delivered() + c.failed(), "sent = delivered + failed after close");
            assertEquals(c.failed(), c.failed(SinkFailure.SHUTDOWN),
                    "what close() drops from a working destination is counted as sink-shutdown: " + failures(c));
            if (destination.keepsPackets()) {
                final List<Received> held = destination.read((int) c.delivered());
                assertTrue(held.size() >= c.delivered(), "the destination holds " + held.size() + " packets, fewer than the "
                        + c.delivered() + " counted as delivered");
                final List<String> strangers = PacketComparison.notSent(records, held, timestampResolution(), keepsWireLength());
                assertTrue(strangers.isEmpty(), String.join("\n", strangers));
            }
        }
    }

    @Test
    void destinationErrorsAreCountedWithAReasonNeverThrown() throws Exception {
        final Destination failing = failingDestination(folder("failing"));
        if (!failing.canFail()) {
            nothingFailsWithoutADestination();
            return;
        }
        final List<CaptureFile.Record> records = records();
        try (failing; SinkDriver driver = driver(failing)) {
            failing.breakIt();
            try {
                driver.sendAll(records, burstSize(), flushTimeout());
                for (int i = 0; i < 3; i++) {
                    driver.tick();
                }
                driver.flush(flushTimeout());
                driver.closeSink();
            } catch (RuntimeException e) {
                throw new AssertionError("the sink threw on a destination error: a sink counts destination errors as failed"
                        + " packets with a SinkFailure, and never throws them (" + e + ")", e);
            }
            final SinkCounters c = driver.counters();
            assertEquals(records.size(), c.sent(), "sent");
            assertEquals(0, c.inFlight(), "in flight after close");
            assertEquals(c.sent(), c.delivered() + c.failed(), "sent = delivered + failed");
            final long failedBeforeClose = c.failed() - c.failed(SinkFailure.SHUTDOWN);
            assertTrue(failedBeforeClose > 0, "the failing destination made no packet fail before close (failed: "
                    + failures(c) + "): make it fail within " + flushTimeout().toSeconds() + " s, or check that the sink"
                    + " notices a broken destination");
            final boolean explained = c.firstErrors().keySet().stream().anyMatch(reason -> reason != SinkFailure.SHUTDOWN);
            assertTrue(explained, "no failure reason came with its first error message (" + failures(c) + "): pass the"
                    + " cause to SinkCounters.onFailed(reason, packets, cause), so that the stats line says what went wrong");
        }
    }

    @Test
    void aPacketSentAloneIsDeliveredByTicksWithoutFurtherSends() throws Exception {
        final CaptureFile.Record lone = records().getFirst();
        try (Destination destination = destination(folder("destination"));
             SinkDriver driver = driver(destination)) {
            assertTrue(driver.available() > 0, "available() of a new sink");
            driver.send(TestBatch.of(List.of(lone)));
            final long start = System.nanoTime();
            final long giveUp = start + deliveryBound().multipliedBy(3).plusSeconds(2).toNanos();
            final long tickNanos = driver.context().tickInterval().toNanos();
            while (driver.counters().delivered() + driver.counters().failed() == 0) {
                if (System.nanoTime() - giveUp > 0) {
                    fail("a packet sent alone was not delivered after " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)
                            + " ms of ticks (the sink's bound: " + deliveryBound().toMillis() + " ms): a sink must write out"
                            + " what lingers from tick(), not wait for the next send() or flush()");
                }
                driver.tick();
                LockSupport.parkNanos(tickNanos);
            }
            assertEquals(1, driver.counters().delivered(), "delivered: " + failures(driver.counters()));
            if (destination.keepsPackets()) {
                assertSame(List.of(lone), destination.read(1));
            }
        }
    }

    @Test
    void closeIsIdempotent() throws Exception {
        final List<CaptureFile.Record> records = records();
        try (Destination destination = destination(folder("destination"));
             SinkDriver driver = driver(destination)) {
            driver.sendAll(records, burstSize(), roomTimeout());
            driver.flush(flushTimeout());
            driver.closeSink();
            final SinkCounters c = driver.counters();
            final List<Long> after = List.of(c.sent(), c.delivered(), c.failed(), c.bytesDelivered());
            try {
                driver.closeSink();
            } catch (RuntimeException e) {
                throw new AssertionError("a second close() threw: close is idempotent (" + e + ")", e);
            }
            assertEquals(after, List.of(c.sent(), c.delivered(), c.failed(), c.bytesDelivered()),
                    "counters (sent, delivered, failed, bytes) changed by a second close()");
            assertEquals(0, c.inFlight(), "in flight after close");
        }
    }

    @Test
    void countersAndDetailsCanBeReadFromAnyThreadWhileTheSinkWorks() throws Exception {
        final List<CaptureFile.Record> records = records();
        try (Destination destination = destination(folder("destination"));
             SinkDriver driver = driver(destination)) {
            final AtomicBoolean done = new AtomicBoolean();
            final AtomicReference<String> problem = new AtomicReference<>();
            final Thread stats = Thread.ofPlatform().name("stats").start(() -> {
                long reads = 0;
                while (!done.get() || reads < 10) {
                    try {
                        final SinkCounters c = driver.counters();
                        final long inFlight = c.inFlight();
                        if (inFlight < 0) {
                            problem.compareAndSet(null, "in flight read as " + inFlight + " (sent " + c.sent()
                                    + "): count packets as sent (onSent) before counting them delivered or failed");
                        }
                        driver.sink().details().forEach((name, value) -> {
                            if (name == null || value == null) {
                                problem.compareAndSet(null, "details() holds a null name or value");
                            }
                        });
                    } catch (RuntimeException e) {
                        problem.compareAndSet(null, "reading counters() or details() on another thread threw " + e);
                    }
                    reads++;
                }
            });
            try {
                driver.sendAll(records, Math.min(8, burstSize()), roomTimeout());
                driver.flush(flushTimeout());
                driver.closeSink();
            } finally {
                done.set(true);
                stats.join();
            }
            assertEquals(null, problem.get());
        }
    }

    @Test
    void theWholePipelineDeliversEveryPacketOfEachCapture() throws Exception {
        final List<Path> captures = testCaptures();
        for (int i = 0; i < captures.size(); i++) {
            final Path capture = captures.get(i);
            try (Destination destination = destination(folder("pipeline-" + i))) {
                final PipelineRun.Result run = PipelineRun.of(provider(), capture)
                        .with(destination.settings())
                        .with("probe.transmit.workers-per-ring", 2)
                        .run();
                run.assertEveryPacketDelivered();
                if (destination.keepsPackets()) {
                    final List<String> differences = PacketComparison.differences(run.capture().records(),
                            destination.read(run.capture().records().size()), timestampResolution(), keepsWireLength());
                    assertTrue(differences.isEmpty(), capture.getFileName() + ":\n" + String.join("\n", differences));
                }
            }
        }
    }

    @Test
    void referenceConfHasACommentAboveEveryKey() {
        final Config reference = ConfigFactory.defaultReference(provider().getClass().getClassLoader());
        final String section = "probe.sink." + provider().name();
        if (!reference.hasPath(section)) {
            return; // a sink without settings, such as discard
        }
        final List<String> undocumented = new ArrayList<>();
        for (final Map.Entry<String, ConfigValue> e : reference.getConfig(section).entrySet()) {
            if (e.getValue().origin().comments().isEmpty()) {
                undocumented.add(section + "." + e.getKey() + " (" + e.getValue().origin().description() + ")");
            }
        }
        assertTrue(undocumented.isEmpty(), "reference.conf keys without a comment above them: " + undocumented);
    }

    // -------------------------------------------------------------------------------------------- helpers

    /** When the failing destination is {@link Destination#none()}: odd packets into a working one fail nothing. */
    private void nothingFailsWithoutADestination() throws Exception {
        final long now = System.currentTimeMillis() * 1_000_000L;
        final List<CaptureFile.Record> odd = List.of(
                new CaptureFile.Record(now, 0, 60, new byte[0]),
                new CaptureFile.Record(now + 1, 1, 1, new byte[] {7}),
                new CaptureFile.Record(now + 2, 14, 9000, TestCaptures.ethernetFrame(14, 2)),
                new CaptureFile.Record(now + 3, 65_535, 65_535, TestCaptures.ethernetFrame(65_535, 3)),
                new CaptureFile.Record(now + 4, 262_144, 262_144, TestCaptures.ethernetFrame(262_144, 4)));
        try (Destination destination = destination(folder("destination"));
             SinkDriver driver = driver(destination)) {
            driver.sendAll(odd, burstSize(), roomTimeout());
            assertTrue(driver.flush(flushTimeout()), "flush()");
            driver.closeSink();
            final SinkCounters c = driver.counters();
            assertEquals(odd.size(), c.delivered(), "a sink with no destination has nothing to fail: " + failures(c));
            assertEquals(bytes(odd), c.bytesDelivered(), "bytes delivered");
        }
    }

    /** The records of every capture, in order. */
    private List<CaptureFile.Record> records() throws Exception {
        final List<CaptureFile.Record> records = new ArrayList<>();
        for (final Path capture : testCaptures()) {
            records.addAll(CaptureFile.read(capture));
        }
        if (records.isEmpty()) {
            throw new IllegalStateException("captures() hold no packet");
        }
        return records;
    }

    private SinkDriver driver(final Destination destination) throws Exception {
        final Map<String, Object> settings = new LinkedHashMap<>(destination.settings());
        settings.put("probe.sink.type", provider().name());
        final SinkProvider provider = provider();
        final Config config = ConfigLoader.resolve(ConfigFactory.parseMap(settings, "the contract test's settings"),
                Plugins.of(List.of(), List.of(provider)));
        final SinkFactory factory = provider.configure(config);
        return new SinkDriver(factory, context(CaptureFile.load(testCaptures().getFirst())));
    }

    private List<Path> testCaptures() throws IOException {
        if (captures == null) {
            captures = List.copyOf(captures(folder("captures")));
            if (captures.isEmpty()) {
                throw new IllegalStateException("captures() returned no capture");
            }
        }
        return captures;
    }

    private Path folder(final String name) throws IOException {
        return Files.createDirectories(temp.resolve(name));
    }

    /** How long a sink may admit nothing before the driver gives up: its bound and a flush's worth. */
    private Duration roomTimeout() {
        return deliveryBound().plus(flushTimeout());
    }

    private void assertSame(final List<CaptureFile.Record> sent, final List<Received> held) {
        final List<String> differences = PacketComparison.differences(sent, held, timestampResolution(), keepsWireLength());
        assertTrue(differences.isEmpty(), String.join("\n", differences));
    }

    /** The failure counts that are not 0, by reason, with their first error messages: {@code {sink-io-error=3 (IOException: ...)}}. */
    private static String failures(final SinkCounters c) {
        final Map<String, String> failed = new LinkedHashMap<>();
        c.failedByReason().forEach((reason, n) -> {
            if (n > 0) {
                final String message = c.firstError(reason);
                failed.put(reason.key(), n + (message == null ? "" : " (" + message + ")"));
            }
        });
        return failed.toString();
    }

    private static long bytes(final List<CaptureFile.Record> records) {
        return records.stream().mapToLong(CaptureFile.Record::capturedLength).sum();
    }
}
