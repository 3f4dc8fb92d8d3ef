@echo off
rem capsync launcher for the source tree on Windows: builds through the Maven wrapper on first use, then runs the build
rem as an installation's bin\capsync.cmd does (src\main\dist\bin\capsync.cmd: the same JVM options and start-up
rem archive), with the archive in target\cds and jobs\ of this folder.
rem Unlike ./capsync it does not rebuild when the sources change (cmd has no find -newer): run mvnw.cmd package then.
rem Environment: CAPSYNC_HOME (repository, logs, locks; default %USERPROFILE%\.capsync), CAPSYNC_JAVA_OPTS,
rem              CAPSYNC_CDS=off.
setlocal
for %%I in ("%~dp0.") do set "CAPSYNC_SOURCE_TREE=%%~fI"
if exist "%CAPSYNC_SOURCE_TREE%\target\dist\lib\capsync.jar" goto run
echo capsync: building target\dist, first use... 1>&2
pushd "%CAPSYNC_SOURCE_TREE%"
rem Without the release archives and the .deb: running from here needs only target\dist\lib.
call mvnw.cmd -q -B -DskipTests -Dassembly.skipAssembly -Djdeb.skip package 1>&2
set "BUILT=%ERRORLEVEL%"
popd
if not "%BUILT%"=="0" echo capsync: build failed 1>&2
if not "%BUILT%"=="0" exit /b 1

:run
call "%CAPSYNC_SOURCE_TREE%\src\main\dist\bin\capsync.cmd" %*
exit /b %ERRORLEVEL%
