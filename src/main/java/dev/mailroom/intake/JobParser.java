package dev.mailroom.intake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.mailroom.job.SendJob;
import java.util.stream.Collectors;

/**
 * JSON → {@link SendJob}, contract v1. Strict: unknown fields are errors (a misspelt {@code "bcc"}
 * must not silently drop recipients), types must match, and every error names the field by its
 * JSON path. Error messages never quote the input.
 */
final class JobParser {

    private static final int MAX_STRING_CHARS = 1_500_000;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            // Two "from" keys: a gateway reading the first and Mailroom the last would disagree.
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
            .build();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxStringLength(MAX_STRING_CHARS).build());
        // No scalar coercion: "version":"1", "subject":42 or "text":true are type errors, not guesses.
        JSON.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        JSON.coercionConfigFor(LogicalType.Integer)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    }

    static ObjectMapper mapper() {
        return JSON;
    }

    SendJob parse(String body) {
        if (body == null || body.isBlank()) {
            throw new JobRejectedException("body", "is empty");
        }
        JsonNode tree;
        try {
            // Syntax first, so that a truncated body reads as "not valid JSON", not as a type error.
            tree = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new JobRejectedException("body", "not valid JSON" + (e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")"));
        }
        if (tree == null || !tree.isObject()) {
            throw new JobRejectedException("body", "must be a JSON object");
        }
        try {
            return JSON.treeToValue(tree, SendJob.class);
        } catch (UnrecognizedPropertyException e) {
            throw new JobRejectedException(path(e), "unknown field");
        } catch (JsonMappingException e) {
            String path = path(e);
            return rethrow(path.isEmpty() ? "body" : path, e);
        } catch (JsonProcessingException e) {
            throw new JobRejectedException("body", "not valid JSON");
        }
    }

    private static SendJob rethrow(String field, JsonMappingException e) {
        if (e.getCause() instanceof JobRejectedException rejected) {
            throw rejected;
        }
        if (e.getCause() instanceof IllegalArgumentException || e.getCause() instanceof NullPointerException) {
            throw new JobRejectedException(field, "is missing or invalid");
        }
        throw new JobRejectedException(field, "has the wrong type or format");
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? "." + ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining())
                .replaceFirst("^\\.", "");
    }
}
