package dev.mailroom.cli;

import dev.mailroom.client.DeadLetter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code mailroom dead-letter list|inspect|redrive}: the archive of jobs that were never delivered. */
@Command(name = "dead-letter", mixinStandardHelpOptions = true,
        description = "Lists, inspects and redrives dead-lettered jobs.",
        subcommands = {DeadLetterCommand.ListCommand.class, DeadLetterCommand.InspectCommand.class,
                DeadLetterCommand.RedriveCommand.class})
final class DeadLetterCommand implements Callable<Integer> {

    @ParentCommand
    MailroomCli root;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing a command: list, inspect or redrive");
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists archived dead letters, newest first.")
    static final class ListCommand implements Callable<Integer> {

        @ParentCommand
        DeadLetterCommand parent;

        @Spec
        CommandSpec spec;

        @ArgGroup(validate = false, heading = MailroomCli.DEPLOYMENT_HEADING)
        ConnectionOptions connection;

        @Option(names = "--max", paramLabel = "N", defaultValue = "20", description = "At most N entries (default: ${DEFAULT-VALUE}).")
        int max;

        @Option(names = "--json", description = "Print JSON instead of a table.")
        boolean json;

        @Override
        public Integer call() {
            List<DeadLetter> deadLetters = parent.root.client(connection).deadLetters(max);
            spec.commandLine().getOut().print(json ? Printing.json(deadLetters) : Printing.table(deadLetters));
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true, description = "Prints an archived payload.")
    static final class InspectCommand implements Callable<Integer> {

        @ParentCommand
        DeadLetterCommand parent;

        @Spec
        CommandSpec spec;

        @ArgGroup(validate = false, heading = MailroomCli.DEPLOYMENT_HEADING)
        ConnectionOptions connection;

        @Parameters(paramLabel = "KEY", description = "The archive key, as 'dead-letter list' shows it.")
        String key;

        @Override
        public Integer call() {
            spec.commandLine().getOut().println(parent.root.client(connection).inspect(key));
            return 0;
        }
    }

    @Command(name = "redrive", mixinStandardHelpOptions = true,
            description = "Puts a dead-lettered job back on the send queue with fresh attempts.")
    static final class RedriveCommand implements Callable<Integer> {

        @ParentCommand
        DeadLetterCommand parent;

        @Spec
        CommandSpec spec;

        @ArgGroup(validate = false, heading = MailroomCli.DEPLOYMENT_HEADING)
        ConnectionOptions connection;

        @Parameters(paramLabel = "JOB_ID")
        String jobId;

        @Override
        public Integer call() {
            String messageId = parent.root.client(connection).redrive(jobId);
            spec.commandLine().getOut().println(jobId + " is back on the send queue as message " + messageId);
            return 0;
        }
    }
}
