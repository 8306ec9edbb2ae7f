package dev.mailroom.ledger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/** Accumulates an UpdateItem's SET/REMOVE/ADD clauses with their placeholder names and values. */
final class UpdateBuilder {

    /** An attribute name placeholder in a condition: {@code #leaseUntil}. */
    private static final Pattern ATTRIBUTE = Pattern.compile("#(\\w+)");

    /** DynamoDB's limit on any expression string, an UpdateExpression's too: 4 KB, in bytes as sent. */
    static final int MAX_EXPRESSION = 4096;

    private final List<String> sets = new ArrayList<>();
    private final List<String> removes = new ArrayList<>();
    private final List<String> adds = new ArrayList<>();
    private final List<String> deletes = new ArrayList<>();
    private final Map<String, String> names = new HashMap<>();
    private final Map<String, AttributeValue> values = new HashMap<>();
    private String condition;
    private ReturnValue returning = ReturnValue.ALL_NEW;
    private int counter;

    /** {@code SET name = :value}; {@code name} may be a path of placeholders built with {@link #name}. */
    UpdateBuilder set(String attribute, AttributeValue value) {
        sets.add(name(attribute) + " = " + value(value));
        return this;
    }

    UpdateBuilder setIfAbsent(String attribute, AttributeValue value) {
        String name = name(attribute);
        sets.add(name + " = if_not_exists(" + name + ", " + value(value) + ")");
        return this;
    }

    /** {@code SET recipients.#addr = :value}: one entry of a map attribute. */
    UpdateBuilder setEntry(String mapAttribute, String key, AttributeValue value) {
        sets.add(name(mapAttribute) + "." + placeholderFor(key) + " = " + value(value));
        return this;
    }

    /** {@code SET #k = :value} for a top-level attribute whose name is not a word ({@code events:<key>}). */
    UpdateBuilder setNamed(String attribute, AttributeValue value) {
        sets.add(placeholderFor(attribute) + " = " + value(value));
        return this;
    }

    /** {@code REMOVE #k} for a top-level attribute whose name is not a word. */
    UpdateBuilder removeNamed(String attribute) {
        removes.add(placeholderFor(attribute));
        return this;
    }

    /** {@code DELETE name :set}: these elements out of a set attribute (which goes once empty). */
    UpdateBuilder delete(String attribute, AttributeValue elements) {
        deletes.add(name(attribute) + " " + value(elements));
        return this;
    }

    UpdateBuilder remove(String attribute) {
        removes.add(name(attribute));
        return this;
    }

    UpdateBuilder add(String attribute, AttributeValue value) {
        adds.add(name(attribute) + " " + value(value));
        return this;
    }

    /**
     * The write's condition, written as one literal: each {@code #attribute} in it names the attribute
     * so called, each {@code :name} is bound to its value in {@code values} (names of words, so that
     * they never meet the {@code :v0}, {@code :v1}… of the update's own values).
     */
    UpdateBuilder condition(String expression, Map<String, AttributeValue> values) {
        Matcher attributes = ATTRIBUTE.matcher(expression);
        while (attributes.find()) {
            name(attributes.group(1));
        }
        values.forEach((placeholder, value) -> {
            if (this.values.putIfAbsent(placeholder, value) != null) {
                throw new IllegalArgumentException("value placeholder " + placeholder + " is taken");
            }
        });
        this.condition = expression;
        return this;
    }

    /** What the write returns: the whole item after it (the default), or less. */
    UpdateBuilder returning(ReturnValue values) {
        this.returning = values;
        return this;
    }

    /** Binds a condition's placeholder to a name that is not a word: {@code #recipient} → an address. */
    UpdateBuilder nameAs(String placeholder, String name) {
        names.put(placeholder, name);
        return this;
    }

    /** The placeholder for an attribute name ({@code #status}). */
    String name(String attribute) {
        String placeholder = "#" + attribute;
        names.put(placeholder, attribute);
        return placeholder;
    }

    /** The placeholder for a value ({@code :v3}). */
    String value(AttributeValue value) {
        String placeholder = ":v" + counter++;
        values.put(placeholder, value);
        return placeholder;
    }

    private String placeholderFor(String key) {
        String placeholder = "#k" + counter++;
        names.put(placeholder, key);
        return placeholder;
    }

    String expression() {
        StringBuilder expression = new StringBuilder();
        if (!sets.isEmpty()) {
            expression.append("SET ").append(String.join(", ", sets));
        }
        if (!removes.isEmpty()) {
            expression.append(" REMOVE ").append(String.join(", ", removes));
        }
        if (!adds.isEmpty()) {
            expression.append(" ADD ").append(String.join(", ", adds));
        }
        if (!deletes.isEmpty()) {
            expression.append(" DELETE ").append(String.join(", ", deletes));
        }
        return expression.toString().strip();
    }

    UpdateItemRequest build(String table, String jobId) {
        String expression = expression();
        int bytes = expression.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > MAX_EXPRESSION) {
            // DynamoDB refuses it (ValidationException, not worth a retry; dynalite takes it): say so before sending.
            throw new IllegalStateException("an UpdateExpression of " + bytes + " bytes for job " + jobId
                    + " (DynamoDB takes " + MAX_EXPRESSION + ")");
        }
        return UpdateItemRequest.builder()
                .tableName(table)
                .key(Map.of(LedgerItems.JOB_ID, LedgerItems.s(jobId)))
                .updateExpression(expression)
                .conditionExpression(condition)
                .expressionAttributeNames(names)
                .expressionAttributeValues(values.isEmpty() ? null : values)
                .returnValues(returning)
                .build();
    }
}
