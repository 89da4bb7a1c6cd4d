package dev.probe.sink.kafka;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Keeps the Kafka client's own log lines from flooding the probe's output or doubling its messages.
 * While a sink starts or checks its destination ({@link #quiet()}) every line of the
 * {@code org.apache.kafka} loggers is dropped: a start-up failure is reported as one line naming the
 * setting at fault, and the client's lines about the same failure would only repeat it. Afterwards
 * each kind of WARN or ERROR line (the same logger and text up to its numbers, whichever client logged
 * it; see {@link #kind}) is shown at most once per interval (the stats interval; with 0, once), so that a broker outage or a
 * refused batch gives one line per kind, carrying the broker's error text, instead of thousands.
 *
 * <p>Works when log4j-core is the logging backend, as in the probe's distribution: the filter is added
 * to the {@code org.apache.kafka} logger configuration through log4j-core's public API, reached by
 * reflection because this module does not compile against a logging backend. With another backend it
 * does nothing. A log4j reconfiguration removes it. Thread-safe.
 */
final class ClientLogs {
    private static final String KAFKA = "org.apache.kafka";
    /** Log4j's {@code Level.WARN.intLevel()}: lower numbers are more severe. */
    private static final int WARN = 300;
    /** Distinct kinds of line remembered; beyond this, new kinds share one allowance per logger. */
    private static final int MAX_KINDS = 1024;
    /** The {@code [Producer clientId=probe-tx-0-0] } prefix the client puts before its messages. */
    private static final Pattern CLIENT_PREFIX = Pattern.compile("^\\[[^\\]]*\\]\\s*");
    /** Numbers in a line: correlation ids, partitions, node ids, ports, counts, times. */
    private static final Pattern NUMBERS = Pattern.compile("\\d+");
    /** The longest part of a line that tells its kind. */
    private static final int KIND_LENGTH = 200;
    private static final Object LOCK = new Object();
    private static ClientLogs instance;

    private final AtomicInteger quiet = new AtomicInteger();
    private final Map<String, Long> lastShown = new ConcurrentHashMap<>();
    private volatile long intervalNanos;
    private final Method level;
    private final Method intLevel;
    private final Method loggerName;
    private final Method message;
    private final Method format;
    private final Object neutral;
    private final Object deny;
    private final Object started;

    private ClientLogs(final ClassLoader loader) throws ReflectiveOperationException {
        final Class<?> logEvent = Class.forName("org.apache.logging.log4j.core.LogEvent", false, loader);
        final Class<?> levelClass = Class.forName("org.apache.logging.log4j.Level", false, loader);
        final Class<?> messageClass = Class.forName("org.apache.logging.log4j.message.Message", false, loader);
        final Class<?> result = Class.forName("org.apache.logging.log4j.core.Filter$Result", false, loader);
        final Class<?> state = Class.forName("org.apache.logging.log4j.core.LifeCycle$State", false, loader);
        level = logEvent.getMethod("getLevel");
        intLevel = levelClass.getMethod("intLevel");
        loggerName = logEvent.getMethod("getLoggerName");
        message = logEvent.getMethod("getMessage");
        format = messageClass.getMethod("getFormat");
        neutral = constant(result, "NEUTRAL");
        deny = constant(result, "DENY");
        started = constant(state, "STARTED");
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object constant(final Class<?> type, final String name) {
        return Enum.valueOf((Class) type, name);
    }

    /**
     * Installs the filter once per JVM (later calls only change the interval) and returns it; a filter
     * that does nothing when log4j-core is not the backend. Main thread, before clients are built.
     */
    static ClientLogs install(final Duration interval) {
        synchronized (LOCK) {
            if (instance == null) {
                instance = create();
            }
            instance.intervalNanos = interval.toNanos();
            return instance;
        }
    }

    private static ClientLogs create() {
        final ClassLoader loader = ClientLogs.class.getClassLoader();
        try {
            final Class<?> logManager = Class.forName("org.apache.logging.log4j.LogManager", true, loader);
            final Object context = logManager.getMethod("getContext", boolean.class).invoke(null, false);
            final Class<?> coreContext = Class.forName("org.apache.logging.log4j.core.LoggerContext", true, loader);
            final ClientLogs logs = new ClientLogs(loader);
            if (!coreContext.isInstance(context)) {
                return logs;
            }
            final Class<?> filter = Class.forName("org.apache.logging.log4j.core.Filter", true, loader);
            final Class<?> configuration = Class.forName("org.apache.logging.log4j.core.config.Configuration", true, loader);
            final Class<?> coreLogger = Class.forName("org.apache.logging.log4j.core.Logger", true, loader);
            final Object config = coreContext.getMethod("getConfiguration").invoke(context);
            final Object logger = coreContext.getMethod("getLogger", String.class).invoke(context, KAFKA);
            final Object proxy = Proxy.newProxyInstance(filter.getClassLoader(), new Class<?>[] {filter}, logs.handler());
            final Map<?, ?> configured = (Map<?, ?>) configuration.getMethod("getLoggers").invoke(config);
            if (!configured.containsKey(KAFKA)) {
                // A new logger configuration copies the root's additivity, which is false: make it pass
                // what the filter lets through on to the root's appenders.
                configuration.getMethod("setLoggerAdditive", coreLogger, boolean.class).invoke(config, logger, true);
            }
            configuration.getMethod("addLoggerFilter", coreLogger, filter).invoke(config, logger, proxy);
            return logs;
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            // Another logging backend, or an older log4j: the client logs as configured.
            return new ClientLogs();
        }
    }

    /** A filter that filters nothing, for when log4j-core is not there. */
    private ClientLogs() {
        level = null;
        intLevel = null;
        loggerName = null;
        message = null;
        format = null;
        neutral = null;
        deny = null;
        started = null;
    }

    /** Drops every Kafka client line until the returned scope is closed; scopes nest. Main thread. */
    Quiet quiet() {
        quiet.incrementAndGet();
        return quiet::decrementAndGet;
    }

    /** The scope of {@link #quiet()}. */
    interface Quiet extends AutoCloseable {
        @Override
        void close();
    }

    private InvocationHandler handler() {
        return (proxy, method, args) -> switch (method.getName()) {
            case "filter" -> args != null && args.length == 1 ? decide(args[0]) : neutral;
            case "getOnMatch", "getOnMismatch" -> neutral;
            case "getState" -> started;
            case "isStarted" -> Boolean.TRUE;
            case "isStopped" -> Boolean.FALSE;
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            case "toString" -> "probe Kafka client log filter";
            default -> null;
        };
    }

    /**
     * The kind of a line: its text without the client's prefix and with every number as {@code #}. The
     * client formats its messages itself (its log context adds the prefix), so lines of one kind differ
     * in their numbers (correlation ids, partitions, nodes, attempts left), not in a pattern.
     */
    static String kind(final String text) {
        final String kind = NUMBERS.matcher(CLIENT_PREFIX.matcher(text).replaceFirst("")).replaceAll("#");
        return kind.length() > KIND_LENGTH ? kind.substring(0, KIND_LENGTH) : kind;
    }

    /** DENY or NEUTRAL for one log event of an {@code org.apache.kafka} logger; any thread. */
    private Object decide(final Object event) throws IllegalAccessException, InvocationTargetException {
        if (quiet.get() > 0) {
            return deny;
        }
        if ((int) intLevel.invoke(level.invoke(event)) > WARN) {
            return neutral;
        }
        final String logger = String.valueOf(loggerName.invoke(event));
        final Object m = message.invoke(event);
        String kind = logger + '|' + kind(m == null ? "" : String.valueOf(format.invoke(m)));
        if (!lastShown.containsKey(kind) && lastShown.size() >= MAX_KINDS) {
            kind = logger;
        }
        final long now = System.nanoTime();
        final Long last = lastShown.get(kind);
        final long interval = intervalNanos;
        if (last != null && (interval == 0 || now - last < interval)) {
            return deny;
        }
        lastShown.put(kind, now);
        return neutral;
    }
}
