package dev.mailroom;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The structure the README's package table describes, held on the compiled production classes
 * (target/classes; the CLI and the test helpers are not among them): no package cycle; the
 * layering from the entry points down to the job's values; the pipeline's stages depending only on
 * earlier ones; the AWS SDK and the Lambda runtime only where they are wrapped; no environment read
 * below the configuration.
 */
class ArchitectureTest {

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.mailroom");

    /** The pipeline a job walks through, in order (STYLE.md §1). */
    private static final List<String> STAGES = List.of("intake", "compose", "sign", "resolve", "deliver", "ledger", "retry");

    @Test
    void theProductionCodeShouldHaveNoPackageCycle() {
        slices().matching("dev.mailroom.(*)..").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void eachLayerShouldBeUsedOnlyByTheLayersAboveIt() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("Entry points").definedBy("dev.mailroom.handler..", "dev.mailroom.worker..", "dev.mailroom.client..")
                .layer("Wiring").definedBy("dev.mailroom.wiring..")
                .layer("AWS access").definedBy("dev.mailroom.aws..")
                .layer("Configuration").definedBy("dev.mailroom.config..")
                .layer("Runner").definedBy("dev.mailroom.run..", "dev.mailroom.unsubscribe..", "dev.mailroom.inbound..")
                .layer("Observation").definedBy("dev.mailroom.observe..")
                .layer("Events").definedBy("dev.mailroom.events..")
                .layer("Pipeline").definedBy(STAGES.stream().map(stage -> "dev.mailroom." + stage + "..")
                        .toArray(String[]::new))
                .layer("Feedback").definedBy("dev.mailroom.feedback..")
                .layer("Values").definedBy("dev.mailroom.job..", "dev.mailroom.budget..")
                .whereLayer("Entry points").mayNotBeAccessedByAnyLayer()
                .whereLayer("Wiring").mayOnlyBeAccessedByLayers("Entry points")
                .whereLayer("AWS access").mayOnlyBeAccessedByLayers("Entry points", "Wiring", "Configuration")
                .whereLayer("Configuration").mayOnlyBeAccessedByLayers("Entry points", "Wiring")
                .whereLayer("Runner").mayOnlyBeAccessedByLayers("Entry points", "Wiring")
                .whereLayer("Observation").mayOnlyBeAccessedByLayers("Entry points", "Wiring", "Runner")
                .whereLayer("Events").mayOnlyBeAccessedByLayers("Entry points", "Wiring", "Runner")
                .whereLayer("Feedback").mayOnlyBeAccessedByLayers("Entry points", "Wiring", "Runner", "Events")
                .whereLayer("Pipeline").mayOnlyBeAccessedByLayers("Entry points", "Wiring", "Configuration", "Runner",
                        "Observation", "Events")
                .check(MAIN);
    }

    @Test
    void aPipelineStageShouldDependOnlyOnTheStagesBeforeIt() {
        for (int i = 0; i < STAGES.size() - 1; i++) {
            String[] later = STAGES.subList(i + 1, STAGES.size()).stream().map(stage -> "dev.mailroom." + stage + "..")
                    .toArray(String[]::new);
            noClasses().that().resideInAPackage("dev.mailroom." + STAGES.get(i) + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(later)
                    .because(STAGES.get(i) + " comes before " + String.join(", ", STAGES.subList(i + 1, STAGES.size())))
                    .check(MAIN);
        }
    }

    @Test
    void theFeedbackParserShouldUseOnlyTheJobValuesAndJakartaMail() {
        // A pure library: bounce intake (wiring) joins it to the ledger, never the other way round.
        noClasses().that().resideInAPackage("dev.mailroom.feedback..")
                .should().dependOnClassesThat(resideInAPackage("dev.mailroom..")
                        .and(not(resideInAPackage("dev.mailroom.feedback..")))
                        .and(not(resideInAPackage("dev.mailroom.job.."))))
                .check(MAIN);
    }

    @Test
    void theEventValuesShouldReadOnlyTheLedgerJobAndFeedbackValues() {
        // A pure library after the ledger stage: its inputs are values; it calls no store, queue or SDK.
        List<String> ledgerValues = List.of("JobRecord", "JobStatus", "RecipientRecord", "RecipientStatus",
                "Suppression", "SuppressionScope", "SuppressionReason", "PayloadFingerprint", "OutboxEvent");
        noClasses().that().resideInAPackage("dev.mailroom.events..")
                .should().dependOnClassesThat(resideInAPackage("dev.mailroom..")
                        .and(not(resideInAPackage("dev.mailroom.events..")))
                        .and(not(resideInAPackage("dev.mailroom.job..")))
                        .and(not(resideInAPackage("dev.mailroom.feedback..")))
                        .and(not(DescribedPredicate.describe("a ledger value " + ledgerValues, javaClass -> ledgerValues
                                .stream().map(name -> "dev.mailroom.ledger." + name).anyMatch(name -> javaClass.getName().equals(name)
                                || javaClass.getName().startsWith(name + "$"))))))
                .orShould().dependOnClassesThat().resideInAPackage("software.amazon.awssdk..")
                .check(MAIN);
    }

    @Test
    void theAwsSdkShouldAppearOnlyInTheClassesThatWrapSqsS3AndDynamoDb() {
        List<String> wrapperClasses = List.of("ledger.DynamoDbLedger", "ledger.LedgerTable", "ledger.LedgerItems",
                "ledger.UpdateBuilder", "compose.S3AttachmentStore", "retry.SqsS3DeadLetters", "retry.Redrive",
                "run.SqsQueueControl", "worker.SqsPoller", "client.MailroomClient", "client.S3Uploader",
                "client.DeadLetterArchive", "ledger.DynamoDbSuppressionList", "ledger.SuppressionTable", "inbound.S3InboundMail",
                "outbox.SqsEventPublisher", "outbox.EventBridgePublisher");
        DescribedPredicate<JavaClass> wrappers = resideInAPackage("dev.mailroom.aws..")
                .or(resideInAPackage("dev.mailroom.wiring.."))
                .or(DescribedPredicate.describe("a wrapper", javaClass -> wrapperClasses.stream()
                        .map(name -> "dev.mailroom." + name)
                        .anyMatch(name -> javaClass.getName().equals(name) || javaClass.getName().startsWith(name + "$"))))
                .as("the AWS clients, the wiring and the classes that wrap SQS, S3 and DynamoDB: " + wrapperClasses);
        noClasses().that(not(wrappers)).should().dependOnClassesThat().resideInAPackage("software.amazon.awssdk..")
                .check(MAIN);
    }

    @Test
    void theLambdaRuntimeShouldAppearOnlyInTheLambdaAdapters() {
        noClasses().that().resideOutsideOfPackage("dev.mailroom.handler..")
                .should().dependOnClassesThat().resideInAnyPackage("com.amazonaws.services.lambda..", "org.crac..")
                .check(MAIN);
    }

    @Test
    void nothingBelowTheConfigurationShouldReadTheEnvironment() {
        noClasses().that().resideOutsideOfPackages("dev.mailroom.config..", "dev.mailroom.wiring..")
                .and().doNotHaveFullyQualifiedName("dev.mailroom.worker.WorkerMain")
                .should().callMethod(System.class, "getenv")
                .orShould().callMethod(System.class, "getenv", String.class)
                .check(MAIN);
    }
}
