package dev.mailroom.cli;

import dev.mailroom.aws.AwsClients;
import dev.mailroom.client.MailroomClient;
import dev.mailroom.client.MissingSettingException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * {@code mailroom}: send email and look after jobs from a shell. Reads the deployment's environment
 * variables (given to the constructor, so that tests pass their own), each overridable by an option.
 *
 * <p>Exit codes: 0 success, 1 any failure (one line on stderr, no stack trace), 2 a usage error.
 */
@Command(name = "mailroom", mixinStandardHelpOptions = true, versionProvider = MailroomCli.Version.class,
        description = "Sends email through Mailroom and looks after its jobs.",
        subcommands = {SendCommand.class, StatusCommand.class, DeadLetterCommand.class, SuppressionCommand.class,
                LocalCommand.class, WorkerCommand.class,
                DkimCommand.class, CommandLine.HelpCommand.class})
public final class MailroomCli implements Callable<Integer> {

    /** The section heading of {@link ConnectionOptions} in each command's help. */
    static final String DEPLOYMENT_HEADING = "%nDeployment (each overrides its environment variable):%n";

    @Spec
    CommandSpec spec;

    private final Map<String, String> environment;

    /** @param environment the variables to read, {@code System.getenv()} in a real run */
    public MailroomCli(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    public static void main(String[] args) {
        System.exit(commandLine(new MailroomCli(System.getenv())).execute(args));
    }

    /** A command line for {@code cli} whose errors print as one line on stderr (no stack trace). */
    public static CommandLine commandLine(MailroomCli cli) {
        CommandLine commandLine = new CommandLine(cli);
        commandLine.setExecutionExceptionHandler((e, command, parseResult) -> {
            command.getErr().println("mailroom: " + oneLine(describe(e)));
            return command.getCommandSpec().exitCodeOnExecutionException();
        });
        commandLine.setParameterExceptionHandler((e, args) -> {
            CommandSpec command = e.getCommandLine().getCommandSpec();
            e.getCommandLine().getErr().println("mailroom: " + oneLine(e.getMessage())
                    + " (see '" + command.qualifiedName() + " --help')");
            return command.exitCodeOnInvalidInput();
        });
        return commandLine;
    }

    /** Without a subcommand there is nothing to do: a usage error. */
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing a command: send, status, dead-letter, suppression, local, worker or dkim");
    }

    /** The variables the commands read. */
    Map<String, String> environment() {
        return environment;
    }

    /**
     * A client on the environment, overridden by a command's options.
     *
     * @param options null when the command line gave none of them (picocli leaves the group unset)
     */
    MailroomClient client(ConnectionOptions options) {
        CliSettings settings = new CliSettings(environment, options != null ? options : new ConnectionOptions());
        return MailroomClient.create(AwsClients.create(settings.endpoints(), settings.region()), settings.client());
    }

    static String describe(Throwable e) {
        if (e instanceof MissingSettingException missing) {
            return CliSettings.describe(missing.setting());
        }
        if (e instanceof UncheckedIOException && e.getMessage() != null) {
            return e.getMessage();
        }
        if (e instanceof SdkException) {
            return "AWS: " + e.getMessage();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static String oneLine(String message) {
        return message.strip().replaceAll("\\s+", " ");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = MailroomCli.class.getPackage().getImplementationVersion();
            return new String[] {"mailroom " + (version != null ? version : "(development build)")};
        }
    }
}
