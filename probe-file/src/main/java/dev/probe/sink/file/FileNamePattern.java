package dev.probe.sink.file;

import dev.probe.file.format.CaptureFormat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names of the file sink's files, from a pattern such as {@code probe-{worker}-{seq}-{time}.{ext}}:
 * <ul>
 *   <li>{@code {worker}} the transmit worker's name, such as {@code tx-0-1} (required: no two workers
 *       ever share a file);</li>
 *   <li>{@code {seq}} the worker's file number, 6 digits or more, one above the highest of its files
 *       already in the folder (required: names stay unique however fast files rotate);</li>
 *   <li>{@code {time}} the capture time of the file's first packet, UTC, such as {@code 20250131T142501Z};</li>
 *   <li>{@code {ext}} {@code pcap} or {@code pcapng}, from the format.</li>
 * </ul>
 * A file being written carries {@link #PART_SUFFIX} after its name until it is complete. Immutable,
 * thread-safe.
 */
final class FileNamePattern {
    /** What a file being written has after its name, until it is renamed complete. */
    static final String PART_SUFFIX = ".part";

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final Pattern WORKER_UNSAFE = Pattern.compile("[^A-Za-z0-9._-]");

    /** A placeholder, its spelling and what it matches in a name. */
    private enum Placeholder {
        WORKER("{worker}", "(?<worker>[A-Za-z0-9._-]+?)"),
        SEQ("{seq}", "(?<seq>\\d{6,})"),
        TIME("{time}", "\\d{8}T\\d{6}Z"),
        EXT("{ext}", "(?:pcapng|pcap)");

        private final String spelling;
        private final String regex;

        Placeholder(final String spelling, final String regex) {
            this.spelling = spelling;
            this.regex = regex;
        }
    }

    private final String pattern;
    /** Literal strings and {@link Placeholder}s, in order. */
    private final List<Object> parts;
    private final Pattern anyWorker;

    private FileNamePattern(final String pattern, final List<Object> parts) {
        this.pattern = pattern;
        this.parts = List.copyOf(parts);
        this.anyWorker = Pattern.compile(regex());
    }

    /**
     * Parses {@code pattern}.
     *
     * @throws IllegalArgumentException with what is wrong, for a setting's error message
     */
    static FileNamePattern parse(final String pattern) {
        if (pattern.contains("/") || pattern.contains("\\") || pattern.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a name, not a path: no / or \\");
        }
        if (pattern.endsWith(PART_SUFFIX)) {
            throw new IllegalArgumentException("a name not ending in " + PART_SUFFIX + ", which marks files being written");
        }
        final List<Object> parts = new ArrayList<>();
        final Set<Placeholder> seen = EnumSet.noneOf(Placeholder.class);
        final StringBuilder literal = new StringBuilder();
        int at = 0;
        while (at < pattern.length()) {
            final char c = pattern.charAt(at);
            if (c == '}') {
                throw new IllegalArgumentException("placeholders {worker}, {seq}, {time}, {ext}: a } without {");
            }
            if (c != '{') {
                literal.append(c);
                at++;
                continue;
            }
            Placeholder found = null;
            for (final Placeholder p : Placeholder.values()) {
                if (pattern.startsWith(p.spelling, at)) {
                    found = p;
                }
            }
            if (found == null) {
                throw new IllegalArgumentException("placeholders {worker}, {seq}, {time}, {ext} only: "
                        + pattern.substring(at, Math.min(pattern.length(), pattern.indexOf('}', at) < 0
                        ? pattern.length() : pattern.indexOf('}', at) + 1)) + " is not one");
            }
            if (!seen.add(found)) {
                throw new IllegalArgumentException("each placeholder once: " + found.spelling + " appears twice");
            }
            if (!literal.isEmpty()) {
                parts.add(literal.toString());
                literal.setLength(0);
            }
            parts.add(found);
            at += found.spelling.length();
        }
        if (!literal.isEmpty()) {
            parts.add(literal.toString());
        }
        if (!seen.contains(Placeholder.WORKER) || !seen.contains(Placeholder.SEQ)) {
            throw new IllegalArgumentException("a name with {worker} and {seq}, so that no two files share a name");
        }
        return new FileNamePattern(pattern, parts);
    }

    /** The pattern as given. */
    String pattern() {
        return pattern;
    }

    /** The transmit worker's name as it appears in file names: characters other than A-Z a-z 0-9 . _ - become _. */
    static String safeWorker(final String worker) {
        return WORKER_UNSAFE.matcher(worker).replaceAll("_");
    }

    /** The name of file {@code seq} of {@code worker}, whose first packet was captured at {@code firstPacketNanos}. */
    String name(final String worker, final long seq, final long firstPacketNanos, final CaptureFormat format) {
        final StringBuilder name = new StringBuilder();
        for (final Object part : parts) {
            if (part instanceof String literal) {
                name.append(literal);
            } else {
                switch ((Placeholder) part) {
                    case WORKER -> name.append(safeWorker(worker));
                    case SEQ -> name.append(String.format(Locale.ROOT, "%06d", seq));
                    case TIME -> name.append(TIME.format(Instant.ofEpochSecond(
                            Math.floorDiv(firstPacketNanos, 1_000_000_000L))));
                    case EXT -> name.append(format.extension());
                }
            }
        }
        return name.toString();
    }

    /**
     * The worker and sequence number of a complete file of this sink named {@code name}, or null when
     * the name does not match the pattern (another program's file, a file being written).
     */
    Match match(final String name) {
        final Matcher m = anyWorker.matcher(name);
        return m.matches() ? new Match(m.group("worker"), Long.parseLong(m.group("seq")), false) : null;
    }

    /** Like {@link #match}, for the name of a file being written ({@link #PART_SUFFIX}); null for any other. */
    Match matchPart(final String name) {
        if (!name.endsWith(PART_SUFFIX)) {
            return null;
        }
        final Match m = match(name.substring(0, name.length() - PART_SUFFIX.length()));
        return m == null ? null : new Match(m.worker(), m.seq(), true);
    }

    /**
     * A name of this sink's files.
     *
     * @param worker the worker as it appears in the name
     * @param seq the file's number
     * @param part whether it is a file being written
     */
    record Match(String worker, long seq, boolean part) {
    }

    private String regex() {
        final StringBuilder regex = new StringBuilder();
        for (final Object part : parts) {
            if (part instanceof String literal) {
                regex.append(Pattern.quote(literal));
            } else {
                regex.append(((Placeholder) part).regex);
            }
        }
        return regex.toString();
    }

    @Override
    public String toString() {
        return pattern;
    }
}
