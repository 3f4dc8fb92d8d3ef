package org.capsync.console;

import java.io.File;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The terminal's width: $COLUMNS when the shell exports it, else what {@code stty} says of the controlling terminal. */
final class TerminalSize {

    static final int FALLBACK = 80;

    private TerminalSize() {
    }

    static int columns(Map<String, String> env) {
        String columns = env.get("COLUMNS");
        if (columns != null && columns.matches("\\d{2,4}")) {
            return Integer.parseInt(columns);
        }
        File tty = new File("/dev/tty");
        if (!tty.exists()) {
            return FALLBACK;
        }
        try {
            Process stty = new ProcessBuilder("stty", "size").redirectInput(tty).redirectErrorStream(true).start();
            String out = new String(stty.getInputStream().readAllBytes()).trim();
            if (stty.waitFor(2, TimeUnit.SECONDS) && stty.exitValue() == 0 && out.matches("\\d+ \\d+")) {
                int width = Integer.parseInt(out.substring(out.indexOf(' ') + 1));
                return width >= 20 ? width : FALLBACK;
            }
        } catch (Exception e) {
            // no stty, or no terminal after all: the common width does
        }
        return FALLBACK;
    }
}
