-- Indexes for capsync's history commands (history, show, caps, purge); see org.capsync.history.HistoryQueries.
-- H2 already indexes every foreign key column, so only composite and capsync-table indexes are added here.

-- history: the execution an execution restarted (the previous one of its instance).
CREATE INDEX CAPSYNC_JOB_EXECUTION_INSTANCE ON BATCH_JOB_EXECUTION (JOB_INSTANCE_ID, JOB_EXECUTION_ID);

-- show: the (CAP, file) pairs and attempts one execution handled.
CREATE INDEX CAPSYNC_ATTEMPT_EXECUTION ON CAPSYNC_ATTEMPT (JOB_EXECUTION_ID, PAIR_ID, ATTEMPT);

-- caps needs none: V2's CAPSYNC_PAIR_CURSOR finds a run's pairs, CAPSYNC_PAIR_CAP one CAP's pairs over the runs.
