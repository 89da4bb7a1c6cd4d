package dev.probe.e2e;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Damages capture files the ways a disk, a network copy or a broken writer does, reproducibly from a
 * seed: byte flips, truncation, huge and zero record or block lengths, bad magic numbers and bad pcapng
 * block lengths. Knows the structure of classic pcap (little- or big-endian) and pcapng, so that a
 * length field is hit on purpose rather than by luck. Stateless apart from the {@link Random} it is given.
 */
final class CaptureMutator {
    /** One damaged file and what was done to it. */
    record Mutant(String name, String damage, byte[] bytes) {
    }

    private static final int[] HUGE = {0x7FFF_FFFF, 0xFFFF_FFFF, 0x8000_0000, 262_145, 65_536, 1 << 24};

    private CaptureMutator() {
    }

    /** {@code count} mutants of {@code original}, each with one or two kinds of damage chosen by {@code random}. */
    static List<Mutant> mutate(final String name, final byte[] original, final int count, final Random random) {
        final List<Mutant> mutants = new ArrayList<>();
        final boolean pcapng = original.length >= 4 && ByteBuffer.wrap(original).getInt(0) == 0x0A0D0D0A;
        for (int i = 0; i < count; i++) {
            final byte[] bytes = original.clone();
            final StringBuilder damage = new StringBuilder();
            final int kinds = 1 + (random.nextInt(4) == 0 ? 1 : 0);
            byte[] result = bytes;
            for (int k = 0; k < kinds; k++) {
                result = damage(result, pcapng, random, damage);
            }
            mutants.add(new Mutant(name + "#" + i, damage.toString().strip(), result));
        }
        return mutants;
    }

    private static byte[] damage(final byte[] bytes, final boolean pcapng, final Random random, final StringBuilder what) {
        final int kind = random.nextInt(pcapng ? 9 : 8);
        switch (kind) {
            case 0 -> {
                final int flips = 1 + random.nextInt(8);
                for (int f = 0; f < flips && bytes.length > 0; f++) {
                    final int at = random.nextInt(bytes.length);
                    bytes[at] ^= (byte) (1 + random.nextInt(255));
                }
                what.append(" ").append(flips).append(" byte flips;");
                return bytes;
            }
            case 1 -> {
                final int at = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
                what.append(" truncated at ").append(at).append(';');
                return Arrays.copyOf(bytes, at);
            }
            case 2 -> {
                final int at = Math.min(bytes.length, pcapng ? 12 : 24);
                for (int f = 0; f < 3 && at > 0; f++) {
                    bytes[random.nextInt(at)] ^= (byte) (1 + random.nextInt(255));
                }
                what.append(" header flips;");
                return bytes;
            }
            case 3 -> {
                final int magic = switch (random.nextInt(5)) {
                    case 0 -> random.nextInt();
                    case 1 -> 0xA1B2C3D4;  // big-endian reading of a little-endian file
                    case 2 -> 0x4D3CB2A1;  // nanosecond magic, little-endian
                    case 3 -> 0x0A0D0D0A;  // pcapng's over a classic file, or the other way round
                    default -> 0;
                };
                if (bytes.length >= 4) {
                    ByteBuffer.wrap(bytes).putInt(0, magic);
                }
                what.append(String.format(" magic %08x;", magic));
                return bytes;
            }
            default -> {
                return pcapng ? damageBlock(bytes, kind, random, what) : damageRecord(bytes, kind, random, what);
            }
        }
    }

