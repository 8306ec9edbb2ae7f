package dev.mailroom.bench;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import dev.mailroom.aws.AwsClients;
import dev.mailroom.config.MailroomConfig;
import dev.mailroom.handler.SendHandler;
import dev.mailroom.observe.JsonLines;
import dev.mailroom.testing.TestContexts;
import dev.mailroom.wiring.SendWiring;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The child of {@link ColdStartBench}: a fresh JVM that does what a Lambda container does —
 * construct the SendHandler (Mailroom wiring from the environment) and invoke handleRequest on one
 * SQS event — then a second job, warm. Prints epoch-millisecond timestamps for each phase on one
 * {@code RESULT} line, then waits for a line on stdin (the parent reads the JVM's perf counters
 * with jcmd meanwhile).
 *
 * <p>Modes: {@code eager} (production: {@code new SendHandler()}); {@code lazy} (upper bound of lazy
 * init: no SQS and S3 clients built — the happy path needs only DynamoDB); {@code primed}
 * (eager, then {@link SendWiring#prime()}, what production's SnapStart hook runs before the snapshot:
 * intake and composition of a sample job, a ledger read).
 *
 * <p>Arguments: mode, first job body, first job id, second job body, second job id.
 */
public final class ColdStartProbe {

    private ColdStartProbe() {
    }

    public static void main(String[] args) throws Exception {
        long main = System.currentTimeMillis();
        String mode = args[0];
        SendHandler handler;
        long primed = -1;
        SendWiring mailroom = null;
        if (mode.equals("lazy")) {
            SendWiring lazy = lazyMailroom();
            handler = new SendHandler(lazy.batch(), lazy.clock());
        } else if (mode.equals("primed")) {
            mailroom = SendWiring.fromEnvironment();
            handler = new SendHandler(mailroom.batch(), mailroom.clock());
        } else {
            handler = new SendHandler();
        }
        long constructed = System.currentTimeMillis();
        if (mailroom != null) {
            mailroom.prime(); // what SnapStartPriming runs before the snapshot
            primed = System.currentTimeMillis();
        }
        SQSBatchResponse first = handler.handleRequest(TestContexts.event(args[2], args[1]),
                TestContexts.lambda(Duration.ofMinutes(15)));
        long firstDone = System.currentTimeMillis();
        SQSBatchResponse second = handler.handleRequest(TestContexts.event(args[4], args[3]),
                TestContexts.lambda(Duration.ofMinutes(15)));
        long secondDone = System.currentTimeMillis();
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        long classes = ManagementFactory.getClassLoadingMXBean().getTotalLoadedClassCount();
        System.out.println("RESULT jvmStart=" + jvmStart + " main=" + main + " constructed=" + constructed
                + " primed=" + primed + " firstDone=" + firstDone + " secondDone=" + secondDone
                + " failures=" + (first.getBatchItemFailures().size() + second.getBatchItemFailures().size())
                + " classes=" + classes + " pid=" + ProcessHandle.current().pid());
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        System.exit(0);
    }

    /**
     * The most lazy initialisation could save on the happy path: Mailroom wired without the SQS and S3
     * clients at all (null — this job needs neither: no attachment, delivered at once, nothing to
     * hide or dead-letter). A real lazy holder would add a little on top. (A java.lang.reflect.Proxy
     * is no way to prototype this: generating it loads every request and response type of the
     * service interface, some 2,000 classes.)
     */
    private static SendWiring lazyMailroom() {
        MailroomConfig config = MailroomConfig.fromEnvironment();
        SdkHttpClient http = UrlConnectionHttpClient.create();
        Region region = Region.of(config.region());
        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("mailroom-local", "mailroom-local"));
        DynamoDbClient dynamo = DynamoDbClient.builder().httpClient(http).region(region).credentialsProvider(credentials)
                .endpointOverride(config.endpoints().dynamo()).build();
        return new SendWiring(config, new AwsClients(null, null, dynamo, http, region, config.endpoints(), credentials),
                JsonLines.stdout(), Clock.systemUTC());
    }
}
