package dev.mailroom.cli;

import dev.mailroom.client.SendStatus;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code mailroom status JOB_ID}: the job and each recipient, as the ledger holds them. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Prints a job's status, attempts and one line per recipient.")
final class StatusCommand implements Callable<Integer> {

    @ParentCommand
    MailroomCli root;

    @Spec
    CommandSpec spec;

    @ArgGroup(validate = false, heading = MailroomCli.DEPLOYMENT_HEADING)
    ConnectionOptions connection;

    @Parameters(paramLabel = "JOB_ID")
    String jobId;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        SendStatus status = root.client(connection).status(jobId)
                .orElseThrow(() -> new CliException("no job " + jobId + " in the ledger"));
        spec.commandLine().getOut().print(json ? Printing.json(status) : Printing.table(status));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
