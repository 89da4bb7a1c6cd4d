/**
 * Capture-file writers: classic pcap (nanosecond or microsecond time stamps) and pcapng, written
 * through a reusable buffer to a file, a channel or a stream such as standard output
 * ({@link dev.probe.file.format.CaptureWriter}), and the recovery of a file whose writer stopped
 * midway ({@link dev.probe.file.format.CaptureRecovery}).
 */
package dev.probe.file.format;
