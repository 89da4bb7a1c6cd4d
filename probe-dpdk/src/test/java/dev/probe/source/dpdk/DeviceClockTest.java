package dev.probe.source.dpdk;

import dev.probe.source.dpdk.internal.DeviceClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The device clock calibration of NIC timestamps, against simulated clocks; no DPDK needed. */
class DeviceClockTest {

    /** A host clock that advances {@code step} ns per read, and a device clock at {@code ticksPerNs} of it. */
    private static final class Clocks {
        final AtomicLong host = new AtomicLong(5_000_000_000L);
        final long step;
        final double ticksPerNs;
        final long deviceOffset;

        Clocks(final long step, final double ticksPerNs, final long deviceOffset) {
            this.step = step;
            this.ticksPerNs = ticksPerNs;
            this.deviceOffset = deviceOffset;
        }

        long host() {
            return host.addAndGet(step);
        }

        long deviceAt(final long hostNanos) {
            return deviceOffset + (long) (hostNanos * ticksPerNs);
        }

        int read(final long[] ticks) {
            // the device is read half way between two host reads, and a sleep of 100 ms passes between readings
            ticks[0] = deviceAt(host.get() + step / 2);
            return 0;
        }
    }

    @Test
    void deviceTicksConvertToHostTimeThroughTheCalibratedRateAndOffset() throws Exception {
        final Clocks c = new Clocks(10, 1.5625, -7_000_000_000L);
        final DeviceClock clock = DeviceClock.calibrate(c::read, c::host, Duration.ZERO);
        assertEquals(1 / 1.5625, clock.nanosPerTick(), 1e-9);
        for (final long host : new long[] {0, 5_000_000_000L, 3_600_000_000_000L, 86_400_000_000_000L}) {
            assertEquals(host, clock.nanoTime(c.deviceAt(host)), 2, "host time " + host);
        }
    }

    @Test
    void aRealClockIsCalibratedAgainstItself() throws Exception {
        final DeviceClock clock = DeviceClock.calibrate(ticks -> {
            ticks[0] = System.nanoTime() * 3;
            return 0;
        }, System::nanoTime, Duration.ofMillis(20));
        assertEquals(1 / 3.0, clock.nanosPerTick(), 1e-3);
        final long now = System.nanoTime();
        assertTrue(Math.abs(clock.nanoTime(now * 3) - now) < 1_000_000, "within a millisecond");
    }

    @Test
    void aDeviceWithoutAClockIsUnusableWithTheDriversStatus() {
        final DeviceClock.Unusable e = assertThrows(DeviceClock.Unusable.class,
                () -> DeviceClock.calibrate(ticks -> -95, System::nanoTime, Duration.ZERO));
        assertEquals(-95, e.status());
        assertTrue(e.getMessage().contains("rte_eth_read_clock"), e.getMessage());
    }

    @Test
    void aClockThatDoesNotAdvanceIsUnusable() {
        final DeviceClock.Unusable e = assertThrows(DeviceClock.Unusable.class,
                () -> DeviceClock.calibrate(ticks -> {
                    ticks[0] = 42;
                    return 0;
                }, System::nanoTime, Duration.ofMillis(1)));
        assertEquals(0, e.status());
        assertTrue(e.getMessage().contains("did not advance"), e.getMessage());
    }
}
