package org.capsync.definition;

/**
 * One Client Access Point: a share (local path, UNC path, mounted share or {@code smb://} URL) that receives the files.
 *
 * @param line the CAP list line it was read from, for messages
 */
public record Cap(String name, String path, boolean enabled, int line) {

    /** The repository's CAP_NAME column (CAPSYNC_PAIR). */
    public static final int MAX_NAME_LENGTH = 255;

    /** The repository's CAP_PATH column (CAPSYNC_PAIR). */
    public static final int MAX_PATH_LENGTH = 2000;

    public boolean isSmb() {
        return path.regionMatches(true, 0, "smb://", 0, 6);
    }
}
