package org.capsync.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Runs the history commands with {@code --json} and parses what they print; waits for a run's progress. */
public final class HistoryJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HistoryJson() {
    }

    public static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    /** Runs {@code capsync ARGS --json} in-process; it must exit 0 and print a JSON array. */
    public static List<JsonNode> rows(TestSite site, String... args) {
        Cli.Result result = withJson(site, args);
        assertThat(result.exitCode()).as("%s: %s", String.join(" ", args), result.err()).isZero();
        JsonNode array = parse(result.out());
        assertThat(array.isArray()).as(result.out()).isTrue();
        List<JsonNode> rows = new ArrayList<>();
        array.forEach(rows::add);
        return rows;
    }

    private static List<JsonNode> rowsIfAny(TestSite site, String... args) {
        Cli.Result result = withJson(site, args);
        List<JsonNode> rows = new ArrayList<>();
        if (result.exitCode() == 0) {
            parse(result.out()).forEach(rows::add);
        }
        return rows;
    }

    private static Cli.Result withJson(TestSite site, String... args) {
        String[] all = new String[args.length + 1];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--json";
        return Cli.run(site, all);
    }

    public static JsonNode row(List<JsonNode> rows, String field, String value) {
        return rows.stream().filter(r -> value.equals(r.path(field).asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no row with " + field + "=" + value + " in " + rows));
    }

    public static Instant time(JsonNode node) {
        assertThat(node.isTextual()).as("a time, not %s", node).isTrue();
        return OffsetDateTime.parse(node.asText()).toInstant();
    }

    /** Polls until {@code condition} holds (a minute at most). */
    public static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    /**
     * Waits until a run in another process shows, through {@code history} and {@code show}, as a STARTED execution
     * whose (CAP, file) {@code cap} is waiting to be retried; returns that execution's id.
     */
    public static long awaitRetrying(TestSite site, String cap, CapsyncProcess run) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            assertThat(run.isAlive()).as("the run ended early:\n%s", run.output()).isTrue();
            // Before the run has created its tables a query may fail: that is not what is waited for.
            List<JsonNode> history = rowsIfAny(site, "history");
            if (!history.isEmpty() && history.get(0).path("status").asText().equals("STARTED")) {
                long id = history.get(0).path("executionId").asLong();
                boolean retrying = rowsIfAny(site, "show", Long.toString(id)).stream()
                        .anyMatch(p -> p.path("cap").asText().equals(cap) && p.path("status").asText().equals("RETRY"));
                if (retrying) {
                    return id;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError(cap + " never showed as RETRY; run output:\n" + run.output());
    }
}
