package org.capsync.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;

import org.capsync.definition.Cap;
import org.capsync.definition.CapList;
import org.capsync.definition.JobDefinition;

/**
 * What a run's pairs are planned from, as one SHA-256: the job file (its real path), the source folder, the files, the
 * target, and every CAP of the list (name, path, enabled). Recorded with the execution when a run starts, and compared
 * when it is restarted: a restart may only resume pairs planned from the job as it is defined now. Retry settings and
 * threads are left out on purpose: they apply to whatever is left, so changing them between a stop and its restart is
 * allowed.
 *
 * @param jobFile the job file's real path, for the message when a restart finds a different one
 */
record PlannedDefinition(String jobFile, String fingerprint) {

    /** The job parameter that carries {@link #fingerprint}. */
    static final String PARAMETER = "definition";

    /** The job parameter that carries {@link #jobFile}. */
    static final String JOB_FILE_PARAMETER = "job.file";

    static PlannedDefinition of(JobDefinition job, CapList caps) {
        StringBuilder text = new StringBuilder();
        String jobFile = realPath(job.file());
        line(text, "job-file", jobFile);
        line(text, "name", job.name());
        line(text, "source", realPath(job.source()));
        for (String file : job.files()) {
            line(text, "file", file);
        }
        line(text, "target", job.target());
        // The list's order only decides how the CAPs are dealt to threads, not which pairs there are.
        caps.caps().stream().sorted(Comparator.comparing(Cap::name).thenComparing(Cap::path)).forEach(cap ->
                line(text, "cap", cap.name() + '\u0000' + cap.path() + '\u0000' + cap.enabled()));
        return new PlannedDefinition(jobFile, sha256(text.toString()));
    }

    private static void line(StringBuilder text, String key, String value) {
        text.append(key).append('\u0000').append(value).append('\n');
    }

    private static String realPath(Path path) {
        try {
            return path.toRealPath().toString();
        } catch (IOException e) {
            return path.toAbsolutePath().normalize().toString();
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
