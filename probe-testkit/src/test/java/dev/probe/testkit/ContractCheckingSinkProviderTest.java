package dev.probe.testkit;

import com.typesafe.config.ConfigFactory;
import dev.probe.sink.discard.DiscardSinkProvider;
import dev.probe.spi.Sink;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The wrapper PipelineRun puts around the sink sees each way a caller can break the Sink threading and order contract. */
class ContractCheckingSinkProviderTest {

    private static TestBatch batch(final int n) {
        final TestBatch batch = new TestBatch();
        for (int i = 0; i < n; i++) {
            batch.add(i, TestBatch.frame(60, i));
        }
        return batch;
    }

    @Test
    void reportsSendsBeyondAvailableCallsOnTwoThreadsAndCallsAfterCloseOnly() throws InterruptedException {
        final ContractCheckingSinkProvider checked = new ContractCheckingSinkProvider(new DiscardSinkProvider());
        final Sink sink = checked.configure(ConfigFactory.empty()).create(TestContext.worker("tx-0-0"));
        sink.available();
        sink.send(batch(5));
        sink.tick();
        sink.flush(Duration.ZERO);
        assertEquals(List.of(), checked.violations(), "a caller keeping the contract");

        final Thread other = Thread.ofPlatform().name("other").start(sink::tick);
        other.join();
        sink.send(batch(1));
        sink.close();
        sink.close();
        sink.tick();
        assertEquals(List.of(
                "tx-0-0: tick() called on thread other, earlier calls on main: all but counters() and details() come from one worker thread",
                "tx-0-0: send() called after flush(): flush comes once the ring is drained",
                "tx-0-0: close() called 2 times: the runtime closes a sink once",
                "tx-0-0: tick() called after close()"), checked.violations());
    }

    @Test
    void reportsABatchLargerThanTheLastAvailableResult() {
        final ContractCheckingSinkProvider checked = new ContractCheckingSinkProvider(new DiscardSinkProvider());
        final Sink sink = checked.configure(ConfigFactory.empty()).create(TestContext.worker("tx-0-1"));
        sink.send(batch(1));
        assertEquals(List.of("tx-0-1: send() given 1 packets, but the last available() was 0"), checked.violations());
    }
}
