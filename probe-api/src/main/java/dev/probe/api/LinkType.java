package dev.probe.api;

/**
 * Link-layer header types of captured frames, as the tcpdump.org {@code LINKTYPE_} registry numbers
 * them (the value in a pcap file header). A source reports one for all its packets.
 */
public final class LinkType {
    /** {@code LINKTYPE_ETHERNET}: IEEE 802.3 Ethernet. */
    public static final int ETHERNET = 1;
    /** {@code LINKTYPE_RAW}: raw IPv4 or IPv6, no link-layer header. */
    public static final int RAW = 101;
    /** {@code LINKTYPE_LINUX_SLL}: Linux "cooked" capture, version 1 (libpcap's {@code any} device). */
    public static final int LINUX_SLL = 113;
    /** {@code LINKTYPE_LINUX_SLL2}: Linux "cooked" capture, version 2. */
    public static final int LINUX_SLL2 = 276;

    private LinkType() {
    }

    /** A short name for messages: {@code ethernet}, {@code linux-sll}, or {@code link type 147}. */
    public static String name(final int linkType) {
        return switch (linkType) {
            case ETHERNET -> "ethernet";
            case RAW -> "raw-ip";
            case LINUX_SLL -> "linux-sll";
            case LINUX_SLL2 -> "linux-sll2";
            default -> "link type " + linkType;
        };
    }
}
