package org.capsync.copy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One copy attempt in a child JVM, so that a test can run it as another user or under another umask than its own.
 * Arguments: CAP path, target folder, source file. Prints {@code KIND|reason}.
 */
public final class ChildCopy {

    private ChildCopy() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[2]);
        SourceFile source;
        try (InputStream in = Files.newInputStream(file)) {
            source = new SourceFile(file.getFileName().toString(), file, FileDigest.of(in), Files.getLastModifiedTime(file));
        }
        TargetFile target = TargetFile.of("CAP_001", args[0], args[1], file.getFileName().toString(), "client-lkp");
        CopyOutcome outcome = new TargetCopier(List.of(new LocalTransport(LocalSharingViolations.forThisMachine())))
                .attempt(source, target);
        System.out.println(outcome.kind() + "|" + outcome.reason());
    }

    /** The command that runs it: {@code prefix} (e.g. setpriv ... or sh -c 'umask 077; exec "$0" "$@"') then java. */
    static List<String> command(List<String> prefix, String capPath, String folder, Path source) throws Exception {
        String javaBin = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String classPath = location(ChildCopy.class) + java.io.File.pathSeparator + location(LocalTransport.class);
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(javaBin, "-XX:TieredStopAtLevel=1", "-Xshare:auto", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                "--add-opens", "java.base/java.io=ALL-UNNAMED", "-cp", classPath, ChildCopy.class.getName(),
                capPath, folder, source.toString()));
        return command;
    }

    /** Runs it and returns its one line. */
    static String run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes()).strip();
        if (process.waitFor() != 0) {
            throw new IllegalStateException("child copy failed: " + out);
        }
        return out.lines().reduce((a, b) -> b).orElse("");
    }

    private static String location(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
