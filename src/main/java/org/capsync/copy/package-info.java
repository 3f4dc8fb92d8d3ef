/**
 * Copying one file to one CAP, in plain Java (no Spring; unit tests drive it directly): the {@code CapTransport}
 * contract (temp file, read-back verification, atomic rename, never delete first), the local and UNC transport, the
 * classification of sharing violations ({@code SharingViolation}, transient) against other failures
 * ({@code CopyFailure}, permanent), SMS's lock token, and {@code verify}'s read-only audit. Uses {@code definition}'s
 * values only.
 */
package org.capsync.copy;
