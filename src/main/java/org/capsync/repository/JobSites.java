package org.capsync.repository;

import java.io.IOException;
import java.net.InetAddress;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * In a shared repository every job name belongs to one site server. Spring Batch knows a job only by its name: two site
 * servers running {@code client-lkp} against one database would each restart the other's unfinished runs, with a
 * snapshot that lives in the other's {@code CAPSYNC_HOME}. The first run of a job claims the name for its site; a run
 * from another site is refused (exit 2) before anything is copied or recorded.
 */
public class JobSites {

    public static final String SITE = "CAPSYNC_SITE";

    private final JdbcTemplate jdbc;

    public JobSites(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** {@code CAPSYNC_SITE}, else this machine's host name: the name a site server records its jobs under. */
    public static String thisSite(Map<String, String> env) {
        String site = env.get(SITE);
        if (site != null && !site.isBlank()) {
            return site.strip();
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            throw new IllegalStateException("cannot tell this site server's name (host name unknown: " + e.getMessage()
                    + "); set " + SITE, e);
        }
    }

    /** Claims {@code job} for {@code site}, or confirms the claim; throws {@link OtherSite} when another site holds it. */
    public void claim(String job, String site) {
        String owner = owner(job);
        if (owner == null) {
            try {
                jdbc.update("INSERT INTO CAPSYNC_JOB_SITE (JOB_NAME, SITE, CLAIMED_AT) VALUES (?, ?, ?)",
                        job, site, Timestamp.from(Instant.now()));
                return;
            } catch (DuplicateKeyException raced) {
                owner = owner(job); // another site claimed it at the same moment
            }
        }
        if (!owner.equals(site)) {
            throw new OtherSite(job, owner, site);
        }
    }

    private String owner(String job) {
        List<String> sites = jdbc.queryForList("SELECT SITE FROM CAPSYNC_JOB_SITE WHERE JOB_NAME = ?", String.class, job);
        return sites.isEmpty() ? null : sites.get(0);
    }

    /** The job's name is recorded by another site server in this shared repository (exit code 2). */
    public static final class OtherSite extends RuntimeException {
        public OtherSite(String job, String owner, String site) {
            super("job '" + job + "' belongs to site server '" + owner + "' in the shared repository, not to '" + site
                    + "': give each site server's job its own name (e.g. " + job + "-" + site.toLowerCase(java.util.Locale.ROOT)
                    .replaceAll("[^a-z0-9._-]", "") + "), or set " + SITE + "=" + owner + " on the server that took over from "
                    + owner + "; nothing was copied");
        }
    }
}
