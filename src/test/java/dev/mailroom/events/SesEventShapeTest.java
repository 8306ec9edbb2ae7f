package dev.mailroom.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each event type's JSON against SES's example record of that type (test resources
 * {@code events/ses-examples/}, README there): both trees walked, every field SES's has is in ours
 * with the same JSON node type, and ours has no field SES's lacks but the documented {@code eventId}.
 * Arrays: SES's first element against each of ours. {@code mail.tags} is a map: only its values'
 * shape (arrays of strings) is compared.
 */
class SesEventShapeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Fields SES's table marks optional that Mailroom leaves out, each for the reason given. */
    private static final Map<String, String> ABSENT_BY_DESIGN = Map.of(
            // SES: "may be absent in the report"; the feedback parser does not keep Arrival-Date.
            "complaint.arrivalDate", "not kept by the ARF reader");

    private static final Set<String> OURS_ONLY = Set.of("eventId");

    @ParameterizedTest
    @ValueSource(strings = {"send", "delivery", "delivery-delay", "bounce", "complaint", "reject", "subscription"})
    void eachEventShouldHaveSesFieldNamesAndJsonTypes(String type) throws IOException {
        // Given SES's example record and Mailroom's event of the same type
        JsonNode ses = example(type);
        JsonNode ours = JSON.readTree(EventJson.write(EventFixtures.everyType().get(type)));

        // When both trees are walked
        List<String> problems = new ArrayList<>();
        sesFieldsInOurs(ses, ours, "", problems);
        oursFieldsInSes(ses, ours, "", problems);

        // Then nothing differs
        assertThat(problems).as(type + ": " + ours.toPrettyString()).isEmpty();
        assertThat(ours.get("eventType").asText()).isEqualTo(ses.get("eventType").asText());
    }

    @org.junit.jupiter.api.Test
    void theWalkShouldCatchAMissingFieldAWrongTypeAndAnInventedOne() throws IOException {
        // Given SES's Delivery example, and a copy with a field renamed and a number written as a string
        JsonNode ses = example("delivery");
        var broken = (com.fasterxml.jackson.databind.node.ObjectNode) ses.deepCopy();
        var delivery = (com.fasterxml.jackson.databind.node.ObjectNode) broken.get("delivery");
        delivery.put("processingTimeMillis", "11893");
        delivery.set("smtpReply", delivery.remove("smtpResponse"));

        // When walked
        List<String> problems = new ArrayList<>();
        sesFieldsInOurs(ses, broken, "", problems);
        oursFieldsInSes(ses, broken, "", problems);

        // Then all three are named
        assertThat(problems).containsExactlyInAnyOrder("delivery.processingTimeMillis: SES has NUMBER, ours STRING",
                "delivery.smtpResponse: missing", "delivery.smtpReply: not a field of SES's delivery");
    }

    private static void sesFieldsInOurs(JsonNode ses, JsonNode ours, String path, List<String> problems) {
        if (ses.getNodeType() != ours.getNodeType()) {
            problems.add(path + ": SES has " + ses.getNodeType() + ", ours " + ours.getNodeType());
            return;
        }
        if (path.equals("mail.tags")) {
            ours.forEach(values -> {
                if (!values.isArray() || values.isEmpty() || !values.get(0).isTextual()) {
                    problems.add(path + ": a tag's values must be an array of strings: " + values);
                }
            });
            return;
        }
        if (ses.isObject()) {
            ses.fieldNames().forEachRemaining(name -> {
                String at = path.isEmpty() ? name : path + "." + name;
                if (ours.has(name)) {
                    sesFieldsInOurs(ses.get(name), ours.get(name), at, problems);
                } else if (!ABSENT_BY_DESIGN.containsKey(at)) {
                    problems.add(at + ": missing");
                }
            });
        } else if (ses.isArray() && !ses.isEmpty()) {
            for (JsonNode element : ours) {
                sesFieldsInOurs(ses.get(0), element, path + "[]", problems);
            }
        }
    }

    private static void oursFieldsInSes(JsonNode ses, JsonNode ours, String path, List<String> problems) {
        if (path.equals("mail.tags") || ses.getNodeType() != ours.getNodeType()) {
            return;
        }
        if (ours.isObject()) {
            ours.fieldNames().forEachRemaining(name -> {
                String at = path.isEmpty() ? name : path + "." + name;
                if (ses.has(name)) {
                    oursFieldsInSes(ses.get(name), ours.get(name), at, problems);
                } else if (!(path.isEmpty() && OURS_ONLY.contains(name)) && !SES_MAIL_FIELDS.contains(at)) {
                    problems.add(at + ": not a field of SES's " + path);
                }
            });
        } else if (ours.isArray() && !ses.isEmpty()) {
            for (JsonNode element : ours) {
                oursFieldsInSes(ses.get(0), element, path + "[]", problems);
            }
        }
    }

    /**
     * The mail fields SES's other examples have: the DeliveryDelay example's {@code mail} shows no
     * headers, which every other example's does.
     */
    private static final Set<String> SES_MAIL_FIELDS = Set.of("mail.headers", "mail.commonHeaders");

    static JsonNode example(String type) throws IOException {
        try (InputStream in = SesEventShapeTest.class.getResourceAsStream("/events/ses-examples/" + type + ".json")) {
            return JSON.readTree(in);
        }
    }
}
