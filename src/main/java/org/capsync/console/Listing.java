package org.capsync.console;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.capsync.definition.Durations;

/**
 * Rows of a history command, written as an aligned table for a person, or as JSON or CSV for a script. The JSON and
 * CSV field names are the column keys (a public interface: see docs/history.md); times are ISO-8601 with the local
 * offset in JSON and CSV, local {@code yyyy-MM-dd HH:mm:ss} in the table.
 */
public final class Listing {

    public enum Format { TABLE, JSON, CSV }

    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    /**
     * One field of every row.
     *
     * @param header the table heading, or null for a field that only JSON and CSV carry
     * @param nested a list of objects, carried only by JSON
     * @param text   how the table shows the value
     */
    public record Column(String key, String header, boolean right, boolean nested, Function<Object, String> text) {

        public static Column left(String key, String header) {
            return new Column(key, header, false, false, Listing::text);
        }

        public static Column right(String key, String header) {
            return new Column(key, header, true, false, Listing::text);
        }

        /** A duration in milliseconds, shown as {@code 4s} or {@code 1m30s} in the table. */
        public static Column millis(String key, String header) {
            return new Column(key, header, true, false,
                    v -> v == null ? "-" : Durations.format(Duration.ofMillis(((Number) v).longValue())));
        }

        public static Column dataOnly(String key) {
            return new Column(key, null, false, false, Listing::text);
        }

        public static Column nestedList(String key) {
            return new Column(key, null, false, true, Listing::text);
        }
    }

    private final List<Column> columns;
    private final List<Object[]> rows = new ArrayList<>();

    /** Made on first use: a table costs no JSON start-up. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    public Listing(List<Column> columns) {
        this.columns = List.copyOf(columns);
    }

    /** Adds a row: one value per column, in column order. */
    public Listing row(Object... values) {
        if (values.length != columns.size()) {
            throw new IllegalArgumentException(values.length + " values for " + columns.size() + " columns");
        }
        rows.add(values.clone());
        return this;
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    public void write(Format format, PrintWriter out) {
        switch (format) {
            case JSON -> writeJson(out);
            case CSV -> writeCsv(out);
            default -> writeTable(out);
        }
        out.flush();
    }

    private void writeTable(PrintWriter out) {
        // By position, not by List.indexOf: a record's first equals links method-handle trees, tens of milliseconds of
        // a history command's start.
        List<Integer> shownAt = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).header() != null) {
                shownAt.add(i);
            }
        }
        List<Column> shown = shownAt.stream().map(columns::get).toList();
        List<String[]> cells = new ArrayList<>();
        for (Object[] row : rows) {
            String[] line = new String[shown.size()];
            for (int i = 0; i < shown.size(); i++) {
                line[i] = shown.get(i).text().apply(row[shownAt.get(i)]).replace('\n', ' ');
            }
            cells.add(line);
        }
        int[] widths = new int[shown.size()];
        for (int i = 0; i < shown.size(); i++) {
            widths[i] = shown.get(i).header().length();
            for (String[] line : cells) {
                widths[i] = Math.max(widths[i], line[i].length());
            }
        }
        out.println(tableLine(shown.stream().map(Column::header).toArray(String[]::new), shown, widths));
        for (String[] line : cells) {
            out.println(tableLine(line, shown, widths));
        }
    }

    private static String tableLine(String[] cells, List<Column> shown, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            boolean last = i == cells.length - 1;
            String cell = cells[i];
            String pad = " ".repeat(widths[i] - cell.length());
            if (shown.get(i).right()) {
                line.append(pad).append(cell);
            } else {
                line.append(cell).append(last ? "" : pad);
            }
            if (!last) {
                line.append("  ");
            }
        }
        return line.toString().stripTrailing();
    }

    private void writeJson(PrintWriter out) {
        List<Map<String, Object>> objects = new ArrayList<>(rows.size());
        for (Object[] row : rows) {
            Map<String, Object> object = new LinkedHashMap<>();
            for (int i = 0; i < columns.size(); i++) {
                object.put(columns.get(i).key(), data(row[i]));
            }
            objects.add(object);
        }
        try {
            out.println(Json.MAPPER.writeValueAsString(objects));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One JSON object, for commands whose answer is a single result (purge). */
    public static void writeJsonObject(Map<String, Object> object, PrintWriter out) {
        Map<String, Object> data = new LinkedHashMap<>();
        object.forEach((k, v) -> data.put(k, data(v)));
        try {
            out.println(Json.MAPPER.writeValueAsString(data));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.flush();
    }

    private void writeCsv(PrintWriter out) {
        List<Integer> flat = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            if (!columns.get(i).nested()) {
                flat.add(i);
            }
        }
        CSVFormat format = CSVFormat.DEFAULT.builder().setRecordSeparator('\n')
                .setHeader(flat.stream().map(i -> columns.get(i).key()).toArray(String[]::new)).get();
        try {
            CSVPrinter printer = new CSVPrinter(out, format);
            for (Object[] row : rows) {
                List<Object> record = new ArrayList<>(flat.size());
                for (int i : flat) {
                    Object value = data(row[i]);
                    record.add(value == null ? "" : value);
                }
                printer.printRecord(record);
            }
            printer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A value as JSON and CSV carry it. */
    @SuppressWarnings("unchecked")
    static Object data(Object value) {
        if (value instanceof Instant instant) {
            return iso(instant);
        }
        if (value instanceof Duration duration) {
            return duration.toMillis();
        }
        if (value instanceof List<?> list) {
            List<Object> converted = new ArrayList<>(list.size());
            for (Object element : list) {
                if (element instanceof Map<?, ?> map) {
                    Map<String, Object> object = new LinkedHashMap<>();
                    ((Map<String, Object>) map).forEach((k, v) -> object.put(k, data(v)));
                    converted.add(object);
                } else {
                    converted.add(data(element));
                }
            }
            return converted;
        }
        return value;
    }

    public static String iso(Instant instant) {
        return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(instant.truncatedTo(ChronoUnit.MILLIS).atZone(ZoneId.systemDefault()));
    }

    /** A value as the table shows it. */
    public static String text(Object value) {
        if (value == null) {
            return "-";
        }
        if (value instanceof Instant instant) {
            return LOCAL.format(instant.atZone(ZoneId.systemDefault()));
        }
        if (value instanceof Boolean b) {
            return b ? "yes" : "no";
        }
        if (value instanceof Duration d) {
            return Durations.format(d);
        }
        return value.toString();
    }
}
