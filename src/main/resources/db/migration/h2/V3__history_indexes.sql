-- Indexes for capsync's history commands (history, show, caps, purge); see org.capsync.history.HistoryQueries.
-- H2 already indexes every foreign key column, so only composite and capsync-table indexes are added here.

-- history: the execution an execution restarted (the previous one of its instance).
CREATE INDEX CAPSYNC_JOB_EXECUTION_INSTANCE ON BATCH_JOB_EXECUTION (JOB_INSTANCE_ID, JOB_EXECUTION_ID);

-- show: the (CAP, file) pairs and attempts one execution handled.
CREATE INDEX CAPSYNC_ATTEMPT_EXECUTION ON CAPSYNC_ATTEMPT (JOB_EXECUTION_ID, PAIR_ID, ATTEMPT);

-- caps: the latest planned instance of a job, and per (CAP, file) its last success.
CREATE INDEX CAPSYNC_PAIR_JOB ON CAPSYNC_PAIR (JOB_NAME, JOB_INSTANCE_ID);
CREATE INDEX CAPSYNC_PAIR_CAP_STATUS ON CAPSYNC_PAIR (JOB_NAME, CAP_NAME, FILE_NAME, STATUS, JOB_INSTANCE_ID);
