package dev.mailroom.testing;

import static dev.mailroom.testing.SmtpTestServerTest.message;
import static dev.mailroom.testing.SmtpTestServerTest.props;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailroom.testing.SmtpTestServer.ReceivedMessage;
import dev.mailroom.testing.SmtpTestServerFaults.DataFault;
import dev.mailroom.testing.SmtpTestServerFaults.Drop;
import dev.mailroom.testing.SmtpTestServerFaults.Reject;
import dev.mailroom.testing.SmtpTestServerFaults.Reply;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The options of {@link SmtpTestServer} that the reliability and connection tests lean on: faults
 * drawn per event, the phases a crash test acts at, bodies read and dropped, a reply that never ends.
 * Driven by a plain Angus SMTP client, as {@link SmtpTestServerTest}.
 */
@Timeout(20)
class SmtpTestServerFaultsTest {

    /** Faults answering the greeting, each RCPT and each DATA with the next of their lists (then none). */
    private record ListedFaults(List<Reply> greetings, List<Reply> recipients, List<DataFault> data)
            implements SmtpTestServerFaults {
        ListedFaults {
            greetings = new CopyOnWriteArrayList<>(greetings);
            recipients = new CopyOnWriteArrayList<>(recipients);
            data = new CopyOnWriteArrayList<>(data);
        }

        @Override
        public Reply atGreeting() {
            return greetings.isEmpty() ? null : greetings.remove(0);
        }

        @Override
        public Reply atRecipient(String address) {
            return recipients.isEmpty() ? null : recipients.remove(0);
        }

        @Override
        public DataFault atData() {
            return data.isEmpty() ? new Accept() : data.remove(0);
        }
    }

    @Test
    void aFaultDrawnAtTheGreetingShouldRefuseTheSession() throws Exception {
        var faults = new ListedFaults(List.of(new Reply(421, "4.3.2 drawn busy")), List.of(), List.of());
        try (SmtpTestServer smtp = SmtpTestServer.builder().faults(faults).start()) {
            Session session = Session.getInstance(props(smtp));

            assertThatThrownBy(() -> Transport.send(message(session, "alice@example.test")))
                    .hasMessageContaining("421 4.3.2 drawn busy");
            Transport.send(message(session, "alice@example.test"));

            assertThat(smtp.sessionsAccepted()).isEqualTo(2);
            assertThat(smtp.received()).hasSize(1);
        }
    }

    @Test
    void faultsDrawnAtRcptAndDataShouldAnswerInsteadOfTheServer() throws Exception {
        var faults = new ListedFaults(List.of(), List.of(new Reply(451, "4.3.0 drawn at RCPT")),
                List.of(new Reject(new Reply(451, "4.3.0 drawn at DATA"))));
        try (SmtpTestServer smtp = SmtpTestServer.builder().faults(faults).start()) {
            Session session = Session.getInstance(props(smtp));

            assertThatThrownBy(() -> Transport.send(message(session, "alice@example.test")))
                    .cause().hasMessageContaining("451 4.3.0 drawn at RCPT");
            assertThatThrownBy(() -> Transport.send(message(session, "alice@example.test")))
                    .isInstanceOfSatisfying(SMTPSendFailedException.class, e -> assertThat(e.getReturnCode()).isEqualTo(451));
            Transport.send(message(session, "alice@example.test"));

            assertThat(smtp.received()).hasSize(1);
            assertThat(smtp.dataAttempts()).isEqualTo(2);
        }
    }

    @Test
    void aDropDrawnAtDataShouldResetTheConnection() {
        var faults = new ListedFaults(List.of(), List.of(), List.of(new Drop(1)));
        try (SmtpTestServer smtp = SmtpTestServer.builder().faults(faults).start()) {
            assertThatThrownBy(() -> Transport.send(message(Session.getInstance(props(smtp)), "alice@example.test")))
                    .isNotInstanceOf(SMTPSendFailedException.class)
                    .hasCauseInstanceOf(IOException.class);
            assertThat(smtp.received()).isEmpty();
        }
    }

    @Test
    void phasesShouldBeCalledAtRcptAtTheStartOfDataAndAfterThe250() throws Exception {
        List<String> calls = new CopyOnWriteArrayList<>();
        SmtpTestServer.Phases phases = new SmtpTestServer.Phases() {
            @Override
            public void recipient(String helo, String address) {
                calls.add("RCPT " + helo + " " + address);
            }

            @Override
            public void dataStarted(String helo, List<String> recipients) {
                calls.add("DATA " + recipients);
            }

            @Override
            public void accepted(ReceivedMessage message) {
                calls.add("250 " + message.helo() + " " + message.header("Subject").orElseThrow());
            }
        };
        try (SmtpTestServer smtp = SmtpTestServer.builder().phases(phases).start()) {
            Transport.send(message(Session.getInstance(props(smtp)), "alice@example.test"));

            smtp.awaitReceived(1, Duration.ofSeconds(5));
            assertThat(calls).containsExactly("RCPT client.mailroom.test alice@example.test", "DATA [alice@example.test]",
                    "250 client.mailroom.test fixture check");
        }
    }

    @Test
    void discardMessagesShouldKeepOnlyEachMessagesHeaderBlock() throws Exception {
        try (SmtpTestServer smtp = SmtpTestServer.builder().discardMessages().start()) {
            Transport.send(message(Session.getInstance(props(smtp)), "alice@example.test"));

            ReceivedMessage received = smtp.received().get(0);
            assertThat(received.eml()).isNull();
            assertThat(received.size()).isGreaterThan(received.headerBlock().length());
            assertThat(received.headerBlock()).endsWith("\r\n\r\n");
            assertThat(received.header("subject")).contains("fixture check");
            assertThatThrownBy(received::parse).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void trickleAfterShouldAnswerTheNextEndOfDataWithAReplyThatNeverEnds() throws Exception {
        SmtpTestServer smtp = SmtpTestServer.builder().trickleAfter(1).start();
        try {
            // The sending fails when the server closes, and takes the connection with it: no close() here.
            Transport transport = Session.getInstance(props(smtp)).getTransport("smtp");
            transport.connect();
            MimeMessage first = message(Session.getInstance(props(smtp)), "alice@example.test");
            transport.sendMessage(first, first.getAllRecipients());

            MimeMessage second = message(Session.getInstance(props(smtp)), "bob@example.test");
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                try {
                    transport.sendMessage(second, second.getAllRecipients());
                } catch (MessagingException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(1_000); // ten bytes of the reply, three times the client's read timeout

            assertThat(sending).isNotDone();
            smtp.close();
            assertThat(sending).failsWithin(Duration.ofSeconds(5));
            assertThat(smtp.received()).extracting(m -> m.recipients().get(0)).containsExactly("alice@example.test");
            assertThat(smtp.commands()).containsExactly("EHLO", "MAIL", "RCPT", "DATA", "MAIL", "RCPT", "DATA");
        } finally {
            smtp.close();
        }
    }
}
