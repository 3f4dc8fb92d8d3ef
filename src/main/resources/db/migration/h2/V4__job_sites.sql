-- Which site server runs each job recorded in a shared repository. Two site servers must not share a job name: each
-- would take the other's unfinished runs for its own and restart them with a snapshot it cannot read. The first run of
-- a job claims its name for its site (CAPSYNC_SITE, else the host name); a run from another site is refused.
CREATE TABLE CAPSYNC_JOB_SITE (
    JOB_NAME   VARCHAR(100) NOT NULL PRIMARY KEY,
    SITE       VARCHAR(255) NOT NULL,
    CLAIMED_AT TIMESTAMP    NOT NULL
);
