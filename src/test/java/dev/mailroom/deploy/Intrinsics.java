package dev.mailroom.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CloudFormation intrinsic functions, conditions and rules that template.yaml uses, evaluated
 * over one parsed template and one set of parameter values (each parameter's {@code Default} unless
 * overridden). What a deployed stack would only know is written as a placeholder: a {@code Ref} to
 * a resource becomes {@code {Ref:Id}} (a queue's becomes its URL, {@code https://sqs.us-east-1.amazonaws.com/123456789012/Id}),
 * a {@code Fn::GetAtt} becomes {@code {Id.Attribute}} (a function URL's {@code FunctionUrl}
 * becomes {@code https://<id>.lambda-url.us-east-1.on.aws/}), and
 * {@code AWS::NoValue} drops the property it stands in. Anything else the template may start using
 * fails the test that meets it, naming the function ({@code SamTemplateTest} pins each one).
 */
final class Intrinsics {

    private static final JsonNode NO_VALUE = MissingNode.getInstance();
    private static final Map<String, String> PSEUDO = Map.of("AWS::Region", "us-east-1",
            "AWS::AccountId", "123456789012", "AWS::Partition", "aws", "AWS::StackName", "mailroom");
    /** What a {@code Ref} to a queue gives, before the queue's logical id (in place of its name). */
    static final String QUEUE_URL_PREFIX = "https://sqs.us-east-1.amazonaws.com/123456789012/";
    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^}!]+)}");

    private final JsonNode root;
    private final Map<String, String> parameters = new LinkedHashMap<>();

    /** @param overrides parameter values in place of the defaults; each must be a parameter of the template */
    Intrinsics(JsonNode root, Map<String, String> overrides) {
        this.root = root;
        root.path("Parameters").fields().forEachRemaining(p -> {
            if (p.getValue().has("Default")) {
                parameters.put(p.getKey(), p.getValue().get("Default").asText());
            }
        });
        overrides.forEach((name, value) -> {
            assertThat(root.path("Parameters").has(name)).as("template parameter %s", name).isTrue();
            parameters.put(name, value);
        });
    }

    /** The node with every intrinsic function in it evaluated. */
    JsonNode resolve(JsonNode node) {
        if (node.isObject() && node.size() == 1) {
            String key = node.fieldNames().next();
            if (key.equals("Ref") || key.startsWith("Fn::")) {
                return intrinsic(key, node.get(key));
            }
        }
        if (node.isObject()) {
            ObjectNode resolved = JsonNodeFactory.instance.objectNode();
            node.fields().forEachRemaining(field -> {
                JsonNode value = resolve(field.getValue());
                if (!value.isMissingNode()) {
                    resolved.set(field.getKey(), value);
                }
            });
            return resolved;
        }
        if (node.isArray()) {
            ArrayNode resolved = JsonNodeFactory.instance.arrayNode();
            node.forEach(element -> {
                JsonNode value = resolve(element);
                if (!value.isMissingNode()) {
                    resolved.add(value);
                }
            });
            return resolved;
        }
        return node;
    }

    private JsonNode intrinsic(String function, JsonNode argument) {
        return switch (function) {
            case "Ref" -> ref(argument.asText());
            case "Fn::GetAtt" -> getAtt(argument.isArray() ? argument.get(0).asText() + "." + argument.get(1).asText()
                    : argument.asText());
            case "Fn::Sub" -> TextNode.valueOf(sub(argument));
            case "Fn::If" -> resolve(condition(argument.get(0).asText()) ? argument.get(1) : argument.get(2));
            case "Fn::FindInMap" -> findInMap(resolve(argument));
            case "Fn::Split" -> split(argument.get(0).asText(), resolve(argument.get(1)).asText());
            case "Fn::Join" -> TextNode.valueOf(join(argument.get(0).asText(), resolve(argument.get(1))));
            default -> throw new AssertionError("deploy/Intrinsics cannot evaluate " + function + " yet");
        };
    }

    private JsonNode ref(String name) {
        if (name.equals("AWS::NoValue")) {
            return NO_VALUE;
        }
        if (PSEUDO.containsKey(name)) {
            return TextNode.valueOf(PSEUDO.get(name));
        }
        if (root.path("Parameters").has(name)) {
            assertThat(parameters).as("parameter %s has no default and no value in this test", name).containsKey(name);
            return TextNode.valueOf(parameters.get(name));
        }
        assertThat(root.path("Resources").has(name)).as("Ref to unknown %s", name).isTrue();
        if (root.path("Resources").path(name).path("Type").asText().equals("AWS::SQS::Queue")) {
            // A queue URL's shape, so that configuration checking it (EventsConfig: http or https) sees one.
            return TextNode.valueOf(QUEUE_URL_PREFIX + name);
        }
        return TextNode.valueOf("{Ref:" + name + "}");
    }

    private JsonNode getAtt(String resourceAndAttribute) {
        String resource = resourceAndAttribute.substring(0, resourceAndAttribute.indexOf('.'));
        assertThat(root.path("Resources").has(resource)).as("Fn::GetAtt on unknown %s", resource).isTrue();
        if (resourceAndAttribute.equals(resource + ".FunctionUrl")
                && root.path("Resources").path(resource).path("Type").asText().equals("AWS::Lambda::Url")) {
            // A function URL's shape, so that configuration checking it (https, a host) sees one.
            return TextNode.valueOf("https://" + resource.toLowerCase(java.util.Locale.ROOT) + ".lambda-url."
                    + PSEUDO.get("AWS::Region") + ".on.aws/");
        }
        return TextNode.valueOf("{" + resourceAndAttribute + "}");
    }

    private String sub(JsonNode argument) {
        String text = argument.isArray() ? argument.get(0).asText() : argument.asText();
        JsonNode variables = argument.isArray() ? resolve(argument.get(1)) : JsonNodeFactory.instance.objectNode();
        Matcher matcher = SUB_VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String name = matcher.group(1);
            String value = variables.has(name) ? variables.get(name).asText()
                    : name.contains(".") && !name.startsWith("AWS::") ? getAtt(name).asText() : ref(name).asText();
            matcher.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        return matcher.appendTail(out).toString();
    }

    private JsonNode findInMap(JsonNode keys) {
        JsonNode value = root.path("Mappings").path(keys.get(0).asText()).path(keys.get(1).asText()).path(keys.get(2).asText());
        assertThat(value.isMissingNode()).as("Fn::FindInMap %s", keys).isFalse();
        return value;
    }

    private static JsonNode split(String delimiter, String text) {
        ArrayNode parts = JsonNodeFactory.instance.arrayNode();
        Arrays.stream(text.split(Pattern.quote(delimiter), -1)).forEach(parts::add);
        return parts;
    }

    private static String join(String delimiter, JsonNode values) {
        List<String> parts = new ArrayList<>();
        values.forEach(value -> parts.add(value.asText()));
        return String.join(delimiter, parts);
    }

    /** The AssertDescription of every rule whose condition holds and whose assertion fails. */
    List<String> brokenRules() {
        List<String> broken = new ArrayList<>();
        root.path("Rules").fields().forEachRemaining(rule -> {
            JsonNode when = rule.getValue().path("RuleCondition");
            if (when.isMissingNode() || evaluate(when)) {
                rule.getValue().path("Assertions").forEach(assertion -> {
                    if (!evaluate(assertion.path("Assert"))) {
                        broken.add(rule.getKey() + ": " + assertion.path("AssertDescription").asText());
                    }
                });
            }
        });
        return broken;
    }

    /** The value of one of the template's Conditions. */
    boolean condition(String name) {
        JsonNode definition = root.path("Conditions").path(name);
        assertThat(definition.isMissingNode()).as("condition %s", name).isFalse();
        return evaluate(definition);
    }

    private boolean evaluate(JsonNode node) {
        String function = node.fieldNames().next();
        JsonNode argument = node.get(function);
        return switch (function) {
            case "Condition" -> condition(argument.asText());
            case "Fn::Equals" -> resolve(argument.get(0)).asText().equals(resolve(argument.get(1)).asText());
            case "Fn::Not" -> !evaluate(argument.get(0));
            case "Fn::And" -> asList(argument).stream().allMatch(this::evaluate);
            case "Fn::Or" -> asList(argument).stream().anyMatch(this::evaluate);
            default -> throw new AssertionError("deploy/Intrinsics cannot evaluate condition " + function);
        };
    }

    /** A node that may be one value or a list of them (as IAM's Action and Resource may), as a list. */
    static List<JsonNode> asList(JsonNode node) {
        List<JsonNode> list = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(list::add);
        } else if (!node.isMissingNode()) {
            list.add(node);
        }
        return list;
    }
}
