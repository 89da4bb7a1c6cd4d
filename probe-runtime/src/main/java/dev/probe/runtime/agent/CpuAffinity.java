package dev.probe.runtime.agent;

import dev.probe.api.ProbeException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Pins the calling thread to one core with Linux {@code sched_setaffinity}, through the FFM API.
 */
public final class CpuAffinity {
    private static final int MASK_BYTES = 128; // 1024 cores
    private static final MethodHandle SCHED_SETAFFINITY;

    static {
        final Linker linker = Linker.nativeLinker();
        SCHED_SETAFFINITY = linker.defaultLookup().find("sched_setaffinity")
                .map(address -> linker.downcallHandle(address, FunctionDescriptor.of(
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS)))
                .orElse(null);
    }

    private CpuAffinity() {
    }

    /**
     * Restricts the calling thread to {@code core}. Called by a worker thread on itself.
     *
     * @throws ProbeException when the core does not exist or the call is refused
     */
    public static void pinCurrentThread(final int core) {
        if (SCHED_SETAFFINITY == null) {
            throw new ProbeException("Cannot pin worker to core " + core + ": sched_setaffinity is not available here (set the cores lists to [])");
        }
        if (core < 0 || core >= MASK_BYTES * 8) {
            throw new ProbeException("Cannot pin worker to core " + core + ": expected a core from 0 to " + (MASK_BYTES * 8 - 1));
        }
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment mask = arena.allocate(MASK_BYTES);
            mask.set(ValueLayout.JAVA_BYTE, core / 8, (byte) (1 << (core % 8)));
            final int rc = (int) SCHED_SETAFFINITY.invokeExact(0, (long) MASK_BYTES, mask);
            if (rc != 0) {
                throw new ProbeException("Cannot pin worker " + Thread.currentThread().getName() + " to core " + core
                        + ": sched_setaffinity refused (is the core online and allowed for this process?)");
            }
        } catch (ProbeException e) {
            throw e;
        } catch (Throwable t) {
            throw new ProbeException("Cannot pin worker to core " + core + ": " + t, t);
        }
    }
}
