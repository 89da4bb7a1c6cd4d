package dev.probe.runtime.metrics;

import com.typesafe.config.Config;
import dev.probe.api.Settings;

import java.time.Duration;

/**
 * The metrics endpoint's settings ({@code probe.metrics.*}), read and validated once at start-up.
 *
 * @param port TCP port of the endpoint; 0 when it is off
 * @param host the address it binds to
 * @param deliveryStallTimeout how long packets may be in flight with none delivered before {@code /ready}
 *        reports not ready
 */
public record MetricsSettings(int port, String host, Duration deliveryStallTimeout) {

    /** Reads and validates; throws {@link dev.probe.api.ProbeException} naming the first bad setting. */
    public static MetricsSettings from(final Config c) {
        return new MetricsSettings(
                Settings.intInRange(c, "probe.metrics.port", 0, 65535),
                Settings.nonEmptyString(c, "probe.metrics.host"),
                Settings.duration(c, "probe.metrics.delivery-stall-timeout", Duration.ofMillis(100), Duration.ofDays(1)));
    }

    /** Whether the endpoint is on ({@code probe.metrics.port} is not 0). */
    public boolean enabled() {
        return port != 0;
    }
}