    /** Classic pcap: a record's captured or wire length made huge or zero, or its time stamp extreme. */
    private static byte[] damageRecord(final byte[] bytes, final int kind, final Random random, final StringBuilder what) {
        final List<Integer> starts = recordStarts(bytes);
        if (starts.isEmpty()) {
            what.append(" no record to damage;");
            return bytes;
        }
        final int index = random.nextInt(starts.size());
        final int at = starts.get(index);
        final ByteBuffer b = ByteBuffer.wrap(bytes).order(order(bytes));
        switch (kind) {
            case 4 -> {
                final int value = HUGE[random.nextInt(HUGE.length)];
                b.putInt(at + 8, value);
                what.append(String.format(" record %d caplen %08x;", index, value));
            }
            case 5 -> {
                b.putInt(at + 8, 0);
                if (random.nextBoolean()) {
                    b.putInt(at + 12, 0);
                }
                what.append(" record ").append(index).append(" zero length;");
            }
            case 6 -> {
                final int value = random.nextBoolean() ? HUGE[random.nextInt(HUGE.length)] : 0;
                b.putInt(at + 12, value);
                what.append(String.format(" record %d wire length %08x;", index, value));
            }
            default -> {
                b.putInt(at, random.nextBoolean() ? 0xFFFF_FFFF : 0);
                b.putInt(at + 4, random.nextBoolean() ? 999_999_999 : 0xFFFF_FFFF);
                what.append(" record ").append(index).append(" extreme time stamp;");
            }
        }
        return bytes;
    }

    /** pcapng: a block's length made huge, zero, unaligned or unequal to its trailing copy, or a packet's length huge. */
    private static byte[] damageBlock(final byte[] bytes, final int kind, final Random random, final StringBuilder what) {
        final List<Integer> starts = blockStarts(bytes);
        if (starts.isEmpty()) {
            what.append(" no block to damage;");
            return bytes;
        }
        final int index = random.nextInt(starts.size());
        final int at = starts.get(index);
        final ByteBuffer b = ByteBuffer.wrap(bytes).order(order(bytes));
        final int length = b.getInt(at + 4);
        switch (kind) {
            case 4 -> {
                final int value = HUGE[random.nextInt(HUGE.length)];
                b.putInt(at + 4, value);
                what.append(String.format(" block %d length %08x;", index, value));
            }
            case 5 -> {
                final int value = random.nextInt(3) * 4;
                b.putInt(at + 4, value);
                what.append(" block ").append(index).append(" length ").append(value).append(';');
            }
            case 6 -> {
                b.putInt(at + 4, length + 1 + random.nextInt(3));
                what.append(" block ").append(index).append(" unaligned length;");
            }
            case 7 -> {
                if (at + length <= bytes.length && length >= 12) {
                    b.putInt(at + length - 4, length + 4 * (1 + random.nextInt(4)));
                }
                what.append(" block ").append(index).append(" trailing length differs;");
            }
            default -> {
                final int type = b.getInt(at);
                if (type == 6 && length >= 32) {
                    final int value = random.nextBoolean() ? HUGE[random.nextInt(HUGE.length)] : 0;
                    b.putInt(at + 20, value);
                    what.append(String.format(" block %d packet caplen %08x;", index, value));
                } else {
                    b.putInt(at, random.nextInt(8));
                    what.append(" block ").append(index).append(" type changed;");
                }
            }
        }
        return bytes;
    }

    private static ByteOrder order(final byte[] bytes) {
        if (bytes.length < 12) {
            return ByteOrder.LITTLE_ENDIAN;
        }
        final ByteBuffer b = ByteBuffer.wrap(bytes);
        if (b.getInt(0) == 0x0A0D0D0A) {
            return b.getInt(8) == 0x1A2B3C4D ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        }
        final int magic = b.getInt(0);
        return magic == 0xA1B2C3D4 || magic == 0xA1B23C4D ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }

    private static List<Integer> recordStarts(final byte[] bytes) {
        final List<Integer> starts = new ArrayList<>();
        if (bytes.length < 24) {
            return starts;
        }
        final ByteBuffer b = ByteBuffer.wrap(bytes).order(order(bytes));
        for (long at = 24; at + 16 <= bytes.length && starts.size() < 100_000; ) {
            starts.add((int) at);
            at += 16 + Integer.toUnsignedLong(b.getInt((int) at + 8));
        }
        return starts;
    }

    private static List<Integer> blockStarts(final byte[] bytes) {
        final List<Integer> starts = new ArrayList<>();
        final ByteBuffer b = ByteBuffer.wrap(bytes).order(order(bytes));
        for (long at = 0; at + 12 <= bytes.length && starts.size() < 100_000; ) {
            starts.add((int) at);
            final long length = Integer.toUnsignedLong(b.getInt((int) at + 4));
            if (length < 12) {
                break;
            }
            at += length;
        }
        return starts;
    }
}
