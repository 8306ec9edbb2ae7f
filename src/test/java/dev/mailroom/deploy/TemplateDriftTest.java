package dev.mailroom.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.mailroom.config.MailroomConfig;
import dev.mailroom.handler.SendHandler;
import dev.mailroom.intake.IntakeResult;
import dev.mailroom.intake.JobIntake;
import dev.mailroom.intake.JobLimits;
import dev.mailroom.intake.SenderPolicy;
import dev.mailroom.retry.DeadLetters;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Keeps template.yaml honest about the code it deploys: handlers that exist, the environment
 * MailroomConfig reads, an IAM grant for every AWS call the functions make (and nothing more),
 * queue limits that fit the retry policy, and sample events the real intake accepts.
 *
 * <p>The template is read as plain YAML (it uses long-form intrinsics only) and evaluated under a
 * few parameter sets by a small intrinsic resolver: a {@code Ref} to a resource becomes
 * {@code {Ref:Id}}, a {@code Fn::GetAtt} becomes {@code {Id.Attribute}}.
 */
class TemplateDriftTest {

    private static final Path TEMPLATE = Path.of("template.yaml");
    private static final Path EVENTS = Path.of("events");
    private static final Path SOURCES = Path.of("src/main/java/dev/mailroom");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Lambda's longest timeout, and AWS's guidance for an SQS event source's visibility timeout. */
    private static final int LAMBDA_MAX_TIMEOUT_SECONDS = 900;
    private static final int VISIBILITY_PER_TIMEOUT = 6;
    private static final int SQS_MAX_MESSAGE_BYTES = 1_048_576;

    /** Parameter sets the template must work under: one per deployable shape. */
    private static final Map<String, Map<String, String>> SCENARIOS = Map.of(
            "mx in a VPC", Map.of("AllowedSenderDomains", "example.com", "HeloName", "mail.example.com",
                    "VpcSubnetIds", "subnet-0a,subnet-0b", "VpcSecurityGroupIds", "sg-0c"),
            "relay with a secret", Map.of("AllowedSenderDomains", "example.com", "HeloName", "mail.example.com",
                    "DeliveryMode", "relay", "RelayHost", "email-smtp.us-east-1.amazonaws.com", "RelayPort", "465",
                    "RelaySecretArn", "arn:aws:secretsmanager:us-east-1:123456789012:secret:mailroom-relay-AbCdEf"));

    private enum Lambda {
        SEND("SendFunction"), DEAD_LETTER("DeadLetterFunction");

        final String logicalId;

        Lambda(String logicalId) {
            this.logicalId = logicalId;
        }
    }

    /** What an AWS call touches, found from the configuration the function runs with. */
    private enum Target {
        SEND_QUEUE(config -> List.of(arnOf("MAILROOM_QUEUE_URL", config.queueUrl()))),
        DEAD_LETTER_QUEUE(config -> List.of(arnOf("MAILROOM_DLQ_URL", config.deadLetterQueueUrl()))),
        LEDGER(config -> List.of(arnOf("MAILROOM_TABLE", config.table()))),
        ATTACHMENT_OBJECTS(config -> config.attachmentBuckets().stream()
                .map(bucket -> arnOf("MAILROOM_ATTACHMENT_BUCKETS", bucket) + "/*").toList()),
        ARCHIVED_DEAD_LETTERS(config -> List.of(
                arnOf("MAILROOM_ARCHIVE_BUCKET", config.archiveBucket()) + "/" + config.archivePrefix() + "*")),
        RELAY_SECRET(config -> config.relaySecretArn() == null ? List.of() : List.of(config.relaySecretArn()));

        final Function<MailroomConfig, List<String>> resources;

        Target(Function<MailroomConfig, List<String>> resources) {
            this.resources = resources;
        }
    }

    /** One AWS SDK call in src/main: the grant it needs and the functions that make it, or why none does. */
    private record CallSite(String file, String operation, String action, Target target, Set<Lambda> callers,
                            String outsideLambda) {

        static CallSite needs(String file, String operation, String action, Target target, Lambda... callers) {
            return new CallSite(file, operation, action, target, Set.of(callers), null);
        }

        static CallSite outsideLambda(String file, String operation, String why) {
            return new CallSite(file, operation, null, null, Set.of(), why);
        }
    }

