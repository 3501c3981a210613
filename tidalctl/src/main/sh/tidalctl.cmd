@echo off
rem tidalctl: inspects a tidalDB home on disk. Runs lib\tidalctl.jar beside this script's bin\ directory.
rem JAVA picks the java binary (default: java on the PATH); TIDALCTL_OPTS adds JVM options.
setlocal
set "TIDALCTL_ROOT=%~dp0.."
if defined JAVA (set "TIDALCTL_JAVA=%JAVA%") else (set "TIDALCTL_JAVA=java")
"%TIDALCTL_JAVA%" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto %TIDALCTL_OPTS% -jar "%TIDALCTL_ROOT%\lib\tidalctl.jar" %*
exit /b %ERRORLEVEL%
