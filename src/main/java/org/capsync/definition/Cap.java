package org.capsync.definition;

/**
 * One Client Access Point: a share (local path, UNC path, mounted share or {@code smb://} URL) that receives the files.
 *
 * @param line   the CAP list line it was read from, for messages
 * @param region which workers serve it when the job runs on workers ({@link #DEFAULT_REGION} unless the list says)
 */
public record Cap(String name, String path, boolean enabled, int line, String region) {

    public static final String DEFAULT_REGION = "default";

    public Cap(String name, String path, boolean enabled, int line) {
        this(name, path, enabled, line, DEFAULT_REGION);
    }

    /** The repository's CAP_NAME column (CAPSYNC_PAIR). */
    public static final int MAX_NAME_LENGTH = 255;

    /** The repository's CAP_PATH column (CAPSYNC_PAIR). */
    public static final int MAX_PATH_LENGTH = 2000;

    public boolean isSmb() {
        return path.regionMatches(true, 0, "smb://", 0, 6);
    }
}
