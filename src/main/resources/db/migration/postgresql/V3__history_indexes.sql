-- Indexes for capsync's history commands (history, show, caps, purge); see org.capsync.history.HistoryQueries.
-- PostgreSQL does not index foreign key columns by itself: purge deletes by them, so they are indexed here too.

-- history: the execution an execution restarted (the previous one of its instance).
CREATE INDEX CAPSYNC_JOB_EXECUTION_INSTANCE ON BATCH_JOB_EXECUTION (JOB_INSTANCE_ID, JOB_EXECUTION_ID);

-- show: the (CAP, file) pairs and attempts one execution handled.
CREATE INDEX CAPSYNC_ATTEMPT_EXECUTION ON CAPSYNC_ATTEMPT (JOB_EXECUTION_ID, PAIR_ID, ATTEMPT);

-- caps needs none: V2's CAPSYNC_PAIR_CURSOR finds a run's pairs, CAPSYNC_PAIR_CAP one CAP's pairs over the runs.

-- purge: the step executions and parameters of the executions it removes.
CREATE INDEX CAPSYNC_STEP_EXECUTION_JOB ON BATCH_STEP_EXECUTION (JOB_EXECUTION_ID);
CREATE INDEX CAPSYNC_JOB_EXECUTION_PARAMS_JOB ON BATCH_JOB_EXECUTION_PARAMS (JOB_EXECUTION_ID);
