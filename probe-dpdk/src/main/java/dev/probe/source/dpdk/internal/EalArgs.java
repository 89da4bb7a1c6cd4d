package dev.probe.source.dpdk.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * Reads what the EAL will do with {@code eal-args} without starting it: the options as it parses them
 * ({@link #options}), the virtual devices they create ({@link #vdevs}) and what it would refuse
 * ({@link #problem}). Any thread; holds no state.
 */
public final class EalArgs {
    /** DPDK's {@code RTE_MAX_LCORE} as Debian builds it: lcore ids run below it. */
    public static final int MAX_LCORE = 128;

    /** DPDK 22.11's short options: a letter followed by ':' takes a value. */
    private static final String SHORT = "a:b:c:s:d:hl:S:m:n:r:v";
    /** DPDK 22.11's long options and whether each takes a value: 0 never, 1 always, 2 only after '='. */
    private static final Map<String, Integer> LONG = Map.ofEntries(Map.entry("base-virtaddr", 1),
            Map.entry("create-uio-dev", 0), Map.entry("file-prefix", 1), Map.entry("help", 0),
            Map.entry("huge-dir", 1), Map.entry("huge-unlink", 2), Map.entry("iova-mode", 1), Map.entry("lcores", 1),
            Map.entry("log-level", 1), Map.entry("trace", 1), Map.entry("trace-dir", 1), Map.entry("trace-bufsz", 1),
            Map.entry("trace-mode", 1), Map.entry("main-lcore", 1), Map.entry("mbuf-pool-ops-name", 1),
            Map.entry("no-hpet", 0), Map.entry("no-huge", 0), Map.entry("no-pci", 0), Map.entry("no-shconf", 0),
            Map.entry("in-memory", 0), Map.entry("block", 1), Map.entry("allow", 1), Map.entry("proc-type", 1),
            Map.entry("socket-mem", 1), Map.entry("socket-limit", 1), Map.entry("syslog", 1), Map.entry("vdev", 1),
            Map.entry("vfio-intr", 1), Map.entry("vfio-vf-token", 1), Map.entry("vmware-tsc-map", 0),
            Map.entry("legacy-mem", 0), Map.entry("single-file-segments", 0), Map.entry("match-allocations", 0),
            Map.entry("telemetry", 0), Map.entry("no-telemetry", 0), Map.entry("force-max-simd-bitwidth", 1),
            Map.entry("huge-worker-stack", 2));

    /**
     * One option as the EAL's {@code getopt_long} reads it.
     *
     * @param name the option's full name: {@code -l}, {@code --vdev} (a unique abbreviation is expanded)
     * @param value its value, or null
     */
    public record Option(String name, String value) {
    }

    /**
     * The options of {@code args} up to {@code --}, and what stopped the EAL reading them.
     *
     * @param options the options read, in order
     * @param problem what is wrong with the next argument, phrased as what was expected; null when none is
     */
    public record Options(List<Option> options, String problem) {
    }

    private EalArgs() {
    }

    /**
     * One {@code --vdev NAME,KEY=VALUE,...}.
     *
     * @param name the device name, which becomes the port's name ({@code net_pcap0})
     * @param keys the argument keys in order, repeated keys included
     * @param values the value of each key ({@code ""} for a key without {@code =})
     */
    public record Vdev(String name, List<String> keys, List<String> values) {
        /** Whether the {@code net_pcap} driver (or its alias {@code eth_pcap}) creates this device. */
        public boolean isPcap() {
            return name.startsWith("net_pcap") || name.startsWith("eth_pcap");
        }

        /** Whether the {@code net_af_packet} driver (or its alias {@code eth_af_packet}) creates this device. */
        public boolean isAfPacket() {
            return name.startsWith("net_af_packet") || name.startsWith("eth_af_packet");
        }

        /** Every value of {@code key}, in order. */
        public List<String> all(final String key) {
            final List<String> found = new ArrayList<>();
            for (int i = 0; i < keys.size(); i++) {
                if (keys.get(i).equals(key)) {
                    found.add(values.get(i));
                }
            }
            return found;
        }

        /**
         * The files a {@code net_pcap} device replays, one per receive queue in order; empty for other
         * devices and for one given {@code iface=}, which net_pcap then reads instead.
         */
        public List<Path> rxPcapFiles() {
            if (!isPcap() || all("iface").size() == 1) {
                return List.of();
            }
            return all("rx_pcap").stream().map(Path::of).toList();
        }

        /** Whether this device replays files ({@link #rxPcapFiles()} not empty). */
        public boolean readsFiles() {
            return !rxPcapFiles().isEmpty();
        }

        /**
         * Whether the files are replayed forever: net_pcap honours {@code infinite_rx} given once, with a
         * value C's {@code atoi} reads as positive.
         */
        public boolean infiniteRx() {
            final List<String> infinite = all("infinite_rx");
            return readsFiles() && infinite.size() == 1 && atoi(infinite.get(0)) > 0;
        }

        /** The receive queues the driver offers ({@code max_rx_queues}), or -1 when not known from the arguments. */
        public int maxRxQueues() {
            if (isPcap()) {
                if (all("iface").size() == 1) {
                    return 1;
                }
                final int files = all("rx_pcap").size();
                final int ifaces = all("rx_iface").size() + all("rx_iface_in").size();
                return files > 0 ? files : ifaces > 0 ? ifaces : all("tx_pcap").size() + all("tx_iface").size();
            }
            if (isAfPacket()) {
                final List<String> qpairs = all("qpairs");
                return qpairs.isEmpty() ? 1 : Math.max(1, atoi(qpairs.get(qpairs.size() - 1)));
            }
            return -1;
        }
    }

    /**
     * Reads {@code args} as the EAL's {@code getopt_long} does with DPDK 22.11's options: short options
     * with attached or following values, long options by their name or a unique abbreviation, arguments
     * that are not options skipped, {@code --} ending the EAL's part.
     */
    public static Options options(final List<String> args) {
        final List<Option> options = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            final String a = args.get(i);
            if (a.equals("--")) {
                break;
            }
            if (a.startsWith("--")) {
                final int eq = a.indexOf('=');
                final String given = a.substring(2, eq < 0 ? a.length() : eq);
                final List<String> matches = LONG.containsKey(given) ? List.of(given)
                        : LONG.keySet().stream().filter(n -> n.startsWith(given)).sorted().toList();
                if (matches.size() != 1 || given.isEmpty()) {
                    return new Options(List.copyOf(options), "options the EAL knows, not " + a.substring(0,
                            eq < 0 ? a.length() : eq) + (matches.size() > 1 ? " (ambiguous: --" + String.join(", --",
                            matches) + ")" : ""));
                }
                final String name = "--" + matches.get(0);
                final int hasArg = LONG.get(matches.get(0));
                if (eq >= 0 && hasArg == 0) {
                    return new Options(List.copyOf(options), name + " without a value, not " + a);
                }
                String value = eq >= 0 ? a.substring(eq + 1) : null;
                if (value == null && hasArg == 1) {
                    if (i + 1 == args.size()) {
                        return new Options(List.copyOf(options), name + " to be followed by a value");
                    }
                    value = args.get(++i);
                }
                options.add(new Option(name, value));
            } else if (a.length() > 1 && a.charAt(0) == '-') {
                for (int c = 1; c < a.length(); c++) {
                    final char letter = a.charAt(c);
                    final int at = letter == ':' ? -1 : SHORT.indexOf(letter);
                    if (at < 0) {
                        return new Options(List.copyOf(options), "options the EAL knows, not -" + letter
                                + (a.length() > 2 ? " (in " + a + ")" : ""));
                    }
                    if (at + 1 < SHORT.length() && SHORT.charAt(at + 1) == ':') {
                        String value = a.substring(c + 1);
                        if (value.isEmpty()) {
                            if (i + 1 == args.size()) {
                                return new Options(List.copyOf(options), "-" + letter + " to be followed by a value");
                            }
                            value = args.get(++i);
                        }
                        options.add(new Option("-" + letter, value));
                        break;
                    }
                    options.add(new Option("-" + letter, null));
                }
            }
        }
        return new Options(List.copyOf(options), null);
    }

    /** Every {@code --vdev} of {@code args}, in order. */
    public static List<Vdev> vdevs(final List<String> args) {
        final List<Vdev> vdevs = new ArrayList<>();
        for (final Option o : options(args).options()) {
            if (o.name().equals("--vdev")) {
                vdevs.add(parse(o.value()));
            }
        }
        return List.copyOf(vdevs);
    }

    /** The {@code --vdev} named {@code name}, or null. */
    public static Vdev vdev(final List<String> args, final String name) {
        for (final Vdev v : vdevs(args)) {
            if (v.name().equals(name)) {
                return v;
            }
        }
        return null;
    }

    /** {@code NAME,KEY=VALUE,...}, with rte_kvargs' brackets: a value in {@code [...]} may hold commas. */
    static Vdev parse(final String spec) {
        final List<String> parts = new ArrayList<>();
        int depth = 0;
        int from = 0;
        for (int i = 0; i < spec.length(); i++) {
            final char c = spec.charAt(i);
            if (c == '[') {
                depth++;
            } else if (c == ']' && depth > 0) {
                depth--;
            } else if (c == ',' && depth == 0) {
                parts.add(spec.substring(from, i));
                from = i + 1;
            }
        }
        parts.add(spec.substring(from));
        final List<String> keys = new ArrayList<>();
        final List<String> values = new ArrayList<>();
        for (final String kv : parts.subList(1, parts.size())) {
            final int eq = kv.indexOf('=');
            keys.add(eq < 0 ? kv : kv.substring(0, eq));
            values.add(eq < 0 ? "" : kv.substring(eq + 1));
        }
        return new Vdev(parts.get(0), List.copyOf(keys), List.copyOf(values));
    }

    /**
     * What the EAL would refuse in {@code args} on a machine with the {@code online} CPUs, phrased as what
     * was expected: an option it does not know or missing its value ({@code "options the EAL knows, not
     * -1"}), a core list it cannot read, or a core the machine does not have ({@code "-l to name cores
     * this machine has (online CPUs 0-1), not core 5"}) in {@code -l}, {@code -c}, {@code --lcores} or
     * {@code --main-lcore}; null when nothing is.
     */
    public static String problem(final List<String> args, final BitSet online) {
        final Options parsed = options(args);
        if (parsed.problem() != null) {
            return parsed.problem();
        }
        final String have = "cores this machine has (online CPUs " + format(online) + ")";
        BitSet lcores = null;
        String main = null;
        for (final Option o : parsed.options()) {
            final String value = o.value();
            switch (o.name()) {
                case "-l" -> {
                    final BitSet cores = list(value);
                    if (cores == null) {
                        return "-l to be a core list such as 0-3,5, not " + value;
                    }
                    final int missing = missing(cores, online);
                    if (missing >= 0) {
                        return "-l to name " + have + ", not core " + missing;
                    }
                    lcores = cores;
                }
                case "-c" -> {
                    final BitSet cores = mask(value);
                    if (cores == null) {
                        return "-c to be a hexadecimal core mask such as 0x3, not " + value;
                    }
                    final int missing = missing(cores, online);
                    if (missing >= 0) {
                        return "-c to name " + have + ", not core " + missing + " (mask " + value + ")";
                    }
                    lcores = cores;
                }
                case "--lcores" -> {
                    final BitSet ids = new BitSet();
                    final String problem = lcores(value, online, ids);
                    if (problem != null) {
                        return "--lcores to map lcores below " + MAX_LCORE + " to " + have + ", such as 0-1 or"
                                + " (0,1)@0, not " + value + ": " + problem;
                    }
                    lcores = ids;
                }
                case "--main-lcore" -> main = value;
                default -> {
                    // other options do not name cores
                }
            }
        }
        if (main != null) {
            final int id = integer(main, MAX_LCORE - 1);
            if (id < 0) {
                return "--main-lcore to be an lcore id below " + MAX_LCORE + ", not " + main;
            }
            final BitSet enabled = lcores != null ? lcores : online;
            if (!enabled.get(id)) {
                return "--main-lcore to be one of the lcores enabled (" + format(enabled) + "), not " + id;
            }
        }
        return null;
    }

    /** The CPUs Linux has online ({@code /sys/devices/system/cpu/online}), else 0 to availableProcessors - 1. */
    public static BitSet onlineCpus() {
        try {
            final BitSet online = list(Files.readString(Path.of("/sys/devices/system/cpu/online")).trim());
            if (online != null && !online.isEmpty()) {
                return online;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or no sysfs: fall back on what the JVM sees
        }
        final BitSet online = new BitSet();
        online.set(0, Runtime.getRuntime().availableProcessors());
        return online;
    }

    /** {@code 0-3,5}. */
    public static String format(final BitSet set) {
        final StringBuilder out = new StringBuilder();
        for (int i = set.nextSetBit(0); i >= 0; ) {
            final int end = set.nextClearBit(i) - 1;
            out.append(out.isEmpty() ? "" : ",").append(i).append(end > i ? "-" + end : "");
            i = set.nextSetBit(end + 1);
        }
        return out.isEmpty() ? "none" : out.toString();
    }

    private static int missing(final BitSet cores, final BitSet online) {
        final BitSet absent = (BitSet) cores.clone();
        absent.andNot(online);
        return absent.nextSetBit(0);
    }

    /** {@code 0-3,5} (a range may run downwards) with every id below {@link #MAX_LCORE}; null when malformed. */
    static BitSet list(final String value) {
        final BitSet set = new BitSet();
        if (value.isEmpty()) {
            return null;
        }
        for (final String part : value.split(",", -1)) {
            final int dash = part.indexOf('-', 1);
            final int from = integer(dash < 0 ? part : part.substring(0, dash), MAX_LCORE - 1);
            final int to = dash < 0 ? from : integer(part.substring(dash + 1), MAX_LCORE - 1);
            if (from < 0 || to < 0) {
                return null;
            }
            set.set(Math.min(from, to), Math.max(from, to) + 1);
        }
        return set;
    }

    /** A hexadecimal mask, {@code 0x} optional, of bits below {@link #MAX_LCORE}; null when malformed or empty. */
    static BitSet mask(final String value) {
        final String trimmed = value.trim();
        final String hex = trimmed.startsWith("0x") || trimmed.startsWith("0X") ? trimmed.substring(2) : trimmed;
        if (hex.isEmpty()) {
            return null;
        }
        final BitSet set = new BitSet();
        for (int i = 0; i < hex.length(); i++) {
            final int digit = Character.digit(hex.charAt(hex.length() - 1 - i), 16);
            if (digit < 0) {
                return null;
            }
            for (int b = 0; b < 4; b++) {
                if ((digit & (1 << b)) != 0) {
                    set.set(i * 4 + b);
                }
            }
        }
        return set.isEmpty() || set.length() > MAX_LCORE ? null : set;
    }

    /**
     * {@code --lcores}: comma-separated {@code LCORES[@CPUS]}, each side a number, a range {@code a-b} or a
     * group {@code (a,b-c)}; without {@code @} the lcores are the CPUs. Sets the lcore ids in {@code ids}.
     *
     * @return what is wrong, or null
     */
    static String lcores(final String value, final BitSet online, final BitSet ids) {
        final List<String> elements = new ArrayList<>();
        int depth = 0;
        int from = 0;
        for (int i = 0; i < value.length(); i++) {
            final char c = value.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                elements.add(value.substring(from, i));
                from = i + 1;
            }
            if (depth < 0 || depth > 1) {
                return "unbalanced parentheses";
            }
        }
        if (depth != 0) {
            return "unbalanced parentheses";
        }
        elements.add(value.substring(from));
        for (final String element : elements) {
            final int at = element.indexOf('@');
            final BitSet lcores = group(at < 0 ? element : element.substring(0, at));
            final BitSet cpus = at < 0 ? lcores : group(element.substring(at + 1));
            if (lcores == null || cpus == null) {
                return "cannot read " + element;
            }
            final int missing = missing(cpus, online);
            if (missing >= 0) {
                return element + " names core " + missing;
            }
            ids.or(lcores);
        }
        return null;
    }

    private static BitSet group(final String s) {
        if (s.startsWith("(") && s.endsWith(")")) {
            return list(s.substring(1, s.length() - 1));
        }
        return s.contains(",") ? null : list(s);
    }

    /** A decimal integer from 0 to {@code max}, or -1. */
    private static int integer(final String s, final int max) {
        if (s.isEmpty() || s.length() > 9 || !s.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        final int v = Integer.parseInt(s);
        return v <= max ? v : -1;
    }

    /** C's {@code atoi}: leading blanks, an optional sign, then digits; 0 when there are none. */
    static int atoi(final String s) {
        int i = 0;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        boolean negative = false;
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            negative = s.charAt(i) == '-';
            i++;
        }
        long v = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i)) && v <= Integer.MAX_VALUE) {
            v = v * 10 + (s.charAt(i++) - '0');
        }
        v = Math.min(v, Integer.MAX_VALUE);
        return (int) (negative ? -v : v);
    }
}
