package org.capsync.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README and the pages in {@code docs/} are read on GitHub and in a checkout: every relative link and image must
 * point at a file that exists, every {@code #anchor} at a heading of its target (GitHub's slugs), and no page may talk
 * about how it was developed (branches, merges, sessions), which means nothing to its reader.
 */
class DocumentationLinksTest {

    /** Phrases that describe the development rather than capsync; checked case-insensitively. */
    private static final List<String> DEVELOPMENT_WORDING = List.of(
            "this branch", "this session", "merged", "before this session", "main merged", "not made here");

    private static final Pattern FENCE = Pattern.compile("^\\s*(```|~~~)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern INLINE_CODE = Pattern.compile("`+[^`]*`+");
    // [text](target) and ![alt](target); the target ends at whitespace (an optional "title" follows) or ')'.
    private static final Pattern LINK = Pattern.compile("!?\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");

    @TempDir
    Path scratch;

    @Test
    void everyRelativeLinkAndAnchorResolves() throws IOException {
        List<Path> pages = pages(Path.of(""));
        assertTrue(pages.size() > 1, "README.md and docs/*.md expected, found " + pages);

        List<String> broken = brokenLinks(pages);

        assertTrue(broken.isEmpty(), "broken links:\n" + String.join("\n", broken));
    }

    @Test
    void noPageTalksAboutTheDevelopment() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path page : pages(Path.of(""))) {
            List<String> lines = Files.readAllLines(page, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).toLowerCase(Locale.ROOT);
                for (String phrase : DEVELOPMENT_WORDING) {
                    if (line.contains(phrase)) {
                        found.add(page + ":" + (i + 1) + ": '" + phrase + "' in: " + lines.get(i).strip());
                    }
                }
            }
        }

        assertTrue(found.isEmpty(), "development-history wording:\n" + String.join("\n", found));
    }

    /** The checker itself: it must see a missing file, a missing anchor, a wrapped link and a wrong duplicate suffix. */
    @Test
    void brokenLinksAreFound() throws IOException {
        Files.createDirectories(scratch.resolve("docs"));
        Files.writeString(scratch.resolve("README.md"), """
                # Tool
                See [the guide](docs/guide.md#exit-codes-per-scheduler), [twice](docs/guide.md#notes-1),
                [gone](docs/missing.md), [no such heading](docs/guide.md#nowhere), [here](#tool),
                [code](`not a link`) and `[inline](nowhere.md)`, ![image](docs/pic.png), [a link that
                wraps](docs/guide.md#wrapped).
                ```
                [in a code block](nowhere.md)
                ```
                """, StandardCharsets.UTF_8);
        Files.writeString(scratch.resolve("docs/guide.md"), """
                # Guide
                ## Exit codes per scheduler
                ## Notes
                ## Notes
                See [the README](../README.md#tool) and [a third Notes](#notes-2), [site](https://example.org/x).
                """, StandardCharsets.UTF_8);

        List<String> broken = brokenLinks(pages(scratch));

        assertEquals(5, broken.size(), String.join("\n", broken));
        assertTrue(broken.get(0).contains("docs/missing.md"), broken.get(0));
        assertTrue(broken.get(1).contains("#nowhere"), broken.get(1));
        assertTrue(broken.get(2).contains("docs/pic.png"), broken.get(2));
        assertTrue(broken.get(3).startsWith(scratch.resolve("README.md") + ":4: docs/guide.md#wrapped"), broken.get(3));
        assertTrue(broken.get(4).contains("#notes-2"), broken.get(4));
        assertFalse(String.join("\n", broken).contains("code block"));
    }

    @Test
    void slugsFollowGitHub() {
        Map<String, Integer> seen = new HashMap<>();
        assertEquals("output-terminal-cron---quiet", slug("Output: terminal, cron, --quiet", seen));
        assertEquals("what-is-left-and-why", slug("What is left, and why", seen));
        assertEquals("on-failure-and-on-skips-commands", slug("`on-failure` and `on-skips` commands", seen));
        assertEquals("capsync_home--and-more", slug("CAPSYNC_HOME — and [more](x.md)", seen));
        assertEquals("notes", slug("Notes", seen));
        assertEquals("notes-1", slug("Notes", seen));
    }

    private static List<Path> pages(Path root) throws IOException {
        List<Path> pages = new ArrayList<>();
        Path readme = root.resolve("README.md");
        if (Files.isRegularFile(readme)) {
            pages.add(readme);
        }
        Path docs = root.resolve("docs");
        if (Files.isDirectory(docs)) {
            try (Stream<Path> files = Files.walk(docs)) {
                files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
            }
        }
        return pages;
    }

    private static List<String> brokenLinks(List<Path> pages) throws IOException {
        Map<Path, Set<String>> anchorsByPage = new HashMap<>();
        List<String> broken = new ArrayList<>();
        for (Path page : pages) {
            // Whole text, not line by line: a link's text may wrap onto the next line.
            String prose = withoutInlineCode(String.join("\n", proseLines(page)));
            Matcher link = LINK.matcher(prose);
            while (link.find()) {
                String target = link.group(1);
                if (SCHEME.matcher(target).find()) {
                    continue;
                }
                long line = prose.substring(0, link.start()).chars().filter(c -> c == '\n').count() + 1;
                String where = page + ":" + line + ": " + target;
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash);
                String anchor = hash < 0 ? "" : target.substring(hash + 1);
                Path resolved = file.isEmpty() ? page : page.toAbsolutePath().getParent().resolve(file).normalize();
                if (!Files.exists(resolved)) {
                    broken.add(where + " (no such file " + resolved + ")");
                } else if (!anchor.isEmpty() && resolved.toString().endsWith(".md")) {
                    Set<String> anchors = anchorsByPage.computeIfAbsent(resolved.toAbsolutePath().normalize(),
                            DocumentationLinksTest::anchors);
                    if (!anchors.contains(anchor)) {
                        broken.add(where + " (no heading with anchor #" + anchor + " in " + resolved + "; it has "
                                + anchors + ")");
                    }
                }
            }
        }
        return broken;
    }

    /** Code spans blanked out (they show link syntax, they are no links), keeping their line breaks. */
    private static String withoutInlineCode(String text) {
        return INLINE_CODE.matcher(text).replaceAll(code -> code.group().replaceAll("[^\n]", ""));
    }

    /** The page's lines with fenced code blocks blanked out, so that line numbers stay right. */
    private static List<String> proseLines(Path page) throws IOException {
        List<String> lines = new ArrayList<>();
        boolean inFence = false;
        for (String line : Files.readAllLines(page, StandardCharsets.UTF_8)) {
            if (FENCE.matcher(line).find()) {
                inFence = !inFence;
                lines.add("");
            } else {
                lines.add(inFence ? "" : line);
            }
        }
        return lines;
    }

    private static Set<String> anchors(Path page) {
        try {
            Set<String> anchors = new LinkedHashSet<>();
            Map<String, Integer> seen = new HashMap<>();
            for (String line : proseLines(page)) {
                Matcher heading = HEADING.matcher(line);
                if (heading.matches()) {
                    anchors.add(slug(heading.group(1), seen));
                }
            }
            return anchors;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + page, e);
        }
    }

    /**
     * GitHub's heading anchor: the heading's text (link targets left out), lower case, every character but letters,
     * digits, marks, '-', '_' and spaces dropped, each space a '-'; the second of a slug gets "-1", the third "-2".
     */
    private static String slug(String heading, Map<String, Integer> seen) {
        String text = heading.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1").toLowerCase(Locale.ROOT);
        StringBuilder slug = new StringBuilder();
        text.codePoints().forEach(c -> {
            int type = Character.getType(c);
            boolean mark = type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK
                    || type == Character.ENCLOSING_MARK;
            if (c == ' ') {
                slug.append('-');
            } else if (Character.isLetterOrDigit(c) || mark || c == '-' || c == '_') {
                slug.appendCodePoint(c);
            }
        });
        String base = slug.toString();
        Integer count = seen.get(base);
        seen.put(base, count == null ? 1 : count + 1);
        return count == null ? base : base + "-" + count;
    }
}
