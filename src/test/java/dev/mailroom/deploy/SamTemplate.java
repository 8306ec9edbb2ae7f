package dev.mailroom.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.mailroom.config.MailroomConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * template.yaml under one set of parameter values, with just enough of CloudFormation's intrinsic
 * functions ({@link Intrinsics}) and SAM's Globals to read what a function gets: its properties,
 * environment, configuration, SQS event source and the grants of its role.
 *
 * <p>The template is read as plain YAML (it uses long-form intrinsics only; {@code SamTemplateTest}
 * keeps it so) and evaluated under a few parameter sets ({@link #SCENARIOS}): a {@code Ref} to a
 * resource becomes {@code {Ref:Id}}, a {@code Fn::GetAtt} becomes {@code {Id.Attribute}}.
 */
final class SamTemplate {

    static final Path TEMPLATE = Path.of("template.yaml");

    /** Parameter sets the template must work under: one per deployable shape. */
    static final Map<String, Map<String, String>> SCENARIOS = Map.of(
            "mx in a VPC", Map.of("AllowedSenderDomains", "example.com", "HeloName", "mail.example.com",
                    "VpcSubnetIds", "subnet-0a,subnet-0b", "VpcSecurityGroupIds", "sg-0c",
                    "KeysSecretArn", "arn:aws:secretsmanager:us-east-1:123456789012:secret:mailroom-keys-AbCdEf",
                    "UnsubscribeEndpoint", "enabled", "BounceDomain", "bounces.example.com",
                    "EventBusName", "orders-mail"),
            "relay with a secret", Map.of("AllowedSenderDomains", "example.com", "HeloName", "mail.example.com",
                    "DeliveryMode", "relay", "RelayHost", "email-smtp.us-east-1.amazonaws.com", "RelayPort", "465",
                    "RelaySecretArn", "arn:aws:secretsmanager:us-east-1:123456789012:secret:mailroom-relay-AbCdEf",
                    "DkimMissingKey", "unsigned"),
            "relay on the default bus", Map.of("AllowedSenderDomains", "example.com", "HeloName", "mail.example.com",
                    "DeliveryMode", "relay", "RelayHost", "email-smtp.us-east-1.amazonaws.com",
                    "DkimMissingKey", "unsigned", "EventBusName", "default"));

    /** The account's default bus, as the template names it under the tests' pseudo parameters. */
    static final String DEFAULT_BUS_ARN = "arn:aws:events:us-east-1:123456789012:event-bus/default";

    /** {@code @MethodSource} of the tests run once per scenario: the names of {@link #SCENARIOS}, sorted. */
    static final String SCENARIO_NAMES = "dev.mailroom.deploy.SamTemplate#scenarios";

    /** The template's functions, with the event their handler takes. */
    enum Lambda {
        SEND("SendFunction", SQSEvent.class), DEAD_LETTER("DeadLetterFunction", SQSEvent.class),
        /** Behind a function URL (payload format 2.0), deployed when UnsubscribeEndpoint is enabled. */
        UNSUBSCRIBE("UnsubscribeFunction", APIGatewayV2HTTPEvent.class),
        /** Fed by S3 (SES receiving stores mail there), deployed with a BounceDomain. */
        BOUNCE("BounceFunction", S3Event.class),
        /** On a schedule (an EventBridge rule): publishes the events ledger items still hold. */
        EVENT_SWEEP("EventSweepFunction", ScheduledEvent.class);

        final String logicalId;
        final Class<?> event;

        Lambda(String logicalId, Class<?> event) {
            this.logicalId = logicalId;
            this.event = event;
        }

        /** Whether an SQS event source feeds it. */
        boolean onQueue() {
            return event == SQSEvent.class;
        }

        static List<Lambda> onQueues() {
            return Arrays.stream(values()).filter(Lambda::onQueue).toList();
        }
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern REF = Pattern.compile("\\{Ref:(\\w+)}");
    private static final Pattern QUEUE_URL = Pattern.compile(Pattern.quote(Intrinsics.QUEUE_URL_PREFIX) + "(\\w+)");

    /** Parsed once per test JVM; every SamTemplate only reads it. */
    private static final JsonNode PARSED = parse();

    final JsonNode root;
    private final Intrinsics intrinsics;

    private SamTemplate(JsonNode root, Map<String, String> overrides) {
        this.root = root;
        this.intrinsics = new Intrinsics(root, overrides);
    }

    /** template.yaml with these parameter values; the others keep their defaults. */
    static SamTemplate load(Map<String, String> overrides) {
        return new SamTemplate(PARSED, overrides);
    }

    /** Another template, given as YAML text: for the evaluator's own tests. */
    static SamTemplate of(String yaml, Map<String, String> overrides) throws JsonProcessingException {
        return new SamTemplate(YAML.readTree(yaml), overrides);
    }

    /** The names of {@link #SCENARIOS}, sorted ({@link #SCENARIO_NAMES}). */
    static Stream<String> scenarios() {
        return SCENARIOS.keySet().stream().sorted();
    }

    private static JsonNode parse() {
        try {
            return YAML.readTree(TEMPLATE.toFile());
        } catch (IOException e) {
            throw new AssertionError("cannot read " + TEMPLATE.toAbsolutePath(), e);
        }
    }

    /** The functions these parameters deploy (a resource's Condition holds); each one a {@link Lambda}. */
    List<String> functions() {
        List<String> all = new ArrayList<>();
        List<String> deployed = new ArrayList<>();
        root.path("Resources").fields().forEachRemaining(r -> {
            if (r.getValue().path("Type").asText().equals("AWS::Serverless::Function")) {
                all.add(r.getKey());
                if (deployed(r.getKey())) {
                    deployed.add(r.getKey());
                }
            }
        });
        assertThat(all).as("template functions").containsExactlyInAnyOrder(
                Arrays.stream(Lambda.values()).map(l -> l.logicalId).toArray(String[]::new));
        return deployed;
    }

    /** Whether these parameters deploy the resource: it has no Condition, or its Condition holds. */
    boolean deployed(String logicalId) {
        JsonNode condition = root.path("Resources").path(logicalId).path("Condition");
        return condition.isMissingNode() || intrinsics.condition(condition.asText());
    }

    /** The {@link Lambda}s these parameters deploy. */
    List<Lambda> lambdas() {
        return Arrays.stream(Lambda.values()).filter(lambda -> deployed(lambda.logicalId)).toList();
    }

    JsonNode properties(String logicalId) {
        JsonNode resource = root.path("Resources").path(logicalId);
        assertThat(resource.isObject()).as("resource %s in template.yaml", logicalId).isTrue();
        return intrinsics.resolve(resource.path("Properties"));
    }

    /** A function's own property, else the one Globals gives every function; not evaluated. */
    JsonNode rawFunctionProperty(String function, String name) {
        JsonNode own = root.path("Resources").path(function).path("Properties").path(name);
        return own.isMissingNode() ? root.path("Globals").path("Function").path(name) : own;
    }

    JsonNode functionProperty(String function, String name) {
        return intrinsics.resolve(rawFunctionProperty(function, name));
    }

    /** Globals' variables, then the function's own (which win). */
    Map<String, String> environment(String function) {
        Map<String, String> env = new LinkedHashMap<>();
        Stream.of(root.path("Globals").path("Function"), root.path("Resources").path(function).path("Properties"))
                .map(node -> intrinsics.resolve(node.path("Environment").path("Variables")))
                .forEach(variables -> variables.fields().forEachRemaining(v -> env.put(v.getKey(), v.getValue().asText())));
        return env;
    }

    MailroomConfig config(String function) {
        try {
            return MailroomConfig.from(environment(function));
        } catch (RuntimeException e) {
            throw new AssertionError(function + " would fail at cold start: " + e.getMessage(), e);
        }
    }

    JsonNode sqsEvent(String function) {
        List<JsonNode> events = new ArrayList<>();
        functionProperty(function, "Events").forEach(event -> {
            if (event.path("Type").asText().equals("SQS")) {
                events.add(event.path("Properties"));
            }
        });
        assertThat(events).as("%s SQS events", function).hasSize(1);
        return events.get(0);
    }

    boolean hasSqsEvent(String function) {
        List<JsonNode> events = new ArrayList<>();
        functionProperty(function, "Events").forEach(events::add);
        return events.stream().anyMatch(event -> event.path("Type").asText().equals("SQS"));
    }

    String eventQueueArn(String function) {
        return sqsEvent(function).path("Queue").asText();
    }

    /** Every "action on resource" the function's role allows. */
    Set<String> grants(String function) {
        JsonNode role = properties(logicalIdOfRole(function));
        assertThat(role.path("ManagedPolicyArns")).as("%s role: managed policies grant on \"*\"", function).isEmpty();
        Set<String> grants = new TreeSet<>();
        for (JsonNode policy : role.path("Policies")) {
            for (JsonNode statement : Intrinsics.asList(policy.path("PolicyDocument").path("Statement"))) {
                if (statement.path("Effect").asText().equals("Allow")) {
                    for (JsonNode action : Intrinsics.asList(statement.path("Action"))) {
                        Intrinsics.asList(statement.path("Resource"))
                                .forEach(resource -> grants.add(grant(action.asText(), resource.asText())));
                    }
                }
            }
        }
        return grants;
    }

    /**
     * What Lambda itself needs: polling the event queue, writing the log group, attaching to the VPC,
     * sending an asynchronous invocation's record to its SQS destination (with the function's role).
     */
    Set<String> platformGrants(String function) {
        Set<String> grants = new TreeSet<>();
        if (hasSqsEvent(function)) {
            String queue = eventQueueArn(function);
            Stream.of("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")
                    .forEach(a -> grants.add(grant(a, queue)));
        }
        functionProperty(function, "EventInvokeConfig").path("DestinationConfig").forEach(destination -> {
            assertThat(destination.path("Type").asText()).as("%s EventInvokeConfig destination type", function)
                    .isEqualTo("SQS");
            grants.add(grant("sqs:SendMessage", destination.path("Destination").asText()));
        });
        String logGroup = functionProperty(function, "LoggingConfig").path("LogGroup").asText();
        Matcher ref = REF.matcher(logGroup);
        assertThat(ref.matches()).as("%s LoggingConfig.LogGroup should Ref a log group of the template", function).isTrue();
        Stream.of("logs:CreateLogStream", "logs:PutLogEvents").forEach(a -> grants.add(grant(a, "{" + ref.group(1) + ".Arn}")));
        if (!functionProperty(function, "VpcConfig").isMissingNode()) {
            Stream.of("ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets",
                    "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses")
                    .forEach(a -> grants.add(grant(a, "*")));
        }
        return grants;
    }

    private String logicalIdOfRole(String function) {
        String role = functionProperty(function, "Role").asText();
        assertThat(role).as("%s Role: an explicit role of the template (SAM's own attaches "
                + "AWSLambdaSQSQueueExecutionRole, which allows every queue)", function).matches("\\{\\w+\\.Arn}");
        return logicalIdOf(role);
    }

    /**
     * The ARN of the bus MAILROOM_EVENT_BUS names: the account's default bus, or the deployed
     * AWS::Events::EventBus of that name ({@code {Id.Arn}}); a bus the template neither is nor names fails.
     */
    String eventBusArn(String bus) {
        if (bus.equals("default")) {
            return DEFAULT_BUS_ARN;
        }
        List<String> named = resourcesOfType("AWS::Events::EventBus").stream()
                .filter(id -> properties(id).path("Name").asText().equals(bus)).map(id -> "{" + id + ".Arn}").toList();
        assertThat(named).as("MAILROOM_EVENT_BUS %s: the default bus or one bus the template creates", bus).hasSize(1);
        return named.get(0);
    }

    /** The logical ids of the deployed resources of a type. */
    List<String> resourcesOfType(String type) {
        List<String> ids = new ArrayList<>();
        root.path("Resources").fields().forEachRemaining(r -> {
            if (r.getValue().path("Type").asText().equals(type) && deployed(r.getKey())) {
                ids.add(r.getKey());
            }
        });
        return ids;
    }

    /** The AssertDescription of every rule whose condition holds and whose assertion fails. */
    List<String> brokenRules() {
        return intrinsics.brokenRules();
    }

    /** The value of one of the template's Conditions under these parameters. */
    boolean condition(String name) {
        return intrinsics.condition(name);
    }

    static String grant(String action, String resource) {
        return action + " on " + resource;
    }

    /** The resource a variable names, which must be a Ref to one of the template's resources (a queue's: its URL). */
    static String logicalIdOf(String variable, String value) {
        Matcher ref = REF.matcher(value);
        if (ref.matches()) {
            return ref.group(1);
        }
        Matcher queue = QUEUE_URL.matcher(value);
        if (!queue.matches()) {
            fail("%s should Ref a resource of the template, was '%s'", variable, value);
        }
        return queue.group(1);
    }

    static String logicalIdOf(String arn) {
        Matcher getAtt = Pattern.compile("\\{(\\w+)\\.Arn}").matcher(arn);
        if (!getAtt.matches()) {
            fail("expected a Fn::GetAtt [Resource, Arn], was '%s'", arn);
        }
        return getAtt.group(1);
    }

    /** The ARN of the resource a variable names. */
    static String arnOf(String variable, String value) {
        return "{" + logicalIdOf(variable, value) + ".Arn}";
    }
}
