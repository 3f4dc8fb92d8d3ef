@echo off
rem capsync launcher for Windows: runs the application in ..\lib with a Java 17+ runtime (JAVA_HOME, else java on
rem the PATH), with the JVM options and the start-up archive of the POSIX launcher bin/capsync (read it for why).
rem Environment: CAPSYNC_HOME (repository, logs, locks; default %USERPROFILE%\.capsync), CAPSYNC_JAVA_OPTS (extra JVM
rem              options), CAPSYNC_CDS=off (run without the start-up archive).
rem Writes nothing beside itself: the start-up archive goes to %CAPSYNC_HOME%\cache, or without CAPSYNC_HOME to
rem %LOCALAPPDATA%\capsync. The source tree's capsync.cmd calls this file with CAPSYNC_SOURCE_TREE set.
rem No blocks in parentheses below: a ")" in a path (C:\Program Files (x86)) would end them.
setlocal
for %%I in ("%~dp0..") do set "APP=%%~fI"
set "JAR=%APP%\lib\capsync.jar"
set "CDS_DIR=%LOCALAPPDATA%\capsync\cds"
if defined CAPSYNC_HOME set "CDS_DIR=%CAPSYNC_HOME%\cache\cds"
if not defined CAPSYNC_SOURCE_TREE goto java
set "APP=%CAPSYNC_SOURCE_TREE%"
set "JAR=%CAPSYNC_SOURCE_TREE%\target\dist\lib\capsync.jar"
set "CDS_DIR=%CAPSYNC_SOURCE_TREE%\target\cds"
set "CAPSYNC_SOURCE_TREE="

:java
set "JAVA=java.exe"
if defined JAVA_HOME if exist "%JAVA_HOME%\bin\java.exe" set "JAVA=%JAVA_HOME%\bin\java.exe"
for %%J in ("%JAVA%") do if not exist "%%~fJ" set "JAVA=%%~$PATH:J"
if not defined JAVA echo capsync: java not found: set JAVA_HOME or put Java 17 or newer on the PATH 1>&2
if not defined JAVA exit /b 1

set BASE=-XX:TieredStopAtLevel=1 -Xlog:disable -Xlog:all=warning:stderr "-Dcapsync.app.home=%APP%"
set "OPTS=%BASE%"
rem The dots keep JOPTS and AFTER_USE defined: a substitution on an undefined variable is not empty in a batch file.
set "JOPTS=.%CAPSYNC_JAVA_OPTS%"
if "%JOPTS:FlightRecord=%"=="%JOPTS%" set "OPTS=%OPTS% -Djfr.unsupported.vm=true"
set "AFTER_USE=%JOPTS:*Use=%"
if "%AFTER_USE%"=="%JOPTS%" set "AFTER_USE=."
if "%AFTER_USE:GC=%"=="%AFTER_USE%" set "OPTS=%OPTS% -XX:+UseSerialGC"
if /i "%CAPSYNC_CDS%"=="off" goto plain

rem One archive per cache folder, remade when the jar or the Java runtime changes (no checksum tool in cmd).
for %%F in ("%JAR%") do set "STAMP=%%~fF %%~zF %%~tF"
for %%J in ("%JAVA%") do set "STAMP=%STAMP% %%~fJ %%~zJ %%~tJ"
set "MADE="
if exist "%CDS_DIR%\capsync.jsa" if exist "%CDS_DIR%\capsync.stamp" set /p MADE=<"%CDS_DIR%\capsync.stamp"
if "%MADE%"=="%STAMP%" goto archive
set "FAILED="
if exist "%CDS_DIR%\capsync.failed" set /p FAILED=<"%CDS_DIR%\capsync.failed"
if "%FAILED%"=="%STAMP%" goto plain

