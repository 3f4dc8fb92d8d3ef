package org.capsync.console;

import java.nio.charset.Charset;
import java.util.Locale;
import java.util.Map;

/**
 * What the terminal can show: colour (ANSI SGR codes; off with NO_COLOR, TERM=dumb, or a Windows console that does not
 * announce escape support) and block characters (only when the output is encoded in UTF-8).
 */
public record Style(boolean colour, boolean unicode) {

    public static final Style PLAIN = new Style(false, false);

    static final String GREEN = "32";
    static final String YELLOW = "33";
    static final String RED = "31";
    static final String CYAN = "36";
    static final String DIM = "2";
    static final String BOLD = "1";

    public static Style forTerminal(Map<String, String> env) {
        boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
        boolean escapes = !windows || env.containsKey("WT_SESSION") || env.containsKey("ANSICON")
                || "ON".equalsIgnoreCase(env.get("ConEmuANSI"));
        boolean colour = escapes && !env.containsKey("NO_COLOR") && !"dumb".equals(env.get("TERM"));
        String encoding = System.getProperty("stdout.encoding",
                System.getProperty("sun.stdout.encoding", Charset.defaultCharset().name()));
        return new Style(colour, encoding.toUpperCase(Locale.ROOT).replace("-", "").equals("UTF8"));
    }

    String paint(String code, String text) {
        return colour && !code.isEmpty() && !text.isEmpty() ? "\u001b[" + code + "m" + text + "\u001b[0m" : text;
    }
}
