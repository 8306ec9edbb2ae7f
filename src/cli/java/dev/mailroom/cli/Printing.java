package dev.mailroom.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.mailroom.client.DeadLetter;
import dev.mailroom.client.SendStatus;
import dev.mailroom.client.SuppressionEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** How the CLI shows statuses and dead letters: aligned tables for people, JSON for scripts. */
final class Printing {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    private Printing() {
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value) + System.lineSeparator();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot print " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /** The job's fields (those set), a blank line, then one line per recipient. */
    static String table(SendStatus status) {
        List<List<String>> job = new ArrayList<>();
        field(job, "job", status.jobId());
        field(job, "status", status.status().name());
        field(job, "attempts", Integer.toString(status.attempts()));
        field(job, "created", status.createdAt());
        field(job, "updated", status.updatedAt());
        field(job, "next attempt", status.nextAttemptAt());
        field(job, "expires", status.expiresAt());
        field(job, "message id", status.messageId());
        field(job, "last error", status.lastError());
        field(job, "archive key", status.archiveKey());
        List<List<String>> recipients = new ArrayList<>();
        recipients.add(List.of("RECIPIENT", "STATUS", "CODE", "ENHANCED", "ATTEMPTS", "MX HOST", "DKIM", "REPLY"));
        for (SendStatus.Recipient r : status.recipients()) {
            recipients.add(List.of(r.address(), r.status().name(), r.replyCode() == null ? "-" : r.replyCode().toString(),
                    orDash(r.enhancedCode()), Integer.toString(r.attempts()), orDash(r.mxHost()),
                    r.signedBy().isEmpty() ? "-" : String.join(" ", r.signedBy()), orDash(r.replyText())));
        }
        return columns(job) + System.lineSeparator() + columns(recipients);
    }

    static String table(List<DeadLetter> deadLetters) {
        if (deadLetters.isEmpty()) {
            return "no dead letters" + System.lineSeparator();
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("ARCHIVED", "JOB", "KEY", "REASON"));
        deadLetters.forEach(d -> rows.add(List.of(d.archivedAt().toString(), d.jobId(), d.archiveKey(), orDash(d.reason()))));
        return columns(rows);
    }

    static String suppressions(List<SuppressionEntry> entries) {
        if (entries.isEmpty()) {
            return "no suppressed addresses" + System.lineSeparator();
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("ADDRESS", "SCOPE", "REASON", "ADDED", "EXPIRES", "SOURCE"));
        entries.forEach(e -> rows.add(List.of(e.address(), e.isGlobal() ? "global" : "tenant " + e.tenant(),
                e.reason().name(), e.addedAt().toString(), e.expiresAt() == null ? "never" : e.expiresAt().toString(),
                orDash(e.source()))));
        return columns(rows);
    }

    private static void field(List<List<String>> rows, String name, Object value) {
        if (value != null) {
            rows.add(List.of(name, value.toString()));
        }
    }

    private static String orDash(String value) {
        return value == null || value.isEmpty() ? "-" : value.replaceAll("\\s+", " ");
    }

    /** Left-aligned columns two spaces apart; the last column is never padded. */
    private static String columns(List<List<String>> rows) {
        int[] widths = new int[rows.stream().mapToInt(List::size).max().orElse(0)];
        rows.forEach(row -> {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        });
        StringBuilder out = new StringBuilder();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                String cell = Objects.toString(row.get(i), "-");
                line.append(i == row.size() - 1 ? cell : String.format("%-" + widths[i] + "s  ", cell));
            }
            out.append(line.toString().stripTrailing()).append(System.lineSeparator());
        }
        return out.toString();
    }
}
