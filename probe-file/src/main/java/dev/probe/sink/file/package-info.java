/**
 * The {@code file} sink ({@link dev.probe.sink.file.FileSinkProvider}): rotating capture files on local
 * disk, one writer per transmit worker, with retention, temporary names until complete, an fsync
 * policy, and counted drops when the disk is full or the folder cannot be written.
 */
package dev.probe.sink.file;
