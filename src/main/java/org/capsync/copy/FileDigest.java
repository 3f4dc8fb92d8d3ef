package org.capsync.copy;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Size and SHA-256 of a file's bytes: what "the CAP holds the source's bytes" is checked against. */
public record FileDigest(long size, String sha256) {

    private static final int BUFFER = 64 * 1024;

    public static FileDigest of(InputStream in) throws IOException {
        MessageDigest sha = newSha256();
        byte[] buffer = new byte[BUFFER];
        long size = 0;
        for (int n; (n = in.read(buffer)) > 0; ) {
            sha.update(buffer, 0, n);
            size += n;
        }
        return new FileDigest(size, HexFormat.of().formatHex(sha.digest()));
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
