package dev.mailroom.cli;

import dev.mailroom.client.MailroomClient;
import dev.mailroom.client.SuppressionEntry;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code mailroom suppression list|add|remove|check}: the addresses no job sends to, globally or for
 * one tenant (a job's {@code tags.tenant}).
 */
@Command(name = "suppression", mixinStandardHelpOptions = true,
        description = "Lists, adds, removes and checks suppressed addresses (never sent to).",
        subcommands = {SuppressionCommand.ListCommand.class, SuppressionCommand.AddCommand.class,
                SuppressionCommand.RemoveCommand.class, SuppressionCommand.CheckCommand.class})
final class SuppressionCommand implements Callable<Integer> {

    @ParentCommand
    MailroomCli root;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing a command: list, add, remove or check");
    }

    /** The options every subcommand shares: the deployment, and the scope. */
    abstract static class Sub implements Callable<Integer> {

        @ParentCommand
        SuppressionCommand parent;

        @Spec
        CommandSpec spec;

        @ArgGroup(validate = false, heading = MailroomCli.DEPLOYMENT_HEADING)
        ConnectionOptions connection;

        @Option(names = "--tenant", paramLabel = "TENANT",
                description = "One tenant's entry (jobs tagged tags.tenant=TENANT); default: the global one.")
        String tenant;

        MailroomClient client() {
            return parent.root.client(connection);
        }

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        String scope() {
            return tenant == null ? "globally" : "for tenant " + tenant;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the entries in force, by address.")
    static final class ListCommand extends Sub {

        @Option(names = "--json", description = "Print JSON instead of a table.")
        boolean json;

        @Override
        public Integer call() {
            List<SuppressionEntry> entries = client().suppressions().stream()
                    .filter(e -> tenant == null || tenant.equals(e.tenant())).toList();
            out().print(json ? Printing.json(entries) : Printing.suppressions(entries));
            out().flush();
            return 0;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Suppresses an address (replacing its entry in that scope, if any).")
    static final class AddCommand extends Sub {

        @Parameters(paramLabel = "ADDRESS")
        String address;

        @Option(names = "--reason", paramLabel = "REASON", defaultValue = "MANUAL",
                description = "BOUNCE, COMPLAINT, UNSUBSCRIBE or MANUAL (default: ${DEFAULT-VALUE}).")
        SuppressionEntry.Reason reason;

        @Option(names = "--source", paramLabel = "TEXT", defaultValue = "mailroom suppression add",
                description = "Where it came from: a job id, a bounce's Message-ID, a note (default: ${DEFAULT-VALUE}).")
        String source;

        @Option(names = "--expires", paramLabel = "WHEN",
                description = "When it stops applying: an instant (2027-01-01T00:00:00Z) or a duration from now "
                        + "(30d, 12h, PT1H); default: never.")
        String expires;

        @Override
        public Integer call() {
            SuppressionEntry stored = client().suppress(SuppressionEntry.of(address, source).forTenant(tenant)
                    .because(reason).until(expiry()));
            out().println(stored.address() + " suppressed " + scope() + " (" + stored.reason() + ")"
                    + (stored.expiresAt() == null ? "" : " until " + stored.expiresAt()));
            return 0;
        }

        private Instant expiry() {
            if (expires == null) {
                return null;
            }
            try {
                return Instant.parse(expires);
            } catch (DateTimeParseException notAnInstant) {
                return Instant.now().plus(duration(expires));
            }
        }

        private Duration duration(String text) {
            String value = text.strip().toUpperCase(java.util.Locale.ROOT);
            try {
                if (value.startsWith("P")) {
                    return Duration.parse(value);
                }
                char unit = value.charAt(value.length() - 1);
                long amount = Long.parseLong(value.substring(0, value.length() - 1));
                return switch (unit) {
                    case 'S' -> Duration.ofSeconds(amount);
                    case 'M' -> Duration.ofMinutes(amount);
                    case 'H' -> Duration.ofHours(amount);
                    case 'D' -> Duration.ofDays(amount);
                    default -> throw new NumberFormatException();
                };
            } catch (RuntimeException e) {
                throw new ParameterException(spec.commandLine(), "--expires: not an instant or a duration: '" + text + "'");
            }
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Takes an address off the list in one scope; the other scope's entry stays.")
    static final class RemoveCommand extends Sub {

        @Parameters(paramLabel = "ADDRESS")
        String address;

        @Override
        public Integer call() {
            if (!client().unsuppress(address, tenant)) {
                throw new CliException(address + " is not suppressed " + scope());
            }
            out().println(address + " no longer suppressed " + scope());
            return 0;
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Says whether a job (of --tenant, if given) would send to an address; exit code 3 when it would not.")
    static final class CheckCommand extends Sub {

        /** The exit code of a suppressed address, apart from 1 (trouble) and 2 (usage). */
        static final int SUPPRESSED = 3;

        @Parameters(paramLabel = "ADDRESS")
        String address;

        @Override
        public Integer call() {
            Optional<SuppressionEntry> entry = client().suppression(address, tenant);
            if (entry.isEmpty()) {
                out().println(address + " is not suppressed" + (tenant == null ? "" : " for tenant " + tenant));
                return 0;
            }
            SuppressionEntry e = entry.get();
            out().println(e.address() + " is suppressed " + (e.isGlobal() ? "globally" : "for tenant " + e.tenant())
                    + ": " + e.reason() + " since " + e.addedAt() + (e.source().isEmpty() ? "" : " (" + e.source() + ")")
                    + (e.expiresAt() == null ? "" : ", until " + e.expiresAt()));
            return SUPPRESSED;
        }
    }
}
