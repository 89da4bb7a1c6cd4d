package dev.probe.bench;

import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;

/**
 * {@link AbstractPipelineBenchmark} over the in-memory {@code synthetic} source: 64-byte frames
 * generated once off-heap and handed out in a cycle, so the source costs next to nothing and the
 * figure is the pipeline's own ceiling.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PipelineBenchmark extends AbstractPipelineBenchmark {
    /**
     * false: the source waits to be read, like a file (the receive worker takes only what the ring has
     * room for, nothing drops). true: it offers packets whether or not the ring has room, like a NIC
     * (a full ring drops and counts ring-full).
     */
    @Param({"false"})
    public boolean live;

    /** Frame size in bytes. */
    @Param({"64"})
    public int frameSize;

    @Override
    protected List<String> sourceSettings(final int queues) {
        return List.of("probe.source.type=synthetic", "probe.source.synthetic.queues=" + queues,
                "probe.source.synthetic.live=" + live, "probe.source.synthetic.frame-size=" + frameSize,
                "probe.source.synthetic.packets=0");
    }
}