    /** Read from the code: which handler reaches which call (paths relative to dev/mailroom). */
    private static final List<CallSite> CALL_SITES = List.of(
            // Both handlers wire Mailroom at cold start; it reads the relay secret when one is configured.
            CallSite.needs("config/Mailroom.java", "getSecretValue", "secretsmanager:GetSecretValue",
                    Target.RELAY_SECRET, Lambda.SEND, Lambda.DEAD_LETTER),
            CallSite.needs("handler/SqsQueueControl.java", "changeMessageVisibility", "sqs:ChangeMessageVisibility",
                    Target.SEND_QUEUE, Lambda.SEND),
            // DeadLetters.send: JobProcessor's rejections and expiries. DeadLetterHandler only archives.
            CallSite.needs("retry/SqsS3DeadLetters.java", "sendMessage", "sqs:SendMessage",
                    Target.DEAD_LETTER_QUEUE, Lambda.SEND),
            CallSite.needs("retry/SqsS3DeadLetters.java", "putObject", "s3:PutObject",
                    Target.ARCHIVED_DEAD_LETTERS, Lambda.SEND, Lambda.DEAD_LETTER),
            // S3 authorises HeadObject with s3:GetObject.
            CallSite.needs("compose/S3AttachmentStore.java", "headObject", "s3:GetObject",
                    Target.ATTACHMENT_OBJECTS, Lambda.SEND),
            CallSite.needs("compose/S3AttachmentStore.java", "getObject", "s3:GetObject",
                    Target.ATTACHMENT_OBJECTS, Lambda.SEND),
            CallSite.needs("ledger/DynamoDbLedger.java", "updateItem", "dynamodb:UpdateItem",
                    Target.LEDGER, Lambda.SEND, Lambda.DEAD_LETTER),
            CallSite.needs("ledger/DynamoDbLedger.java", "getItem", "dynamodb:GetItem",
                    Target.LEDGER, Lambda.SEND, Lambda.DEAD_LETTER),
            CallSite.outsideLambda("retry/SqsS3DeadLetters.java", "getObjectAsBytes",
                    "DeadLetters.read serves Redrive, an operator's tool"),
            CallSite.outsideLambda("retry/Redrive.java", "sendMessage", "redrive is an operator's tool"),
            CallSite.outsideLambda("ledger/LedgerTable.java", "createTable", "local stack only; the template owns the table"),
            CallSite.outsideLambda("ledger/LedgerTable.java", "describeTable", "local stack only"),
            CallSite.outsideLambda("ledger/LedgerTable.java", "updateTimeToLive", "local stack only; the template sets TTL"),
            CallSite.outsideLambda("deliver/SmtpTransaction.java", "sendMessage", "Jakarta Mail's Transport, not SQS"));

    /** Packages that never run inside the functions: worker mode, and the senders' client library and CLI. */
    private static final List<String> OUTSIDE_LAMBDA_PACKAGES = List.of("worker/", "client/", "cli/");

    private static final List<Class<?>> SDK_CLIENTS =
            List.of(SqsClient.class, S3Client.class, DynamoDbClient.class, SecretsManagerClient.class);

    // ------------------------------------------------------------------ handlers and runtime

    @Test
    void everyHandlerShouldNameAPublicSqsMethodOfAClassLambdaCanInstantiate() {
        Template template = Template.load(Map.of());
        for (String function : template.functions()) {
            String handler = template.functionProperty(function, "Handler").asText();
            String[] parts = handler.split("::");
            assertThat(parts).as("%s Handler '%s' should read class::method", function, handler).hasSize(2);

            Class<?> type = loadWithoutInitialising(function, parts[0]);

            assertThat(Arrays.stream(type.getMethods()).filter(m -> m.getName().equals(parts[1])))
                    .as("%s Handler %s: no public %s(SQSEvent, Context)", function, handler, parts[1])
                    .anyMatch(m -> Arrays.equals(m.getParameterTypes(), new Class<?>[] {SQSEvent.class, Context.class}));
            assertThat(Arrays.stream(type.getConstructors()))
                    .as("%s Handler %s: Lambda needs a public no-arg constructor", function, handler)
                    .anyMatch(c -> c.getParameterCount() == 0 && Modifier.isPublic(c.getModifiers()));
        }
    }

    @Test
    void theRuntimeShouldRunTheCompiledBytecode() throws IOException {
        Template template = Template.load(Map.of());
        int classFileVersion;
        try (InputStream in = SendHandler.class.getResourceAsStream("SendHandler.class")) {
            DataInputStream data = new DataInputStream(in);
            data.readInt();
            data.readUnsignedShort();
            classFileVersion = data.readUnsignedShort();
        }
        for (String function : template.functions()) {
            String runtime = template.functionProperty(function, "Runtime").asText();
            int javaVersion = Integer.parseInt(runtime.replaceFirst("^java(\\d+).*", "$1"));

            assertThat(classFileVersion - 44).as("%s runs %s: bytecode for Java %d", function, runtime,
                    classFileVersion - 44).isLessThanOrEqualTo(javaVersion);
        }
    }

