package dev.mailroom.cli;

import dev.mailroom.local.LocalStackMain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code mailroom local}: the whole stack on local emulators (SQS, S3, DynamoDB, DNS and an SMTP
 * catcher), the sample jobs through the real send handler, and optionally the stack kept running.
 */
@Command(name = "local", mixinStandardHelpOptions = true,
        description = {"Runs Mailroom end to end on local emulators.",
                "SQS, S3 and DynamoDB (dynalite: needs Node.js 20+), DNS for the demo domains and an SMTP catcher",
                "that keeps each message as an .eml file; the sample jobs go through the real send handler.",
                "Every MAILROOM_* variable in the environment overrides the stack's default."})
final class LocalCommand implements Callable<Integer> {

    /** Set by bin/mailroom: the distribution's directory, which holds a copy of the sample events. */
    static final String HOME_PROPERTY = "mailroom.home";

    @Option(names = "--serve", description = "Keep the stack running after the demo, for any AWS client to use.")
    boolean serve;

    @Option(names = "--events", paramLabel = "DIR",
            description = "Sample SQS events to run (default: ./events if present, else the distribution's).")
    Path events;

    @Option(names = "--mail-dir", paramLabel = "DIR", defaultValue = "local-mail",
            description = "Where each run keeps the messages caught and Mailroom's log (default: ${DEFAULT-VALUE}).")
    Path mailDir;

    @ParentCommand
    MailroomCli parent;

    @Override
    public Integer call() throws Exception {
        new LocalStackMain(System.out, parent.environment(), Clock.systemUTC(), "mailroom", mailDir).run(eventsDir(), serve);
        return 0;
    }

    private Path eventsDir() {
        if (events != null) {
            return events;
        }
        Path here = Path.of("events");
        String home = System.getProperty(HOME_PROPERTY);
        return Files.isDirectory(here) || home == null ? here : Path.of(home, "events");
    }
}
