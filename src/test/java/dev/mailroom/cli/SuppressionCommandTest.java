package dev.mailroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailroom.ledger.SuppressionTable;
import dev.mailroom.testing.AwsTestStack;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code mailroom suppression list|add|remove|check} end to end on dynalite, configured as in a shell. */
class SuppressionCommandTest {

    private Map<String, String> environment;

    private record Run(int exitCode, String out, String err) {
    }

    @BeforeEach
    void freshList() {
        AwsTestStack stack = AwsTestStack.shared();
        String table = stack.uniqueName("suppression");
        SuppressionTable.createIfMissing(stack.dynamo(), table, Duration.ofSeconds(30));
        environment = new HashMap<>(Map.of(
                "MAILROOM_SUPPRESSION_TABLE", table,
                "MAILROOM_DYNAMODB_ENDPOINT", stack.dynamoEndpoint().toString(),
                "AWS_REGION", "us-east-1"));
    }

    @Test
    void suppressionCommandsShouldAddCheckListAndRemoveInEachScope() throws Exception {
        // When: one global entry, one tenant's with an expiry
        Run add = run("suppression", "add", "Ann@Example.ORG", "--source", "ticket 7");
        Run addTenant = run("suppression", "add", "bob@example.net", "--tenant", "acme", "--reason", "UNSUBSCRIBE",
                "--expires", "2099-01-01T00:00:00Z");

        // Then
        assertThat(add.exitCode()).isZero();
        assertThat(add.out().strip()).isEqualTo("ann@example.org suppressed globally (MANUAL)");
        assertThat(addTenant.out().strip())
                .isEqualTo("bob@example.net suppressed for tenant acme (UNSUBSCRIBE) until 2099-01-01T00:00:00Z");

        Run checkAnn = run("suppression", "check", "ann@example.org");
        assertThat(checkAnn.exitCode()).isEqualTo(3);
        assertThat(checkAnn.out()).startsWith("ann@example.org is suppressed globally: MANUAL since ").contains("(ticket 7)");
        assertThat(run("suppression", "check", "bob@example.net").exitCode()).isZero();
        assertThat(run("suppression", "check", "bob@example.net", "--tenant", "acme").exitCode()).isEqualTo(3);

        List<String> table = run("suppression", "list").out().lines().toList();
        assertThat(table).hasSize(3);
        assertThat(table.get(0)).startsWith("ADDRESS").contains("SCOPE", "REASON", "ADDED", "EXPIRES", "SOURCE");
        assertThat(table.get(1)).startsWith("ann@example.org").contains("global", "MANUAL", "never", "ticket 7");
        assertThat(table.get(2)).startsWith("bob@example.net").contains("tenant acme", "UNSUBSCRIBE", "2099-01-01T00:00:00Z");
        JsonNode json = new ObjectMapper().readTree(run("suppression", "list", "--json", "--tenant", "acme").out());
        assertThat(json).hasSize(1);
        assertThat(json.get(0).path("tenant").asText()).isEqualTo("acme");

        Run remove = run("suppression", "remove", "ann@example.org");
        assertThat(remove.out().strip()).isEqualTo("ann@example.org no longer suppressed globally");
        Run again = run("suppression", "remove", "ann@example.org");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err().strip()).isEqualTo("mailroom: ann@example.org is not suppressed globally");
    }

    @Test
    void suppressionCommandsShouldNameTheMissingTableVariableInOneLine() {
        environment.remove("MAILROOM_SUPPRESSION_TABLE");

        Run run = run("suppression", "check", "ann@example.org");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err().strip())
                .isEqualTo("mailroom: MAILROOM_SUPPRESSION_TABLE is not set (or pass --suppression-table)");
    }

    @Test
    void addShouldRefuseAnAddressThatIsNotAMailboxInOneLine() {
        Run run = run("suppression", "add", "not an address");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err().strip()).isEqualTo("mailroom: not a valid address: not an address");
    }

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = MailroomCli.commandLine(new MailroomCli(environment));
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }
}
