package dev.probe.runtime.inject;

import dagger.Module;
import dagger.Provides;
import dagger.multibindings.IntoMap;
import dagger.multibindings.StringKey;
import dev.probe.runtime.agent.BackoffIdleStrategy;
import dev.probe.runtime.agent.BusySpinIdleStrategy;
import dev.probe.runtime.agent.IdleStrategy;
import dev.probe.runtime.agent.SleepingIdleStrategy;
import dev.probe.runtime.config.RuntimeSettings;

/**
 * The idle strategies by the name the {@code idle-strategy} settings use. Unscoped: each worker gets
 * its own instance, since a strategy keeps per-thread state.
 */
@Module
final class IdleStrategyModule {
    private IdleStrategyModule() {
    }

    @Provides
    @IntoMap
    @StringKey("busy-spin")
    static IdleStrategy busySpin() {
        return new BusySpinIdleStrategy();
    }

    @Provides
    @IntoMap
    @StringKey("backoff")
    static IdleStrategy backoff(final RuntimeSettings settings) {
        return new BackoffIdleStrategy(settings.backoffMaxSpins(), settings.backoffMaxYields(),
                settings.backoffMaxPark().toNanos());
    }

    @Provides
    @IntoMap
    @StringKey("sleep")
    static IdleStrategy sleep(final RuntimeSettings settings) {
        return new SleepingIdleStrategy(settings.sleepPeriod().toNanos());
    }
}
