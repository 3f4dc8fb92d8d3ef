package org.capsync.cli;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Dates and ages as an administrator types them on the history commands. */
final class TimeArguments {

    private static final Pattern AGE = Pattern.compile("(\\d{1,9})\\s*(s|m|h|d|w)");

    private TimeArguments() {
    }

    /**
     * An age such as {@code 90d}, {@code 12h}, {@code 30m}, {@code 2w}. The unit is required: a bare number would be
     * read as milliseconds by most parsers, and for purge that would mean "everything".
     */
    static Duration age(String option, String text) {
        Matcher m = AGE.matcher(text.trim().toLowerCase(java.util.Locale.ROOT));
        if (!m.matches()) {
            throw new UsageException(option + ": '" + text + "' is not an age (a number and a unit: 90d, 12h, 30m, 45s, 2w)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofDays(7 * n);
        };
    }

    /**
     * A point in time: a date ({@code 2026-11-01}, from its start, local time), a local date and time
     * ({@code 2026-11-01T08:00} or with a space), an ISO time with offset, or an age back from now ({@code 7d}).
     */
    static Instant since(String option, String text, Clock clock) {
        String t = text.trim();
        ZoneId zone = ZoneId.systemDefault();
        try {
            if (t.length() == 10) {
                return LocalDate.parse(t).atStartOfDay(zone).toInstant();
            }
            String iso = t.replace(' ', 'T');
            if (iso.endsWith("Z") || iso.matches(".*[+-]\\d\\d:\\d\\d$")) {
                return OffsetDateTime.parse(iso).toInstant();
            }
            return LocalDateTime.parse(iso).atZone(zone).toInstant();
        } catch (DateTimeParseException e) {
            if (AGE.matcher(t.toLowerCase(java.util.Locale.ROOT)).matches()) {
                return clock.instant().minus(age(option, t));
            }
            throw new UsageException(option + ": '" + text + "' is not a date (2026-11-01, 2026-11-01T08:00) or an age back from now (7d, 12h)");
        }
    }
}
