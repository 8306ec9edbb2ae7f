package dev.mailroom.deploy;

import static dev.mailroom.deploy.SamTemplate.SCENARIOS;
import static dev.mailroom.deploy.SamTemplate.SCENARIO_NAMES;
import static dev.mailroom.deploy.SamTemplate.arnOf;
import static dev.mailroom.deploy.SamTemplate.grant;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.config.EventsConfig;
import dev.mailroom.config.KeySource;
import dev.mailroom.config.MailroomConfig;
import dev.mailroom.deploy.SamTemplate.Lambda;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Least privilege: each function's role in template.yaml grants exactly what its code and its event
 * source use, and nothing more. The AWS calls in src/main are listed here ({@link #CALL_SITES}) with
 * the grant each needs, and the list is kept complete by scanning the sources for the SDK's operations.
 */
class IamGrantsTest {

    private static final Path SOURCES = Path.of("src/main/java/dev/mailroom");

    /** What an AWS call touches, found from the configuration the function runs with. */
    private enum Target {
        SEND_QUEUE((config, template) -> List.of(arnOf("MAILROOM_QUEUE_URL", config.queueUrl()))),
        DEAD_LETTER_QUEUE((config, template) -> List.of(arnOf("MAILROOM_DLQ_URL", config.deadLetterQueueUrl()))),
        LEDGER((config, template) -> List.of(arnOf("MAILROOM_TABLE", config.table()))),
        PENDING_EVENTS_INDEX((config, template) -> List.of(arnOf("MAILROOM_TABLE", config.table()) + "/index/pending-events")),
        SUPPRESSION_LIST((config, template) -> config.suppressionTable() == null ? List.of()
                : List.of(arnOf("MAILROOM_SUPPRESSION_TABLE", config.suppressionTable()))),
        ATTACHMENT_OBJECTS((config, template) -> config.attachmentBuckets().stream()
                .map(bucket -> arnOf("MAILROOM_ATTACHMENT_BUCKETS", bucket) + "/*").toList()),
        ARCHIVED_DEAD_LETTERS((config, template) -> List.of(
                arnOf("MAILROOM_ARCHIVE_BUCKET", config.archiveBucket()) + "/" + config.archivePrefix() + "*")),
        RELAY_SECRET((config, template) -> config.relaySecretArn() == null ? List.of() : List.of(config.relaySecretArn())),
        KEYS_SECRET((config, template) -> config.keys() instanceof KeySource.Secret secret ? List.of(secret.arn()) : List.of()),
        // No variable names it: the S3 event does. The bucket SES receiving writes to, under its prefix.
        INBOUND_MAIL((config, template) -> List.of("{InboundBucket.Arn}/inbound/*")),
        // Where the events go (EventsConfig), as every event-writing role reads it with the store.
        EVENTS_QUEUE((config, template) -> config.store().events().queueUrl()
                .map(url -> List.of(arnOf(EventsConfig.QUEUE_VARIABLE, url))).orElse(List.of())),
        EVENT_BUS((config, template) -> config.store().events().bus()
                .map(bus -> List.of(template.eventBusArn(bus))).orElse(List.of()));

        final BiFunction<MailroomConfig, SamTemplate, List<String>> resources;

        Target(BiFunction<MailroomConfig, SamTemplate, List<String>> resources) {
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
            // The send role's wiring reads the relay secret at cold start when one is configured; the
            // dead-letter role's wiring builds no SMTP engine and reads no secret.
            CallSite.needs("wiring/RelayCredentials.java", "getSecretValue", "secretsmanager:GetSecretValue",
                    Target.RELAY_SECRET, Lambda.SEND),
            // The send role reads its keys once per container (at cold start, or after a SnapStart restore);
            // the unsubscribe endpoint reads the same document at cold start, for its unsubscribe keys.
            CallSite.needs("wiring/SendKeys.java", "getSecretValue", "secretsmanager:GetSecretValue",
                    Target.KEYS_SECRET, Lambda.SEND, Lambda.UNSUBSCRIBE, Lambda.BOUNCE),
            // Bounce intake reads the message SES receiving stored, one GetObject per S3 event record.
            CallSite.needs("inbound/S3InboundMail.java", "getObjectAsBytes", "s3:GetObject",
                    Target.INBOUND_MAIL, Lambda.BOUNCE),
            CallSite.needs("run/SqsQueueControl.java", "changeMessageVisibility", "sqs:ChangeMessageVisibility",
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
            // The unsubscribe endpoint reads the job and keeps its Subscription event in the item; the
            // sweeper only marks events published (an update) after its scan.
            CallSite.needs("ledger/DynamoDbLedger.java", "updateItem", "dynamodb:UpdateItem",
                    Target.LEDGER, Lambda.SEND, Lambda.DEAD_LETTER, Lambda.BOUNCE, Lambda.UNSUBSCRIBE, Lambda.EVENT_SWEEP),
            // The sweeper reads each item its index names.
            CallSite.needs("ledger/DynamoDbLedger.java", "getItem", "dynamodb:GetItem",
                    Target.LEDGER, Lambda.SEND, Lambda.DEAD_LETTER, Lambda.BOUNCE, Lambda.UNSUBSCRIBE, Lambda.EVENT_SWEEP),
            // The sweeper finds the items that still hold events (a crashed writer's, a failed publish's)
            // in the ledger's sparse index of them.
            CallSite.needs("ledger/DynamoDbLedger.java", "queryPaginator", "dynamodb:Query", Target.PENDING_EVENTS_INDEX,
                    Lambda.EVENT_SWEEP),
            // Every role that writes a recipient's status publishes the events its write holds
            // (SendMessageBatch is authorised by sqs:SendMessage), and the sweeper what writers left.
            CallSite.needs("outbox/SqsEventPublisher.java", "sendMessageBatch", "sqs:SendMessage", Target.EVENTS_QUEUE,
                    Lambda.SEND, Lambda.DEAD_LETTER, Lambda.BOUNCE, Lambda.UNSUBSCRIBE, Lambda.EVENT_SWEEP),
            CallSite.needs("outbox/EventBridgePublisher.java", "putEvents", "events:PutEvents", Target.EVENT_BUS,
                    Lambda.SEND, Lambda.DEAD_LETTER, Lambda.BOUNCE, Lambda.UNSUBSCRIBE, Lambda.EVENT_SWEEP),
            // The send function checks each job in one batched read, and adds what a permanent failure at
            // SMTP time says is a dead mailbox (conditional put); the unsubscribe endpoint puts a one-click
            // unsubscribe; removing and listing are operators' work.
            CallSite.needs("ledger/DynamoDbSuppressionList.java", "batchGetItem", "dynamodb:BatchGetItem",
                    Target.SUPPRESSION_LIST, Lambda.SEND),
            CallSite.needs("ledger/DynamoDbSuppressionList.java", "putItem", "dynamodb:PutItem",
                    Target.SUPPRESSION_LIST, Lambda.SEND, Lambda.UNSUBSCRIBE, Lambda.BOUNCE),
            CallSite.outsideLambda("ledger/DynamoDbSuppressionList.java", "deleteItem",
                    "unsuppress is an operator's tool (the client, the CLI)"),
            CallSite.outsideLambda("ledger/DynamoDbSuppressionList.java", "scanPaginator",
                    "listing the suppression list is an operator's tool (the client, the CLI)"),
            CallSite.outsideLambda("ledger/SuppressionTable.java", "createTable", "local stack only; the template owns the table"),
            CallSite.outsideLambda("ledger/SuppressionTable.java", "updateTimeToLive", "local stack only; the template sets TTL"),
            CallSite.outsideLambda("retry/SqsS3DeadLetters.java", "getObjectAsBytes",
                    "DeadLetters.read serves Redrive, an operator's tool"),
            CallSite.outsideLambda("retry/Redrive.java", "sendMessage", "redrive is an operator's tool"),
            CallSite.outsideLambda("ledger/LedgerTable.java", "createTable", "local stack only; the template owns the table"),
            CallSite.outsideLambda("ledger/LedgerTable.java", "describeTable", "local stack only"),
            CallSite.outsideLambda("ledger/LedgerTable.java", "updateTimeToLive", "local stack only; the template sets TTL"),
            CallSite.outsideLambda("deliver/SmtpTransaction.java", "sendMessage", "Jakarta Mail's Transport, not SQS"),
            CallSite.outsideLambda("handler/BounceHandler.java", "getObject",
                    "the S3 event's object entry (S3EventNotification), not S3's GetObject"));

    /** Packages that never run inside the functions: worker mode, and the senders' client library and CLI. */
    private static final List<String> OUTSIDE_LAMBDA_PACKAGES = List.of("worker/", "client/", "cli/");

    private static final List<Class<?>> SDK_CLIENTS =
            List.of(SqsClient.class, S3Client.class, DynamoDbClient.class, SecretsManagerClient.class,
                    EventBridgeClient.class);

    @ParameterizedTest(name = "{0}")
    @MethodSource(SCENARIO_NAMES)
    void everyFunctionsRoleShouldGrantExactlyWhatItsCodeAndEventSourceUse(String scenario) {
        SamTemplate template = SamTemplate.load(SCENARIOS.get(scenario));
        // The resources are named by the send function's configuration; the dead-letter, bounce and sweep
        // functions share its store and event destinations, the unsubscribe endpoint its keys, suppression
        // list, ledger and event destinations (FunctionEnvironmentTest).
        MailroomConfig config = template.config(Lambda.SEND.logicalId);
        for (Lambda lambda : template.lambdas()) {
            Set<String> needed = new TreeSet<>();
            CALL_SITES.stream().filter(site -> site.callers().contains(lambda)).forEach(site -> site.target().resources
                    .apply(config, template).forEach(resource -> needed.add(grant(site.action(), resource))));
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
}
