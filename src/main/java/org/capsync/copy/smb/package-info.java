/**
 * CAPs reached as {@code smb://} URLs through the smbj client, without a mount: sessions per server, credentials, the
 * SMB transport and its NT-status classification, the list of every transport a job reaches its CAPs with, and the
 * classes of an SMB run that the launchers' start-up archive is trained with. Uses {@code copy} and {@code definition}.
 */
package org.capsync.copy.smb;
