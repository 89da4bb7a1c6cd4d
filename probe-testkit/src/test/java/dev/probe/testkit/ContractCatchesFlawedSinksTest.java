package dev.probe.testkit;

import dev.probe.spi.SinkProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract test fails for sinks that break its rules, each in the test named for that rule, and
 * passes for the same sink without the flaw: each test of {@link SinkContractTest} can fail.
 */
class ContractCatchesFlawedSinksTest {

    /** The flaw the next launch of {@link FlawedSinkContract} tests. */
    private static volatile FlawedSinkProvider.Flaw flaw = FlawedSinkProvider.Flaw.NONE;
    /** Its provider. */
    private static volatile SinkProvider provider = new FlawedSinkProvider();

    /** The contract test of the flawed sink; launched by this class, never on its own (a nested class). */
    static class FlawedSinkContract extends SinkContractTest {
        @Override
        protected SinkProvider provider() {
            return provider;
        }

        private Destination store(final String name) {
            final String section = "probe.sink." + provider.name();
            return Destination.of(Map.of(section + ".store", name, section + ".flaw", flaw.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')),
                    atLeast -> FlawedSinkProvider.store(name).packets());
        }

        @Override
        protected Destination destination(final Path folder) {
            return store(UUID.randomUUID().toString());
        }

        @Override
        protected Destination failingDestination(final Path folder) {
            final String name = UUID.randomUUID().toString();
            return store(name).failingOnceCreated(() -> FlawedSinkProvider.store(name).breakIt());
        }

        @Override
        protected Duration deliveryBound() {
            return Duration.ofMillis(100);
        }

        @Override
        protected Duration flushTimeout() {
            return Duration.ofSeconds(2);
        }
    }

    /** Runs {@code methods} (all when none) of the contract test and returns the failed ones with their messages. */
    private static Map<String, String> failures(final String... methods) {
        final LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request();
        if (methods.length == 0) {
            request.selectors(DiscoverySelectors.selectClass(FlawedSinkContract.class));
        } else {
            for (final String method : methods) {
                request.selectors(DiscoverySelectors.selectMethod(FlawedSinkContract.class, method));
            }
        }
        final LauncherDiscoveryRequest discovery = request.build();
        final Map<String, String> failed = new TreeMap<>();
        final Set<String> ran = new TreeSet<>();
        final Launcher launcher = LauncherFactory.create();
        launcher.execute(discovery, new TestExecutionListener() {
            @Override
            public void executionFinished(final TestIdentifier id, final TestExecutionResult result) {
                if (id.getSource().orElse(null) instanceof MethodSource m) {
                    ran.add(m.getMethodName());
                    if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                        failed.put(m.getMethodName(), result.getThrowable().map(Throwable::getMessage).orElse(result.getStatus().name()));
                    }
                }
            }
        });
        if (methods.length > 0) {
            assertEquals(new TreeSet<>(Set.of(methods)), ran, "contract tests run");
        } else {
            assertEquals(11, ran.size(), "contract tests run: " + ran);
        }
        return failed;
    }

    @Test
    void aSinkWithoutFlawsPassesEveryContractTest() {
        flaw = FlawedSinkProvider.Flaw.NONE;
        provider = new FlawedSinkProvider();
        assertEquals(Map.of(), failures());
    }

    @ParameterizedTest
    @EnumSource(value = FlawedSinkProvider.Flaw.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
    void eachFlawFailsTheTestOfItsRule(final FlawedSinkProvider.Flaw tested) {
        flaw = tested;
        provider = new FlawedSinkProvider();
        final String rule = switch (tested) {
            case KEEPS_VIEWS -> "bytesAreCopiedBeforeTheBatchIsReleased";
            case LINGERS_UNTIL_NEXT_SEND -> "aPacketSentAloneIsDeliveredByTicksWithoutFurtherSends";
            case THROWS_ON_DESTINATION_ERROR, HIDES_DESTINATION_ERRORS, FAILS_WITHOUT_A_MESSAGE ->
                    "destinationErrorsAreCountedWithAReasonNeverThrown";
            case SECOND_CLOSE_THROWS -> "closeIsIdempotent";
            case COUNTS_SENT_LATE -> "countersBalanceAndCountTheBytesDelivered";
            case CLOSE_FORGETS_BUFFERED, CLOSE_COUNTS_DROPS_AS_OTHER -> "closeWithoutFlushCountsWhatItDropsAsSinkShutdown";
            case ADMITS_MORE_THAN_IT_HOLDS, NEEDS_A_SEND_TO_MAKE_ROOM -> "availableIsNeverNegativeAndEveryPacketItAdmitsIsDelivered";
            case NONE -> throw new AssertionError();
        };
        final Map<String, String> failed = failures(rule);
        assertTrue(failed.containsKey(rule), tested + " passed " + rule);
        System.out.println(tested + " -> " + rule + ": " + failed.get(rule).lines().findFirst().orElse(""));
    }

    @Test
    void keptViewsArriveAsPoisonThroughTheWholePipelineToo() {
        flaw = FlawedSinkProvider.Flaw.KEEPS_VIEWS;
        provider = new FlawedSinkProvider();
        final Map<String, String> failed = failures("theWholePipelineDeliversEveryPacketOfEachCapture");
        assertTrue(failed.getOrDefault("theWholePipelineDeliversEveryPacketOfEachCapture", "").contains("kept views"),
                failed.toString());
    }

    @Test
    void aReferenceConfKeyWithoutACommentFailsTheDocumentationTest() {
        flaw = FlawedSinkProvider.Flaw.NONE;
        provider = new FlawedSinkProvider.Undocumented();
        final Map<String, String> failed = failures("referenceConfHasACommentAboveEveryKey");
        assertTrue(failed.getOrDefault("referenceConfHasACommentAboveEveryKey", "").contains("probe.sink.undocumented.store"),
                failed.toString());
    }
}
