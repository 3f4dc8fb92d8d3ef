package org.capsync.support;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * Real file-system faults for CAP folders: a read-only bind mount and a tiny tmpfs that fills up. Needs root (CI runs
 * as root); elsewhere the tests that need it are skipped, and under CI=true they fail instead.
 */
public final class Mounts {

    private Mounts() {
    }

    public static void requireRoot() {
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("CI must run as root to mount test file systems");
        }
        Assumptions.assumeTrue(root, "mounting test file systems needs root");
    }

    public static void readOnlyBind(Path folder) {
        run("mount", "--bind", folder.toString(), folder.toString());
        run("mount", "-o", "remount,bind,ro", folder.toString());
    }

    public static void tmpfs(Path folder, String size) {
        run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", folder.toString());
    }

    public static void unmount(Path folder) {
        run("umount", folder.toString());
    }

    private static void run(String... command) {
        try {
            Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new AssertionError(String.join(" ", command) + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
