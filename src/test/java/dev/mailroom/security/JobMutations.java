package dev.mailroom.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Generators of send-job bodies for {@link JobIntakePropertiesTest}: arbitrary strings, JSON-ish token
 * soup, and valid jobs (structured or raw) changed by a few {@link Mutation}s — a node dropped, a
 * type changed, CR/LF/NUL injected into a string or a key, random Unicode, or a value known to be
 * tricky for that very field. Mutations are plain values, so jqwik can shrink a failing job to the
 * one change that matters.
 */
final class JobMutations {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JobMutations() {
    }

    private static final String STRUCTURED = """
            {"version":1,"jobId":"inv-2026-000123","from":"Billing <billing@mailroom.test>",
             "envelopeFrom":"bounces@mailroom.test","replyTo":["Support <support@mailroom.test>"],
             "to":["Ann <ann@example.org>"],"cc":["Bob <bob@example.net>"],"bcc":["audit@example.org"],
             "subject":"Your invoice","text":"plain part","html":"<p>html part</p>",
             "headers":{"List-Unsubscribe":"<https://mailroom.test/u/123>","X-Campaign":"spring"},
             "attachments":[
               {"filename":"logo.png","contentType":"image/png","disposition":"inline","contentId":"logo",
                "content":"iVBORw0KGgo="},
               {"filename":"invoice.pdf","contentType":"application/pdf",
                "s3":{"bucket":"mailroom-attachments","key":"a/inv-123.pdf"}}],
             "tags":{"tenant":"acme"},"expiresAt":"2999-12-31T23:59:59Z"}""";
    private static final String RAW = """
            {"version":1,"jobId":"raw-1","from":"billing@mailroom.test","to":["ann@example.org"],
             "bcc":["audit@example.org"],"raw":{"s3":{"bucket":"mailroom-attachments","key":"m/raw-1.eml"}}}""";

    private static final List<String> INJECTIONS = List.of("\r\n", "\n", "\r", "\u0000", "\r\nBcc: victim@evil.test",
            "\nBcc: victim@evil.test", "\u0085", "\u2028", "\t", "\u001b[31m", "\u007f", "\r\n\r\n", "\r\n ");
    private static final List<Object> ADDRESSES = List.of("\"john doe\"@example.org", "\"a@b\"@example.org", "a@b",
            "Zoë <zoe@bücher.example>", "zoë@example.org", "billing@mailroom.test.evil.test", "billing@evilmailroom.test",
            "\"billing@mailroom.test\"@evil.test", "<@relay.example:a@example.org>", "undisclosed:;", "a@[127.0.0.1]",
            "a@example.org (comment)", "=?UTF-8?Q?a=0D=0ABcc:_victim@evil.test?= <a@example.org>",
            "\"Doe, John\" <j@example.org>", "billing@MAILROOM.TEST", "x@mail.mailroom.test");
    private static final List<Object> CONTENT_TYPES = List.of("multipart/mixed", "multipart/alternative; boundary=x",
            "message/rfc822", "text/plain; charset=\"x-unknown\"", "text/html", "application/octet-stream; name=\"a b\"",
            "image/png; x=\"\\\"\"");
    private static final List<Object> KEYS = List.of("../secret", "/etc/passwd", "a\\b", ".", "a/./b", "a//b",
            "someone-elses-bucket", "mailroom-attachments", "MAILROOM-ATTACHMENTS");
    private static final List<Object> TEXTS = List.of("=?UTF-8?Q?a=0D=0ABcc:_victim@evil.test?=", "", " ", "\t",
            "A".repeat(2001), "Bcc", "Resent-Bcc", "X-Ok", "inline", "attachment", "INLINE", "logo@x", "a\"; b=\"c",
            "invoice.pdf\u202Efdp.exe", "2999-12-31T23:59:59Z");
    private static final List<Object> SCALARS = List.of(1, 2, 0, -1, 1.5, true, "1");
    private static final Map<String, List<Object>> TRICKY = Map.of("from", ADDRESSES, "envelopeFrom", ADDRESSES,
            "replyTo", ADDRESSES, "to", ADDRESSES, "cc", ADDRESSES, "bcc", ADDRESSES, "contentType", CONTENT_TYPES,
            "key", KEYS, "bucket", KEYS, "version", SCALARS);