if not exist "%CDS_DIR%" md "%CDS_DIR%" 2>nul
set "WORK=%CDS_DIR%\training-%RANDOM%%RANDOM%"
md "%WORK%\inbox" 2>nul || goto plain
md "%WORK%\cap\box" 2>nul || goto plain
echo capsync: preparing the start-up archive (once per installation, Java runtime and cache folder)... 1>&2
rem Training: one real run of a one-CAP job in a throw-away CAPSYNC_HOME that also loads the SMB classes, as
rem bin/capsync does.
> "%WORK%\inbox\client.lkp" echo capsync
> "%WORK%\caps.csv" echo name,path
>> "%WORK%\caps.csv" echo CAP,"%WORK%\cap"
> "%WORK%\job.yml" echo name: cds-training
>> "%WORK%\job.yml" echo source: inbox
>> "%WORK%\job.yml" echo files: [client.lkp]
>> "%WORK%\job.yml" echo caps: caps.csv
>> "%WORK%\job.yml" echo target: box
>> "%WORK%\job.yml" echo threads: 1
setlocal
set "CAPSYNC_HOME=%WORK%\home"
"%JAVA%" %BASE% -Djfr.unsupported.vm=true -XX:+UseSerialGC "-XX:DumpLoadedClassList=%WORK%\classes.lst" -Dcapsync.start-up-training=true -jar "%JAR%" run "%WORK%\job.yml" >nul 2>&1
endlocal & set "TRAINED=%ERRORLEVEL%"
if not "%TRAINED%"=="0" goto failed
"%JAVA%" -Xshare:dump "-XX:SharedClassListFile=%WORK%\classes.lst" "-XX:SharedArchiveFile=%WORK%\capsync.jsa" -jar "%JAR%" >nul 2>&1 || goto failed
rem An archive that gives none of capsync's own classes (Java 17 from a path with a space: see bin/capsync) is not kept.
"%JAVA%" %BASE% -Djfr.unsupported.vm=true -XX:+UseSerialGC "-XX:SharedArchiveFile=%WORK%\capsync.jsa" -Xlog:class+load=info:stdout -jar "%JAR%" --version 2>nul | findstr /c:" org.capsync.CapsyncApplication source: shared objects file" >nul || goto unusable
rem Renamed into place: a concurrent start sees a whole archive or none.
move /y "%WORK%\capsync.jsa" "%CDS_DIR%\capsync.jsa" >nul 2>&1 || goto failed
> "%CDS_DIR%\capsync.stamp" echo %STAMP%
rd /s /q "%WORK%" 2>nul
goto archive

:failed
set "WHY=java"
goto without

:unusable
rem A path with a space or a # (the characters of a Windows path Java escapes in a URL that cmd can test for).
set "WHY=java"
if not "%JAR: =%"=="%JAR%" set "WHY=path"
if not "%JAR:#=%"=="%JAR%" set "WHY=path"

:without
rd /s /q "%WORK%" 2>nul
rem An earlier build's archive is no use either; this build's, if a start beside this one made it, stays.
set "MADE="
if exist "%CDS_DIR%\capsync.stamp" set /p MADE=<"%CDS_DIR%\capsync.stamp"
if not "%MADE%"=="%STAMP%" del "%CDS_DIR%\capsync.jsa" 2>nul
if "%WHY%"=="java" echo capsync: could not make the start-up archive with this Java; running without it 1>&2
if "%WHY%"=="path" echo capsync: this Java cannot use a start-up archive for an installation whose path has a space or other character a URL escapes ("%JAR%"); running without it (docs\installing.md) 1>&2
> "%CDS_DIR%\capsync.failed" echo %STAMP%
goto plain

:archive
"%JAVA%" %OPTS% %CAPSYNC_JAVA_OPTS% "-XX:SharedArchiveFile=%CDS_DIR%\capsync.jsa" -jar "%JAR%" %*
exit /b %ERRORLEVEL%

:plain
"%JAVA%" %OPTS% %CAPSYNC_JAVA_OPTS% -jar "%JAR%" %*
exit /b %ERRORLEVEL%
