package dev.probe.runtime.plugin;

/** Java sources of the plugins the plugin tests build. */
final class PluginSources {
    private PluginSources() {
    }

    /**
     * A sink provider {@code pkg.cls} named {@code name} whose sinks count what they are sent and, at close,
     * append {@code "<sent> <bytes> <extra>"} to the file {@code probe.sink.<name>.out}. {@code extra} is a
     * Java expression of type String, evaluated in {@code configure}; {@code configureFirst} is a statement
     * run first in {@code configure}.
     */
    static String countingSink(final String pkg, final String cls, final String name, final String extra,
                               final String configureFirst) {
        return """
                package %1$s;

                import com.typesafe.config.Config;
                import dev.probe.spi.PacketBatch;
                import dev.probe.spi.Sink;
                import dev.probe.spi.SinkContext;
                import dev.probe.spi.SinkCounters;
                import dev.probe.spi.SinkFactory;
                import dev.probe.spi.SinkProvider;
                import java.io.IOException;
                import java.io.UncheckedIOException;
                import java.nio.file.Files;
                import java.nio.file.Path;
                import java.nio.file.StandardOpenOption;
                import java.time.Duration;

                public final class %2$s implements SinkProvider {
                    @Override
                    public String name() {
                        return "%3$s";
                    }

                    @Override
                    public SinkFactory configure(final Config config) {
                        %5$s
                        final Path out = Path.of(config.getString("probe.sink.%3$s.out"));
                        final String extra = %4$s;
                        return new SinkFactory() {
                            @Override
                            public Sink create(final SinkContext context) {
                                return new Counting(out, extra);
                            }

                            @Override
                            public String description() {
                                return "counting into " + out + " (" + extra + ")";
                            }
                        };
                    }

                    static final class Counting implements Sink {
                        private final SinkCounters counters = new SinkCounters();
                        private final Path out;
                        private final String extra;
                        private boolean closed;

                        Counting(final Path out, final String extra) {
                            this.out = out;
                            this.extra = extra;
                        }

                        @Override
                        public int available() {
                            return 1024;
                        }

                        @Override
                        public void send(final PacketBatch batch) {
                            counters.onSent(batch.size());
                            long bytes = 0;
                            for (int i = 0; i < batch.size(); i++) {
                                bytes += batch.capturedLength(i);
                            }
                            counters.onDelivered(batch.size(), bytes);
                        }

                        @Override
                        public boolean flush(final Duration timeout) {
                            return true;
                        }

                        @Override
                        public SinkCounters counters() {
                            return counters;
                        }

                        @Override
                        public void close() {
                            if (closed) {
                                return;
                            }
                            closed = true;
                            try {
                                Files.writeString(out, counters.sent() + " " + counters.bytesDelivered() + " " + extra + "\\n",
                                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        }
                    }
                }
                """.formatted(pkg, cls, name, extra, configureFirst);
    }

    /** A counting sink as above, with no extra. */
    static String countingSink(final String pkg, final String cls, final String name) {
        return countingSink(pkg, cls, name, "\"\"", "");
    }

    /** {@code reference.conf} documenting {@code probe.sink.<name>.out}. */
    static String countingReference(final String name) {
        return """
                probe.sink.%1$s {
                  # File the sinks append "<sent> <bytes> <extra>" to when they close.
                  out = ""
                }
                """.formatted(name);
    }

    /**
     * A stand-in for the picocli library, class {@code picocli.CommandLine} with a method the real one
     * lacks: what a plugin bundling another version of a library the probe has sees.
     */
    static String fakePicocli(final String version) {
        return """
                package picocli;

                public final class CommandLine {
                    public static String pluginVersion() {
                        return "%s";
                    }
                }
                """.formatted(version);
    }
}
