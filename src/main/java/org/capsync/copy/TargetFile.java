package org.capsync.copy;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * One file at one CAP: {@code capPath/folder/fileName}. Besides the target (and {@link LockToken#NAME} when the job asks
 * for the lock token) capsync only ever writes temp files named {@code .FILE.JOB.RANDOM.capsync-tmp} there: a new random
 * part for every attempt, so that two writers that reach one folder under two CAP names (or two capsync processes) never
 * write into each other's temp file. A temp file a killed attempt left is recognised by that pattern and removed later
 * ({@link #isLeftover}), by a writer that first makes sure no live writer still holds it.
 */
public record TargetFile(String capName, String capPath, String folder, String fileName, String jobName) {

    private static final String SUFFIX = ".capsync-tmp";
    private static final int RANDOM_BYTES = 8;
    private static final SecureRandom RANDOM = new SecureRandom();

    public static TargetFile of(String capName, String capPath, String folder, String fileName, String jobName) {
        return new TargetFile(capName, capPath, folder, fileName, jobName);
    }

    /** A temp name no other attempt uses: {@code .client.lkp.client-lkp.3f9a0c1d2e4b5a60.capsync-tmp}. */
    public String newTempName() {
        byte[] random = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(random);
        return prefix() + HexFormat.of().formatHex(random) + SUFFIX;
    }

    /**
     * Whether {@code name} is a temp file of this job and file: one {@link #newTempName} gives, or the single fixed name
     * {@code .FILE.JOB.capsync-tmp} earlier versions used. Another job's or another file's temp names never match.
     */
    public boolean isLeftover(String name) {
        if (name.equals("." + fileName + "." + jobName + SUFFIX)) {
            return true;
        }
        String prefix = prefix();
        if (!name.startsWith(prefix) || !name.endsWith(SUFFIX)
                || name.length() != prefix.length() + 2 * RANDOM_BYTES + SUFFIX.length()) {
            return false;
        }
        return name.substring(prefix.length(), prefix.length() + 2 * RANDOM_BYTES).chars()
                .allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    }

    /** The SMB search pattern that lists this job's temp files for this file (then checked with {@link #isLeftover}). */
    public String leftoverPattern() {
        return "." + fileName + "." + jobName + "*" + SUFFIX;
    }

    private String prefix() {
        return "." + fileName + "." + jobName + ".";
    }

    public String describe() {
        return capName + " " + fileName;
    }
}
