package dev.probe.bench.harness;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/** CPU time of the pipeline's worker threads, found by their role names ({@code rx-0}, {@code tx-0-0}). */
public final class WorkerThreads {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private WorkerThreads() {
    }

    /** The ids of the live threads whose names start with {@code prefix}; allocates, so only at setup. */
    public static long[] ids(final String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(prefix))
                .mapToLong(Thread::threadId)
                .toArray();
    }

    /** The CPU time, in nanoseconds, the threads {@code ids} have used so far (a thread that ended counts 0). */
    public static long cpuNanos(final long[] ids) {
        long total = 0;
        for (final long id : ids) {
            total += Math.max(0, THREADS.getThreadCpuTime(id));
        }
        return total;
    }
}
