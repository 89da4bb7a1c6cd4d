package dev.probe.e2e;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.probe.testkit.SharedCaptures;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every setting of every module's {@code reference.conf} on the class path, given a wrong type, a
 * negative, a fraction or a huge value, makes {@code probe check} exit with status 2 and one line that
 * names the setting. {@code check} validates every section the user wrote, selected or not, so each
 * module's settings are reached while the pcap source and the discard sink are selected.
 *
 * <p>Values that are right for a setting by design are listed in {@link #VALID}, with why.
 */
class SettingsFuzzTest {
    private static final Pattern DURATION = Pattern.compile("\\d+\\s*(ns|us|ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("\\d+\\s*(B|KiB|MiB|GiB|k|K|M|G|KB|MB|GB)");

    private static final String PRODUCER = "probe.sink.kafka.producer.";

    /** Values a setting accepts by design, as {@code path = value}. */
    private static final Map<String, String> VALID = Map.of(
            "probe.sink.kafka.producer.acks = -1", "the client's name for acks = all",
            "probe.stop.max-packets = 2147483648", "a count of packets, up to 2^63 - 1",
            "probe.source.synthetic.packets = 2147483648", "a count of packets, up to 2^63 - 1",
            "probe.sink.kafka.producer.buffer.memory = 2147483648", "a long in the client, 2 GiB of buffer is allowed",
            "probe.sink.kafka.producer.linger.ms = 2147483648", "a long in the client",
            "probe.sink.file.retention.max-bytes = 2147483648", "a number of bytes: 2 GiB of files is a fine limit");

    /** A setting's kind, from its reference value. */
    private enum Kind { INTEGER, BOOLEAN, DURATION, SIZE, STRING, INTEGER_LIST, STRING_LIST }

    private static List<String> mutations(final Kind kind) {
        return switch (kind) {
            case INTEGER -> List.of("\"x\"", "1.5", "-1", "2147483648", "99999999999999999999", "1e30", "{a=1}", "[1]",
                    "true", "null");
            case BOOLEAN -> List.of("\"maybe\"", "1.5", "-1", "[true]", "{a=1}", "null");
            case DURATION -> List.of("-5s", "\"soon\"", "1.5 fortnights", "99999999999999d", "[1]", "{a=1}", "true", "null");
            case SIZE -> List.of("-1MiB", "\"lots\"", "1.5", "1048576.5", "99999999999999TiB", "[1]", "{a=1}", "true", "null");
            case STRING -> List.of("[1]", "{a=1}", "null");
            case INTEGER_LIST -> List.of("\"x\"", "[1.5]", "[-1]", "[99999999999]", "{a=1}", "[[1]]", "null");
            case STRING_LIST -> List.of("\"x\"", "{a=1}", "[[1]]", "[{a=1}]", "null");
        };
    }

    private static Kind kind(final String path, final ConfigValue value) {
        return switch (value.valueType()) {
            case NUMBER -> Kind.INTEGER;
            case BOOLEAN -> Kind.BOOLEAN;
            case LIST -> {
                final ConfigList list = (ConfigList) value;
                yield list.isEmpty() ? (path.endsWith("cores") ? Kind.INTEGER_LIST : Kind.STRING_LIST)
                        : list.get(0).valueType() == ConfigValueType.NUMBER ? Kind.INTEGER_LIST : Kind.STRING_LIST;
            }
            case STRING -> {
                final String s = String.valueOf(value.unwrapped()).strip();
                yield DURATION.matcher(s).matches() ? Kind.DURATION : SIZE.matcher(s).matches() ? Kind.SIZE : Kind.STRING;
            }
            default -> null;
        };
    }

    /** Every leaf under {@code probe} of every reference.conf on the class path, with its reference value. */
    private static Map<String, ConfigValue> settings() throws IOException {
        final Map<String, ConfigValue> all = new TreeMap<>();
        for (final URL url : Collections.list(SettingsFuzzTest.class.getClassLoader().getResources("reference.conf"))) {
            final Config reference = ConfigFactory.parseURL(url);
            if (reference.hasPath("probe")) {
                walk("probe", reference.getValue("probe"), all);
            }
        }
        return all;
    }

    private static void walk(final String path, final ConfigValue value, final Map<String, ConfigValue> out) {
        if (value.valueType() == ConfigValueType.OBJECT) {
            for (final Map.Entry<String, ConfigValue> e : ((ConfigObject) value).entrySet()) {
                walk(path + "." + ConfigUtil.joinPath(e.getKey()), e.getValue(), out);
            }
        } else {
            out.put(path, value);
        }
    }

    @Test
    void everySettingGivenAWrongValueIsOneLineNamingItWithStatus2() throws IOException {
        final String file = SharedCaptures.entry("dns_udp_2.pcap").path().toString();
        final Map<String, ConfigValue> settings = settings();
        assertTrue(settings.keySet().containsAll(List.of("probe.receive.burst-size", "probe.source.pcap.snaplen",
                "probe.sink.kafka.topic", "probe.sink.kafka.producer.linger.ms", "probe.source.dpdk.rx-queues")),
                "the reference.conf of runtime, pcap, kafka and dpdk are all walked: " + settings.keySet());
        final Map<String, String> failures = new LinkedHashMap<>();
        int runs = 0;
        for (final Map.Entry<String, ConfigValue> setting : settings.entrySet()) {
            final String path = setting.getKey();
            final Kind kind = kind(path, setting.getValue());
            if (kind == null) {
                continue;
            }
            for (final String value : mutations(kind)) {
                final String id = path + " = " + value;
                if (VALID.containsKey(id) || value.equals("null") && path.startsWith(PRODUCER)) {
                    continue; // null hands a producer property back to the client's default, as documented
                }
                runs++;
                // The file sink's section is checked because it is written: give it a folder, so that the
                // setting under test is the only bad one.
                final Probe.Cli cli = Probe.cli("check", "--set", "probe.source.pcap.file=" + ConfigUtil.quoteString(file),
                        "--set", "probe.sink.type=discard",
                        "--set", "probe.sink.file.directory=" + ConfigUtil.quoteString(System.getProperty("java.io.tmpdir")),
                        "--set", path + "=" + value);
                final String problem = problem(cli, path);
                if (problem != null) {
                    failures.put(id, problem);
                }
            }
        }
        final StringBuilder report = new StringBuilder();
        failures.forEach((id, problem) -> report.append("\n  ").append(id).append("  ->  ").append(problem));
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + runs + " wrong values were not one line naming the setting with status 2:" + report);
        }
        assertTrue(runs > 400, "wrong values tried: " + runs);
    }

    @Test
    void aSecretNeverAppearsInTheOutputWhateverItsValue() {
        final String file = SharedCaptures.entry("dns_udp_2.pcap").path().toString();
        final List<String> problems = new ArrayList<>();
        for (final String key : List.of("probe.sink.kafka.producer.ssl.truststore.password",
                "probe.sink.kafka.producer.ssl.keystore.password", "probe.sink.kafka.producer.ssl.key.password",
                "probe.sink.kafka.producer.sasl.jaas.config")) {
            for (final String value : List.of("\"S3CRET-string\"", "{x=\"S3CRET-object\"}", "[\"S3CRET-list\"]",
                    "{x={y=\"S3CRET-deep\"}}")) {
                final Probe.Cli cli = Probe.cli("check", "--set", "probe.source.pcap.file=" + ConfigUtil.quoteString(file),
                        "--set", "probe.sink.type=kafka", "--set", key + "=" + value);
                if (cli.stdout().contains("S3CRET") || cli.stderr().contains("S3CRET")) {
                    problems.add(key + " = " + value + " -> exit " + cli.exit() + ": "
                            + (cli.stderr().contains("S3CRET") ? cli.stderr().strip() : "shown on standard output"));
                }
            }
        }
        assertTrue(problems.isEmpty(), "secrets shown:\n  " + String.join("\n  ", problems));
    }

    /** Null when the check failed as it should, else what was wrong. */
    private static String problem(final Probe.Cli cli, final String path) {
        final List<String> lines = cli.stderrLines();
        if (cli.exit() != 2) {
            return "exit " + cli.exit() + (lines.isEmpty() ? "" : ": " + lines.getLast());
        }
        if (lines.size() != 1) {
            return lines.size() + " lines: " + String.join(" | ", lines).substring(0, Math.min(600, String.join(" | ", lines).length()));
        }
        if (!lines.get(0).contains(path)) {
            return "does not name it: " + lines.get(0);
        }
        return null;
    }
}
