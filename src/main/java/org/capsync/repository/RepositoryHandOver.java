package org.capsync.repository;

import java.time.Duration;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * With H2's auto-server the first process to open the repository serves it to the others, and the connections it
 * serves break when it exits. So a run that serves another job's run stays until that run has finished with the
 * repository, then exits. A run that is itself a client of another process's server has nothing to wait for.
 */
public final class RepositoryHandOver {

    private static final Logger log = LoggerFactory.getLogger("capsync.run");
    private static final Duration POLL = Duration.ofMillis(500);

    private RepositoryHandOver() {
    }

    public static void awaitProcessesServedBy(DataSource dataSource, Duration max) {
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        try {
            String product = jdbc.execute((java.sql.Connection c) -> c.getMetaData().getDatabaseProductName());
            if (!"H2".equals(product) || jdbc.queryForObject(
                    "SELECT CLIENT_ADDR FROM INFORMATION_SCHEMA.SESSIONS WHERE SESSION_ID = SESSION_ID()", String.class) != null) {
                return;
            }
            long deadline = System.nanoTime() + max.toNanos();
            boolean said = false;
            while (System.nanoTime() < deadline) {
                Integer served = jdbc.queryForObject(
                        "SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS WHERE CLIENT_ADDR IS NOT NULL", Integer.class);
                if (served == null || served == 0) {
                    return;
                }
                if (!said) {
                    log.info("this run serves the job repository to {} connection(s) of other capsync processes; "
                            + "waiting for them before exiting", served);
                    said = true;
                }
                Thread.sleep(POLL.toMillis());
            }
            log.warn("other capsync processes still use the repository through this one after {} min; exiting anyway",
                    max.toMinutes());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.debug("could not tell whether other processes use the repository through this one", e);
        }
    }
}
