-- Workers on other machines (a job with workers: true). The snapshot's bytes travel through the repository, not the
-- broker: a worker reads them here and checks them against SHA256 before it writes any CAP. Filled only for jobs that
-- run on workers; a local run reads its snapshot from CAPSYNC_HOME.
ALTER TABLE CAPSYNC_SNAPSHOT ADD COLUMN CONTENT BYTEA;

-- Which process made each pair's outcome (host:pid; the site server's own for a local run), and which region's workers
-- copy it.
ALTER TABLE CAPSYNC_PAIR ADD COLUMN WORKER VARCHAR(200);
ALTER TABLE CAPSYNC_PAIR ADD COLUMN REGION VARCHAR(64);

-- The workers that are up: each one rewrites its row every second. A region none of whose workers wrote lately has no
-- worker, which lets the site server tell "no worker" from "every worker busy".
CREATE TABLE CAPSYNC_WORKER (
    WORKER    VARCHAR(200)  NOT NULL PRIMARY KEY,
    REGIONS   VARCHAR(2000) NOT NULL,
    THREADS   INT           NOT NULL,
    STARTED   TIMESTAMP     NOT NULL,
    HEARTBEAT TIMESTAMP     NOT NULL
);

-- This repository's identity, carried by every partition request: a broker serving several repositories cannot hand
-- one repository's request to a worker of another, whose step execution of the same number is another partition.
CREATE TABLE CAPSYNC_REPOSITORY (
    ID VARCHAR(36) NOT NULL PRIMARY KEY
);
INSERT INTO CAPSYNC_REPOSITORY (ID) VALUES (CAST(gen_random_uuid() AS VARCHAR(36)));
