package dev.probe.demo;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * An order-independent digest of packets: the sum of the SHA-256 of each (timestamp, wire length,
 * captured bytes), so that two sides agree exactly when they hold the same multiset of packets, however
 * the partitions interleaved them.
 */
final class FrameDigest {
    private final MessageDigest sha;
    private final long[] sum = new long[4];
    private long packets;
    private long bytes;

    FrameDigest() {
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    void add(final long micros, final byte[] captured, final long wireLength) {
        sha.reset();
        for (int i = 0; i < 8; i++) {
            sha.update((byte) (micros >>> (56 - 8 * i)));
        }
        for (int i = 0; i < 8; i++) {
            sha.update((byte) (wireLength >>> (56 - 8 * i)));
        }
        sha.update(captured);
        final byte[] d = sha.digest();
        for (int word = 0; word < 4; word++) {
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (d[word * 8 + i] & 0xff);
            }
            sum[word] += v;
        }
        packets++;
        bytes += captured.length;
    }

    long packets() {
        return packets;
    }

    long bytes() {
        return bytes;
    }

    boolean sameAs(final FrameDigest other) {
        return packets == other.packets && java.util.Arrays.equals(sum, other.sum);
    }
}
