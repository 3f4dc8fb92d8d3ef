@echo off
rem Runs a capsync worker for the Windows service wiring (jobs\capsync-worker.task.xml, see docs\workers.md): it
rem takes partitions of jobs with "workers: true" for the regions below until it is stopped. Exit codes:
rem   0  stopped
rem   1  failed (the task restarts it)
rem   2  bad settings: CAPSYNC_DB_URL, CAPSYNC_BROKER_URL or a credentials file others can read
rem The settings (CAPSYNC_DB_URL, CAPSYNC_DB_CREDENTIALS, CAPSYNC_BROKER_URL, CAPSYNC_BROKER_CREDENTIALS,
rem CAPSYNC_SMB_USER, CAPSYNC_SMB_PASSWORD, CAPSYNC_SMB_DOMAIN) are system environment variables of the machine.
rem CAPSYNC_WORKER_REGIONS: the regions it serves, e.g. "--region north --region north-east".
setlocal
if not defined CAPSYNC_HOME set "CAPSYNC_HOME=%ProgramData%\capsync"
if not defined CAPSYNC_WORKER_REGIONS set "CAPSYNC_WORKER_REGIONS=--region default"
call "%~dp0..\capsync.cmd" worker %CAPSYNC_WORKER_REGIONS% %*
exit /b %ERRORLEVEL%
