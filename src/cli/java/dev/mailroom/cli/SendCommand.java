package dev.mailroom.cli;

import dev.mailroom.client.Email;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code mailroom send}: one email onto the send queue; prints its job id. */
@Command(name = "send", mixinStandardHelpOptions = true,
        description = "Puts an email on the send queue and prints its job id.")
final class SendCommand implements Callable<Integer> {

    @ParentCommand
    MailroomCli root;

    @Spec
    CommandSpec spec;

    @ArgGroup(validate = false, heading = MailroomCli.DEPLOYMENT_HEADING)
    ConnectionOptions connection;

    @Option(names = "--from", required = true, paramLabel = "ADDRESS", description = "The From header, e.g. 'Billing <billing@example.com>'.")
    String from;

    @Option(names = "--to", paramLabel = "ADDRESS", description = "A recipient (repeatable).")
    List<String> to = new ArrayList<>();

    @Option(names = "--cc", paramLabel = "ADDRESS", description = "A Cc recipient (repeatable).")
    List<String> cc = new ArrayList<>();

    @Option(names = "--bcc", paramLabel = "ADDRESS", description = "A Bcc recipient (repeatable).")
    List<String> bcc = new ArrayList<>();

    @Option(names = "--reply-to", paramLabel = "ADDRESS", description = "A Reply-To address (repeatable).")
    List<String> replyTo = new ArrayList<>();

    @Option(names = "--subject", paramLabel = "TEXT", description = "The Subject header.")
    String subject;

    @Option(names = "--text", paramLabel = "TEXT", description = "The plain-text body.")
    String text;

    @Option(names = "--html-file", paramLabel = "FILE", description = "The html body, from a UTF-8 file.")
    Path htmlFile;

    @Option(names = "--attach", paramLabel = "FILE", description = "Attach a file (repeatable); large files go to S3.")
    List<Path> attachments = new ArrayList<>();

    @Option(names = "--header", paramLabel = "NAME=VALUE", description = "A custom header (repeatable).")
    Map<String, String> headers = new LinkedHashMap<>();

    @Option(names = "--tag", paramLabel = "KEY=VALUE", description = "A tag kept with the job (repeatable).")
    Map<String, String> tags = new LinkedHashMap<>();

    @Option(names = "--job-id", paramLabel = "ID", description = "The idempotency key (default: a new UUID).")
    String jobId;

    @Option(names = "--raw", paramLabel = "FILE",
            description = "Send this complete RFC 5322 message as it is, instead of --subject, --text, --html-file and --attach.")
    Path raw;

    @Override
    public Integer call() {
        Email email = Email.from(from).to(to.toArray(String[]::new)).cc(cc.toArray(String[]::new))
                .bcc(bcc.toArray(String[]::new)).replyTo(replyTo.toArray(String[]::new));
        if (subject != null) {
            email.subject(subject);
        }
        if (text != null) {
            email.text(text);
        }
        if (htmlFile != null) {
            email.html(read(htmlFile));
        }
        attachments.forEach(email::attach);
        headers.forEach(email::header);
        tags.forEach(email::tag);
        if (jobId != null) {
            email.jobId(jobId);
        }
        if (raw != null) {
            email.raw(raw);
        }
        spec.commandLine().getOut().println(root.client(connection).send(email));
        return 0;
    }

    private static String read(Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new CliException("--html-file: no readable file at " + file);
        }
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " as UTF-8: " + e.getMessage(), e);
        }
    }
}
