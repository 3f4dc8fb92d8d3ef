/**
 * CAPs reached as {@code smb://} URLs through the smbj client, without a mount: sessions per server, credentials, the
 * SMB transport and its NT-status classification, and the list of every transport a job reaches its CAPs with. Uses
 * {@code copy} and {@code definition}.
 */
package org.capsync.copy.smb;
