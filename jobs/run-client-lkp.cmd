@echo off
rem Runs the client-lkp job for Windows Task Scheduler and passes capsync's exit code through:
rem   0  every CAP holds the source's bytes
rem   1  the run failed as a whole; the next run restarts it and resumes
rem   2  bad input or usage (job file, CAP list, source, settings); nothing was copied
rem   3  the run completed but some CAPs are not current (skipped: in use; or failed)
rem   4  another run of this job is in progress
rem CAPSYNC_HOME (repository, logs, locks) defaults to %ProgramData%\capsync here; set it in the task's
rem environment to change it. CAPSYNC_JOB_FILE runs another job file with the same wrapper.
setlocal
if not defined CAPSYNC_HOME set "CAPSYNC_HOME=%ProgramData%\capsync"
if not defined CAPSYNC_JOB_FILE set "CAPSYNC_JOB_FILE=%~dp0client-lkp.yml"
rem bin\capsync.cmd in an installation (the zip); capsync.cmd in the source tree.
set "LAUNCHER=%~dp0..\capsync.cmd"
if exist "%~dp0..\bin\capsync.cmd" set "LAUNCHER=%~dp0..\bin\capsync.cmd"
call "%LAUNCHER%" run "%CAPSYNC_JOB_FILE%" %*
exit /b %ERRORLEVEL%