    static Arbitrary<String> anyBody() {
        Arbitrary<String> tokens = Arbitraries.of("{", "}", "[", "]", ",", ":", "\"", "\"version\"", "\"from\"", "\"to\"",
                "\"headers\"", "\"attachments\"", "\"raw\"", "\"s3\"", "1", "-1", "1e999", "0.5", "null", "true",
                "\"a@b.c\"", "\"billing@mailroom.test\"", "\"\\u0000\"", "\"\\r\\n\"", "\"\\ud800\"", " ", "\n",
                "\"x\"").list().ofMaxSize(40).map(list -> String.join("", list));
        return Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(200), tokens, mutatedJobs());
    }

    static Arbitrary<String> mutatedJobs() {
        Arbitrary<Mutation> mutation = Combinators.combine(
                Arbitraries.of(Kind.values()),
                Arbitraries.integers().between(0, 10_000),
                Arbitraries.integers().between(0, 10_000),
                Arbitraries.strings().all().ofMaxLength(30)).as(Mutation::new);
        return Combinators.combine(Arbitraries.of(STRUCTURED, STRUCTURED, STRUCTURED, RAW), mutation.list().ofMinSize(1).ofMaxSize(3))
                .as(JobMutations::mutate);
    }

    /** One value changed, to something odd but plausible: most of these are accepted, which is the point. */
    static Arbitrary<String> slightlyChangedJobs() {
        Arbitrary<Mutation> mutation = Combinators.combine(
                Arbitraries.of(Kind.TRICKY, Kind.TRICKY, Kind.UNICODE, Kind.DROP),
                Arbitraries.integers().between(0, 10_000),
                Arbitraries.integers().between(0, 10_000),
                Arbitraries.strings().all().ofMaxLength(30)).as(Mutation::new);
        return Combinators.combine(Arbitraries.of(STRUCTURED, STRUCTURED, STRUCTURED, RAW), mutation)
                .as((base, change) -> mutate(base, List.of(change)));
    }

    enum Kind { DROP, RETYPE, INJECT, INJECT_KEY, UNICODE, TRICKY }

    /** One change to a job: {@code slot} picks the node, {@code choice} the payload, {@code text} random Unicode. */
    record Mutation(Kind kind, int slot, int choice, String text) {
    }

    private static String mutate(String base, List<Mutation> mutations) {
        try {
            ObjectNode job = (ObjectNode) JSON.readTree(base);
            for (Mutation mutation : mutations) {
                apply(job, mutation);
            }
            return JSON.writeValueAsString(job);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A place in the tree: a field of an object or an element of an array; {@code name} is the
     * field's name, or for an element the name of its array.
     */
    private record Slot(JsonNode parent, String field, int index, String name) {
        JsonNode value() {
            return field != null ? parent.get(field) : parent.get(index);
        }

        void set(JsonNode value) {
            if (field != null) {
                ((ObjectNode) parent).set(field, value);
            } else {
                ((ArrayNode) parent).set(index, value);
            }
        }

        void remove() {
            if (field != null) {
                ((ObjectNode) parent).remove(field);
            } else {
                ((ArrayNode) parent).remove(index);
            }
        }
    }

    private static void apply(ObjectNode job, Mutation mutation) {
        List<Slot> slots = new ArrayList<>();
        collect(job, slots);
        if (EnumSet.of(Kind.INJECT, Kind.UNICODE, Kind.TRICKY).contains(mutation.kind())
                && slots.stream().anyMatch(s -> s.value().isTextual())) {
            slots.removeIf(s -> !s.value().isTextual());
        }
        if (slots.isEmpty()) {
            return;
        }
        Slot slot = slots.get(mutation.slot() % slots.size());
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        switch (mutation.kind()) {
            case DROP -> slot.remove();
            case RETYPE -> {
                List<JsonNode> others = List.of(nodes.numberNode(42), nodes.numberNode(1.5), nodes.booleanNode(true),
                        nodes.nullNode(), nodes.textNode(""), nodes.arrayNode(), nodes.objectNode(),
                        nodes.arrayNode().add("x"), nodes.objectNode().put("k", "v"), nodes.numberNode(new java.math.BigInteger("1" + "0".repeat(30))));
                slot.set(others.get(mutation.choice() % others.size()));
            }
            case INJECT -> {
                JsonNode value = slot.value();
                String text = value != null && value.isTextual() ? value.asText() : "x";
                String payload = INJECTIONS.get(mutation.choice() % INJECTIONS.size());
                int at = mutation.choice() % (text.length() + 1);
                slot.set(nodes.textNode(text.substring(0, at) + payload + text.substring(at)));
            }
            case INJECT_KEY -> {
                if (slot.field() != null) {
                    JsonNode value = slot.value();
                    String payload = mutation.choice() % 2 == 0 ? INJECTIONS.get(mutation.choice() % INJECTIONS.size())
                            : mutation.text();
                    slot.remove();
                    ((ObjectNode) slot.parent()).set(slot.field() + payload, value);
                }
            }
            case UNICODE -> slot.set(nodes.textNode(mutation.text()));
            case TRICKY -> {
                // A value known to be tricky for this field: addresses for addresses, MIME types for types...
                List<Object> pool = TRICKY.getOrDefault(slot.name(), TEXTS);
                slot.set(JSON.valueToTree(pool.get(mutation.choice() % pool.size())));
            }
            default -> throw new IllegalStateException(mutation.kind().name());
        }
    }

    private static void collect(JsonNode node, List<Slot> slots) {
        collect(node, "", slots);
    }

    private static void collect(JsonNode node, String name, List<Slot> slots) {
        if (node.isObject()) {
            for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
                String field = names.next();
                slots.add(new Slot(node, field, -1, field));
                collect(node.get(field), field, slots);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                slots.add(new Slot(node, null, i, name));
                collect(node.get(i), name, slots);
            }
        }
    }
}
