package dev.probe.runtime.cli;

import dev.probe.api.ProbeException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The command line of one subcommand: {@code -c FILE}, repeated {@code --set path=value}, and named
 * options with one value each. Unknown options fail with one line.
 */
final class Arguments {
    private final String command;
    private Path configFile;
    private final List<String> overrides = new ArrayList<>();
    private final Map<String, String> options = new HashMap<>();

    private Arguments(final String command) {
        this.command = command;
    }

    /**
     * @param allowed the named options this subcommand takes, such as {@code --summary}
     */
    static Arguments parse(final String command, final List<String> args, final Set<String> allowed) {
        final Arguments parsed = new Arguments(command);
        for (int i = 0; i < args.size(); i++) {
            final String arg = args.get(i);
            String name = arg;
            String value = null;
            final int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            if (!name.equals("-c") && !name.equals("--config") && !name.equals("--set") && !allowed.contains(name)) {
                throw new ProbeException("Unknown option " + arg + " for probe " + command
                        + " (expected: -c FILE, --set path=value" + (allowed.isEmpty() ? "" : ", " + String.join(", ", allowed.stream().sorted().toList()))
                        + "; see probe --help)");
            }
            if (value == null) {
                if (i + 1 >= args.size()) {
                    throw new ProbeException("Option " + name + " of probe " + command + " needs a value");
                }
                value = args.get(++i);
            }
            switch (name) {
                case "-c", "--config" -> parsed.configFile = Path.of(value);
                case "--set" -> parsed.overrides.add(value);
                default -> parsed.options.put(name, value);
            }
        }
        return parsed;
    }

    Path configFile() {
        return configFile;
    }

    List<String> overrides() {
        return overrides;
    }

    String option(final String name, final String fallback) {
        return options.getOrDefault(name, fallback);
    }

    boolean has(final String name) {
        return options.containsKey(name);
    }

    long longOption(final String name, final long fallback, final long min) {
        final String value = options.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            final long parsed = Long.parseLong(value.replace("_", ""));
            if (parsed < min) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new ProbeException("Invalid value " + value + " for " + name + ": expected an integer of at least " + min);
        }
    }

    Duration durationOption(final String name, final Duration fallback) {
        final String value = options.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            return com.typesafe.config.ConfigFactory.parseString("d = " + value).getDuration("d");
        } catch (RuntimeException e) {
            throw new ProbeException("Invalid value " + value + " for " + name + ": expected a duration such as 30s, 500ms or 2m");
        }
    }
}
