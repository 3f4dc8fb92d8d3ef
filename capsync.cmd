@echo off
rem capsync launcher for Windows: builds the jar through the Maven wrapper on first use, then runs it.
rem Environment: CAPSYNC_HOME (repository, logs, locks; default %USERPROFILE%\.capsync), CAPSYNC_JAVA_OPTS.
setlocal
set "APP=%~dp0"
set "JAR=%APP%target\capsync.jar"
if not exist "%JAR%" (
  echo capsync: building target\capsync.jar ^(first use^)... 1>&2
  pushd "%APP%"
  call mvnw.cmd -q -B -DskipTests package 1>&2
  if errorlevel 1 ( popd & echo capsync: build failed 1>&2 & exit /b 1 )
  popd
)
java %CAPSYNC_JAVA_OPTS% -XX:TieredStopAtLevel=1 -Dcapsync.app.home="%APP%." -jar "%JAR%" %*
exit /b %ERRORLEVEL%