    @Test
    void theTemplateShouldUseOnlyLongFormIntrinsicsSoThatPlainYamlReadsIt() throws IOException {
        Pattern shortForm = Pattern.compile("(^|[\\s\\[,:])!(Ref|GetAtt|Sub|If|Join|Split|Select|FindInMap|Equals|Not"
                + "|And|Or|Condition|Base64|Cidr|GetAZs|ImportValue|Transform)\\b");
        List<String> offending = new ArrayList<>();
        List<String> lines = Files.readAllLines(TEMPLATE);
        for (int i = 0; i < lines.size(); i++) {
            String code = lines.get(i).replaceFirst("(^|\\s)#.*$", "");
            if (shortForm.matcher(code).find()) {
                offending.add((i + 1) + ": " + lines.get(i).strip());
            }
        }

        assertThat(offending).as("short-form tags in template.yaml (write Ref:, Fn::GetAtt: ...)").isEmpty();
    }

    // ------------------------------------------------------------------ environment

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void everyFunctionShouldSetTheRequiredVariablesAndOnlyKnownOnes(String scenario) {
        Template template = Template.load(SCENARIOS.get(scenario));
        for (String function : template.functions()) {
            Map<String, String> env = template.environment(function);

            assertThat(env).as("%s (%s) lacks required variables", function, scenario)
                    .containsKeys(MailroomConfig.REQUIRED_VARIABLES.toArray(String[]::new));
            assertThat(env.keySet().stream().filter(name -> name.startsWith("MAILROOM_")))
                    .as("%s (%s) sets variables MailroomConfig never reads", function, scenario)
                    .isSubsetOf(MailroomConfig.KNOWN_VARIABLES);
            assertThat(env.keySet()).as("%s (%s) sets variables nobody reads", function, scenario)
                    .allMatch(name -> name.startsWith("MAILROOM_") || name.equals("JAVA_TOOL_OPTIONS"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void everyFunctionsEnvironmentShouldPassMailroomConfigsColdStartChecks(String scenario) {
        Template template = Template.load(SCENARIOS.get(scenario));
        for (String function : template.functions()) {
            MailroomConfig config = template.config(function);

            assertThat(config.archiveBucket()).as("%s (%s): archived payloads must not sit in a bucket jobs may "
                    + "attach from", function, scenario).isNotIn(config.attachmentBuckets());
        }
    }

    // ------------------------------------------------------------------ queues

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void theSendQueueShouldFitTheRetryPolicy(String scenario) {
        Template template = Template.load(SCENARIOS.get(scenario));
        MailroomConfig config = template.config(Lambda.SEND.logicalId);
        JsonNode queue = template.properties(logicalIdOf("MAILROOM_QUEUE_URL", config.queueUrl()));
        JsonNode redrive = queue.path("RedrivePolicy");

        assertThat(redrive.path("deadLetterTargetArn").asText()).as("send queue redrives to MAILROOM_DLQ_URL's queue")
                .isEqualTo(arnOf("MAILROOM_DLQ_URL", config.deadLetterQueueUrl()));
        assertThat(redrive.path("maxReceiveCount").asInt()).as("send queue maxReceiveCount must exceed "
                + "MAILROOM_MAX_ATTEMPTS, or redrive pre-empts the retry policy (%s)", scenario)
                .isGreaterThan(config.retry().maxAttempts());
        assertThat(queue.path("MaximumMessageSize").asInt()).as("send queue MaximumMessageSize (job bodies up to 1 MiB)")
                .isEqualTo(SQS_MAX_MESSAGE_BYTES);
        assertThat(Duration.ofSeconds(queue.path("MessageRetentionPeriod").asLong()))
                .as("send queue retention must outlast MAILROOM_MAX_AGE").isGreaterThan(config.retry().maxAge());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void theDeadLetterQueueShouldHoldWhatMailroomCopiesThereAndOutliveTheSendQueue(String scenario) {
        Template template = Template.load(SCENARIOS.get(scenario));
        MailroomConfig config = template.config(Lambda.SEND.logicalId);
        JsonNode queue = template.properties(logicalIdOf("MAILROOM_QUEUE_URL", config.queueUrl()));
        JsonNode dlq = template.properties(logicalIdOf("MAILROOM_DLQ_URL", config.deadLetterQueueUrl()));

        assertThat(dlq.path("MaximumMessageSize").asInt()).as("DLQ MaximumMessageSize: SqsS3DeadLetters copies whole "
                + "job bodies there").isEqualTo(SQS_MAX_MESSAGE_BYTES);
        assertThat(dlq.path("MessageRetentionPeriod").asLong()).as("DLQ retention must be at least the send queue's: "
                + "SQS keeps a redriven message's enqueue time").isGreaterThanOrEqualTo(queue.path("MessageRetentionPeriod").asLong());
    }

    @Test
    void everyQueueVisibilityTimeoutShouldBeSixTimesItsFunctionsTimeoutForEveryAllowedTimeout() throws Exception {
        Duration margin = sendHandlerSafetyMargin();
        for (Map<String, String> parameters : timeoutVariants()) {
            Template template = Template.load(parameters);
            for (Lambda lambda : Lambda.values()) {
                int timeout = template.functionProperty(lambda.logicalId, "Timeout").asInt();
                int visibility = template.properties(logicalIdOf(template.eventQueueArn(lambda.logicalId)))
                        .path("VisibilityTimeout").asInt();

                assertThat(timeout).as("%s Timeout (%s)", lambda.logicalId, parameters)
                        .isBetween(1, LAMBDA_MAX_TIMEOUT_SECONDS);
                assertThat(visibility).as("%s's queue VisibilityTimeout vs %d x Timeout %d s (%s)", lambda.logicalId,
                        VISIBILITY_PER_TIMEOUT, timeout, parameters).isGreaterThanOrEqualTo(VISIBILITY_PER_TIMEOUT * timeout);
                if (lambda == Lambda.SEND) {
                    MailroomConfig config = template.config(lambda.logicalId);
                    assertThat(Duration.ofSeconds(timeout)).as("SendFunction Timeout leaves no room for one attempt "
                            + "(SendHandler starts none with less than the connect + read timeouts + margin left)")
                            .isGreaterThanOrEqualTo(config.smtp().minimumAttemptTime().plus(margin));
                    assertThat(config.lease()).as("MAILROOM_LEASE must outlast an invocation (Timeout %d s)", timeout)
                            .isGreaterThanOrEqualTo(Duration.ofSeconds(timeout));
                    assertThat(Duration.ofSeconds(visibility)).as("a crashed attempt's message should come back only "
                            + "after its lease ran out (MAILROOM_LEASE)").isGreaterThanOrEqualTo(config.lease());
                }
            }
        }
    }

    @Test
    void everyFunctionShouldListenToItsQueueReportingBatchItemFailures() {
        Template template = Template.load(SCENARIOS.get("mx in a VPC"));
        MailroomConfig config = template.config(Lambda.SEND.logicalId);
        Map<Lambda, String> expectedQueue = Map.of(
                Lambda.SEND, arnOf("MAILROOM_QUEUE_URL", config.queueUrl()),
                Lambda.DEAD_LETTER, arnOf("MAILROOM_DLQ_URL", config.deadLetterQueueUrl()));
        for (Lambda lambda : Lambda.values()) {
            JsonNode event = template.sqsEvent(lambda.logicalId);

            assertThat(template.eventQueueArn(lambda.logicalId)).as("%s's SQS event queue", lambda.logicalId)
                    .isEqualTo(expectedQueue.get(lambda));
            assertThat(event.path("FunctionResponseTypes").toString()).as("%s must report batch item failures: "
                    + "the handlers return SQSBatchResponse", lambda.logicalId).contains("ReportBatchItemFailures");
        }
    }

    @Test
    void everyDeployableShapeShouldPassTheTemplatesRules() {
        SCENARIOS.forEach((name, parameters) ->
                assertThat(Template.load(parameters).brokenRules()).as(name).isEmpty());
    }

    @Test
    void mxModeWithoutAVpcShouldBeRefusedAtDeployTimeWithTheReason() {
        Template template = Template.load(Map.of("AllowedSenderDomains", "example.com", "HeloName", "mail.example.com"));

        // Lambda blocks port 25 outside a VPC: every MX connection would time out, every job expire.
        assertThat(template.brokenRules()).singleElement().asString()
                .startsWith("MxModeNeedsAVpc").contains("port 25").contains("DeliveryMode relay");
    }

    @Test
    void relayModeWithoutARelayHostShouldBeRefusedAtDeployTime() {
        Template template = Template.load(Map.of("AllowedSenderDomains", "example.com", "HeloName", "mail.example.com",
                "DeliveryMode", "relay"));

        assertThat(template.brokenRules()).singleElement().asString().startsWith("RelayModeNeedsARelayHost");
    }

    @Test
    void snapStartShouldBeOnByDefaultForTheSendFunction() {
        Template template = Template.load(SCENARIOS.get("mx in a VPC"));

        // Safe since lease owners are drawn per attempt and jitter comes from SecureRandom (nothing
        // drawn at init must differ between restored environments); SnapStartPriming primes the snapshot.
        assertThat(template.functionProperty(Lambda.SEND.logicalId, "SnapStart").path("ApplyOn").asText())
                .as("SendFunction SnapStart default").isEqualTo("PublishedVersions");
    }

    // ------------------------------------------------------------------ storage

    @Test
    void theLedgerTableShouldMatchDynamoDbLedger() {
        Template template = Template.load(SCENARIOS.get("mx in a VPC"));
        MailroomConfig config = template.config(Lambda.SEND.logicalId);
        JsonNode table = template.properties(logicalIdOf("MAILROOM_TABLE", config.table()));

        assertThat(table.path("KeySchema").toString()).as("ledger key: DynamoDbLedger keys items by jobId (S)")
                .isEqualTo("[{\"AttributeName\":\"jobId\",\"KeyType\":\"HASH\"}]");
        assertThat(table.path("AttributeDefinitions").toString()).isEqualTo("[{\"AttributeName\":\"jobId\",\"AttributeType\":\"S\"}]");
        assertThat(table.path("TimeToLiveSpecification").toString()).as("ledger TTL: DynamoDbLedger writes `ttl`")
                .isEqualTo("{\"AttributeName\":\"ttl\",\"Enabled\":true}");
        assertThat(table.path("BillingMode").asText()).isEqualTo("PAY_PER_REQUEST");
        assertThat(table.path("PointInTimeRecoverySpecification").path("PointInTimeRecoveryEnabled").asBoolean())
                .as("ledger point-in-time recovery").isTrue();
    }

    @Test
    void theBucketsLifecyclesShouldKeepWhatTheCodeStillNeeds() {
        Template template = Template.load(SCENARIOS.get("mx in a VPC"));
        MailroomConfig config = template.config(Lambda.SEND.logicalId);
        long queueRetentionDays = Duration.ofSeconds(template.properties(logicalIdOf("MAILROOM_QUEUE_URL",
                config.queueUrl())).path("MessageRetentionPeriod").asLong()).toDays();
        JsonNode archiveRules = template.properties(logicalIdOf("MAILROOM_ARCHIVE_BUCKET", config.archiveBucket()))
                .path("LifecycleConfiguration").path("Rules");

        assertThat(archiveRules.findValuesAsText("Prefix")).as("archive bucket lifecycle prefix vs MAILROOM_ARCHIVE_PREFIX")
                .containsExactly(config.archivePrefix());
        for (String bucket : config.attachmentBuckets()) {
            JsonNode rules = template.properties(logicalIdOf("MAILROOM_ATTACHMENT_BUCKETS", bucket))
                    .path("LifecycleConfiguration").path("Rules");
            assertThat(rules.findValues("ExpirationInDays")).as("attachments must outlive every job still on the queue")
                    .allSatisfy(days -> assertThat(days.asLong()).isGreaterThanOrEqualTo(queueRetentionDays));
        }
    }

    // ------------------------------------------------------------------ IAM

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void everyFunctionsRoleShouldGrantExactlyWhatItsCodeAndEventSourceUse(String scenario) {
        Template template = Template.load(SCENARIOS.get(scenario));
        for (Lambda lambda : Lambda.values()) {
            MailroomConfig config = template.config(lambda.logicalId);
            Set<String> needed = new TreeSet<>();
            CALL_SITES.stream().filter(site -> site.callers().contains(lambda)).forEach(site ->
                    site.target().resources.apply(config).forEach(resource -> needed.add(grant(site.action(), resource))));
            Set<String> platform = template.platformGrants(lambda.logicalId);
            Set<String> granted = template.grants(lambda.logicalId);

            assertThat(granted).as("%s (%s) lacks grants its code needs", lambda.logicalId, scenario).containsAll(needed);
            assertThat(granted).as("%s (%s) lacks grants its event source, logs or VPC need", lambda.logicalId, scenario)
                    .containsAll(platform);
            Set<String> expected = new TreeSet<>(needed);
            expected.addAll(platform);
            assertThat(granted).as("%s (%s) grants more than its code uses", lambda.logicalId, scenario)
                    .isSubsetOf(expected);
        }
    }

    @Test
    void everyAwsCallInTheCodeShouldBeListedWithItsGrant() throws IOException {
        Set<String> operations = sdkOperations();
        // The SDK's variants of an operation: getObjectAsBytes, listObjectsV2Paginator...
        Pattern call = Pattern.compile("\\.((?:" + String.join("|", operations) + ")(?:AsBytes|AsInputStream|Paginator)?)\\s*\\(");
        Set<String> found = new TreeSet<>();
        lambdaSources().forEach((file, source) -> {
            Matcher matcher = call.matcher(source);
            while (matcher.find()) {
                found.add(file + " " + matcher.group(1));
            }
        });
        Set<String> listed = CALL_SITES.stream().map(site -> site.file() + " " + site.operation())
                .collect(Collectors.toCollection(TreeSet::new));

        assertThat(found).as("AWS calls missing from CALL_SITES: add each with the grant it needs (and grant it in "
                + "template.yaml), or say why no function makes it").isSubsetOf(listed);
        assertThat(listed).as("CALL_SITES entries the code no longer makes").isSubsetOf(found);
    }

    @Test
    void theCodeShouldUseNoAwsServiceBeyondTheClientsThisTestScans() throws IOException {
        Set<String> scanned = SDK_CLIENTS.stream().map(c -> c.getPackageName()).collect(Collectors.toSet());
        Pattern serviceImport = Pattern.compile("import (software\\.amazon\\.awssdk\\.services\\.[a-z0-9]+)\\.");
        Set<String> used = new TreeSet<>();
        lambdaSources().values().forEach(source -> {
            Matcher matcher = serviceImport.matcher(source);
            while (matcher.find()) {
                used.add(matcher.group(1));
            }
        });

        assertThat(used).as("AWS services the functions' code uses: add a new one's client to SDK_CLIENTS").isSubsetOf(scanned);
    }

    // ------------------------------------------------------------------ sample events

    @ParameterizedTest(name = "{0}")
    @MethodSource("eventFiles")
    void everySampleEventShouldBeAnSqsEventAsLambdaDeliversIt(String name) throws Exception {
        JsonNode records = JSON.readTree(EVENTS.resolve(name).toFile()).path("Records");

        assertThat(records.isArray() && !records.isEmpty()).as("%s needs a non-empty Records array", name).isTrue();
        for (JsonNode record : records) {
            assertThat(record.fieldNames()).toIterable().as("%s record fields", name)
                    .containsExactlyInAnyOrder("messageId", "receiptHandle", "body", "attributes", "messageAttributes",
                            "md5OfBody", "eventSource", "eventSourceARN", "awsRegion");
            assertThat(record.path("body").isTextual()).as("%s: body is a JSON string", name).isTrue();
            assertThat(record.path("md5OfBody").asText()).as("%s md5OfBody", name).isEqualTo(md5(record.path("body").asText()));
            assertThat(record.path("eventSource").asText()).isEqualTo("aws:sqs");
            assertThat(record.path("eventSourceARN").asText()).startsWith("arn:aws:sqs:" + record.path("awsRegion").asText() + ":");
            assertThat(record.path("attributes").path("ApproximateReceiveCount").asText()).as("%s attributes", name).matches("\\d+");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jobEventFiles")
    void everySampleJobShouldBeAcceptedByTheRealIntake(String name) throws IOException {
        for (JsonNode record : JSON.readTree(EVENTS.resolve(name).toFile()).path("Records")) {
            IntakeResult result = intake().accept(record.path("body").asText(), record.path("messageId").asText());

            assertThat(result).as("%s record %s: %s", name, record.path("messageId").asText(), result)
                    .isInstanceOf(IntakeResult.Accepted.class);
        }
    }

    @Test
    void theInvalidJobEventShouldBeRejectedNamingTheField() throws IOException {
        JsonNode record = JSON.readTree(EVENTS.resolve("invalid-job.json").toFile()).path("Records").get(0);

        IntakeResult result = intake().accept(record.path("body").asText(), record.path("messageId").asText());

        assertThat(result).as("invalid-job.json: %s", result).isInstanceOf(IntakeResult.Rejected.class);
        assertThat(((IntakeResult.Rejected) result).reason()).startsWith("subject:");
    }

    @Test
    void theDeadLetterEventShouldHoldARedrivenJobAndACopyMailroomMadeItself() throws IOException {
        JsonNode records = JSON.readTree(EVENTS.resolve("dlq-event.json").toFile()).path("Records");

        // DeadLetterHandler tells them apart by the reason attribute: only redriven jobs get archived.
        assertThat(records.findValues("messageAttributes")).as("dlq-event.json records")
                .anyMatch(attributes -> !attributes.has(DeadLetters.REASON_ATTRIBUTE))
                .anyMatch(attributes -> attributes.has(DeadLetters.REASON_ATTRIBUTE));
    }

    // ------------------------------------------------------------------ helpers

    static Stream<String> scenarios() {
        return SCENARIOS.keySet().stream().sorted();
    }

    static Stream<String> eventFiles() throws IOException {
        try (Stream<Path> files = Files.list(EVENTS)) {
            List<String> names = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted().toList();
            assertThat(names).as("events/").contains("plain-text.json", "html-with-s3-attachment.json",
                    "raw-mime-from-s3.json", "multiple-domains.json", "invalid-job.json", "dlq-event.json");
            return names.stream();
        }
    }

    static Stream<String> jobEventFiles() throws IOException {
        return eventFiles().filter(name -> !Set.of("invalid-job.json", "dlq-event.json").contains(name));
    }

    private Class<?> loadWithoutInitialising(String function, String className) {
        try {
            return Class.forName(className, false, getClass().getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new AssertionError(function + " Handler: no class " + className, e);
        }
    }

    private static JobIntake intake() {
        return new JobIntake(JobLimits.defaults(), new SenderPolicy(Set.of("example.com")), Set.of("mailroom-attachments"));
    }

    private static List<Map<String, String>> timeoutVariants() {
        Template template = Template.load(SCENARIOS.get("mx in a VPC"));
        List<Map<String, String>> variants = new ArrayList<>();
        for (Lambda lambda : Lambda.values()) {
            JsonNode timeout = template.rawFunctionProperty(lambda.logicalId, "Timeout");
            String parameter = timeout.path("Ref").asText(null);
            JsonNode allowed = parameter == null ? MissingNode.getInstance()
                    : template.root.path("Parameters").path(parameter).path("AllowedValues");
            for (JsonNode value : allowed) {
                Map<String, String> variant = new LinkedHashMap<>(SCENARIOS.get("mx in a VPC"));
                variant.put(parameter, value.asText());
                variants.add(variant);
            }
        }
        if (variants.isEmpty()) {
            variants.add(SCENARIOS.get("mx in a VPC"));
        }
        return variants;
    }

    /** SendHandler keeps this much of the deadline back; package-private there, read here. */
    private static Duration sendHandlerSafetyMargin() throws ReflectiveOperationException {
        Field field = SendHandler.class.getDeclaredField("SAFETY_MARGIN");
        field.setAccessible(true);
        return (Duration) field.get(null);
    }

    /** The functions' sources by path relative to dev/mailroom: everything but OUTSIDE_LAMBDA_PACKAGES. */
    private static Map<String, String> lambdaSources() throws IOException {
        Map<String, String> sources = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                String relative = SOURCES.relativize(file).toString().replace('\\', '/');
                if (OUTSIDE_LAMBDA_PACKAGES.stream().noneMatch(relative::startsWith)) {
                    sources.put(relative, Files.readString(file));
                }
            }
        }
        return sources;
    }

    /**
     * Every operation of the scanned clients, listed from the SDK jars by their request marshallers
     * ({@code transform/SendMessageRequestMarshaller} → {@code sendMessage}), one per operation of that
     * client: reflecting on the client interfaces would load a thousand model classes.
     */
    private static Set<String> sdkOperations() throws IOException {
        Set<String> operations = new TreeSet<>();
        for (Class<?> client : SDK_CLIENTS) {
            Pattern marshaller = Pattern.compile(Pattern.quote(client.getPackageName().replace('.', '/'))
                    + "/transform/([A-Z]\\w*)RequestMarshaller\\.class");
            try (JarFile jar = new JarFile(Path.of(URI.create(
                    client.getProtectionDomain().getCodeSource().getLocation().toString())).toFile())) {
                jar.stream().map(entry -> marshaller.matcher(entry.getName())).filter(Matcher::matches)
                        .map(m -> Character.toLowerCase(m.group(1).charAt(0)) + m.group(1).substring(1))
                        .forEach(operations::add);
            }
        }
        assertThat(operations).as("SDK operations found in the client jars")
                .contains("sendMessage", "getObject", "updateItem", "getSecretValue");
        return operations;
    }

    private static String grant(String action, String resource) {
        return action + " on " + resource;
    }

    private static String md5(String body) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(body.getBytes(StandardCharsets.UTF_8)));
    }

    /** The resource a variable names, which must be a Ref to one of the template's resources. */
    private static String logicalIdOf(String variable, String value) {
        Matcher ref = Pattern.compile("\\{Ref:(\\w+)}").matcher(value);
        if (!ref.matches()) {
            fail("%s should Ref a resource of the template, was '%s'", variable, value);
        }
        return ref.group(1);
    }

    private static String logicalIdOf(String arn) {
        Matcher getAtt = Pattern.compile("\\{(\\w+)\\.Arn}").matcher(arn);
        if (!getAtt.matches()) {
            fail("expected a Fn::GetAtt [Resource, Arn], was '%s'", arn);
        }
        return getAtt.group(1);
    }

    private static String arnOf(String variable, String value) {
        return "{" + logicalIdOf(variable, value) + ".Arn}";
    }

    /**
     * template.yaml under one set of parameter values, with just enough of CloudFormation's intrinsic
     * functions and SAM's Globals to read what a function gets.
     */
    private static final class Template {

        private static final JsonNode NO_VALUE = MissingNode.getInstance();
        private static final Map<String, String> PSEUDO = Map.of("AWS::Region", "us-east-1",
                "AWS::AccountId", "123456789012", "AWS::Partition", "aws", "AWS::StackName", "mailroom");

        final JsonNode root;
        private final Map<String, String> parameters = new LinkedHashMap<>();

        private Template(JsonNode root, Map<String, String> overrides) {
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

        /** Parsed once per test JVM; every Template only reads it. */
        private static final JsonNode PARSED = parse();

        static Template load(Map<String, String> overrides) {
            return new Template(PARSED, overrides);
        }

        private static JsonNode parse() {
            try {
                return YAML.readTree(TEMPLATE.toFile());
            } catch (IOException e) {
                throw new AssertionError("cannot read " + TEMPLATE.toAbsolutePath(), e);
            }
        }

        List<String> functions() {
            List<String> ids = new ArrayList<>();
            root.path("Resources").fields().forEachRemaining(r -> {
                if (r.getValue().path("Type").asText().equals("AWS::Serverless::Function")) {
                    ids.add(r.getKey());
                }
            });
            assertThat(ids).as("template functions").containsExactlyInAnyOrder(
                    Arrays.stream(Lambda.values()).map(l -> l.logicalId).toArray(String[]::new));
            return ids;
        }

        JsonNode properties(String logicalId) {
            JsonNode resource = root.path("Resources").path(logicalId);
            assertThat(resource.isObject()).as("resource %s in template.yaml", logicalId).isTrue();
            return resolve(resource.path("Properties"));
        }

        JsonNode rawFunctionProperty(String function, String name) {
            JsonNode own = root.path("Resources").path(function).path("Properties").path(name);
            return own.isMissingNode() ? root.path("Globals").path("Function").path(name) : own;
        }

        JsonNode functionProperty(String function, String name) {
            return resolve(rawFunctionProperty(function, name));
        }

        Map<String, String> environment(String function) {
            Map<String, String> env = new LinkedHashMap<>();
            Stream.of(root.path("Globals").path("Function"), root.path("Resources").path(function).path("Properties"))
                    .map(node -> resolve(node.path("Environment").path("Variables")))
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

        String eventQueueArn(String function) {
            return sqsEvent(function).path("Queue").asText();
        }

        /** Every "action on resource" the function's role allows. */
        Set<String> grants(String function) {
            JsonNode role = properties(logicalIdOfRole(function));
            assertThat(role.path("ManagedPolicyArns")).as("%s role: managed policies grant on \"*\"", function).isEmpty();
            Set<String> grants = new TreeSet<>();
            for (JsonNode policy : role.path("Policies")) {
                for (JsonNode statement : asList(policy.path("PolicyDocument").path("Statement"))) {
                    if (statement.path("Effect").asText().equals("Allow")) {
                        for (JsonNode action : asList(statement.path("Action"))) {
                            asList(statement.path("Resource")).forEach(resource -> grants.add(grant(action.asText(), resource.asText())));
                        }
                    }
                }
            }
            return grants;
        }

        /** What Lambda itself needs: polling the event queue, writing the log group, attaching to the VPC. */
        Set<String> platformGrants(String function) {
            Set<String> grants = new TreeSet<>();
            String queue = eventQueueArn(function);
            Stream.of("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes").forEach(a -> grants.add(grant(a, queue)));
            String logGroup = functionProperty(function, "LoggingConfig").path("LogGroup").asText();
            Matcher ref = Pattern.compile("\\{Ref:(\\w+)}").matcher(logGroup);
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

        private static List<JsonNode> asList(JsonNode node) {
            List<JsonNode> list = new ArrayList<>();
            if (node.isArray()) {
                node.forEach(list::add);
            } else if (!node.isMissingNode()) {
                list.add(node);
            }
            return list;
        }

        // ---------------------------------------------------------- intrinsic functions

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
                default -> throw new AssertionError("TemplateDriftTest cannot evaluate " + function + " yet");
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
            return TextNode.valueOf("{Ref:" + name + "}");
        }

        private JsonNode getAtt(String resourceAndAttribute) {
            String resource = resourceAndAttribute.substring(0, resourceAndAttribute.indexOf('.'));
            assertThat(root.path("Resources").has(resource)).as("Fn::GetAtt on unknown %s", resource).isTrue();
            return TextNode.valueOf("{" + resourceAndAttribute + "}");
        }

        private String sub(JsonNode argument) {
            String text = argument.isArray() ? argument.get(0).asText() : argument.asText();
            JsonNode variables = argument.isArray() ? resolve(argument.get(1)) : JsonNodeFactory.instance.objectNode();
            Matcher matcher = Pattern.compile("\\$\\{([^}!]+)}").matcher(text);
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
                default -> throw new AssertionError("TemplateDriftTest cannot evaluate condition " + function);
            };
        }
    }
}
