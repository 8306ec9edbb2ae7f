package dev.mailroom.testing;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.Queue;

import org.subethamail.smtp.AuthenticationHandler;
import org.subethamail.smtp.AuthenticationHandlerFactory;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.internal.server.BaseCommand;
import org.subethamail.smtp.internal.server.Command;
import org.subethamail.smtp.internal.server.CommandException;
import org.subethamail.smtp.internal.server.CommandHandler;
import org.subethamail.smtp.internal.server.HelpMessage;
import org.subethamail.smtp.server.SMTPServer;
import org.subethamail.smtp.server.Session;

/** What a {@link SmtpTestServer} changes in SubEthaSMTP's commands: recording, EHLO, AUTH replies. */
final class SmtpTestServerCommands {

    private SmtpTestServerCommands() {
    }

    /**
     * Records every command line into {@code commandLines}; without 8BITMIME unless {@code offer8BitMime},
     * without SMTPUTF8 unless {@code offerSmtpUtf8}.
     */
    static void install(CommandHandler commands, boolean offer8BitMime, boolean offerSmtpUtf8, Queue<String> commandLines) {
        if (!offer8BitMime || !offerSmtpUtf8) {
            commands.addCommand(new Ehlo(offer8BitMime, offerSmtpUtf8));
        }
        for (String verb : List.copyOf(commands.getVerbs())) {
            commands.addCommand(new Recorded(commands.getCommand(verb), commandLines));
        }
    }

    /** Records each command line before SubEthaSMTP runs it. */
    private static final class Recorded implements Command {
        private final Command command;
        private final Queue<String> commandLines;

        Recorded(Command command, Queue<String> commandLines) {
            this.command = command;
            this.commandLines = commandLines;
        }

        @Override
        public void execute(String commandString, Session session) throws IOException, DropConnectionException {
            String[] words = commandString.split(" ", 3);
            commandLines.add(words[0].equalsIgnoreCase("AUTH") && words.length > 1 ? "AUTH " + words[1] : commandString);
            command.execute(commandString, session);
        }

        @Override
        public HelpMessage getHelp() throws CommandException {
            return command.getHelp();
        }

        @Override
        public String getName() {
            return command.getName();
        }
    }

    /**
     * SubEthaSMTP's EHLO reply (7.1.7: 8BITMIME, SIZE, STARTTLS, CHUNKING, SMTPUTF8, AUTH, in that
     * order) less 8BITMIME, for a server that takes 7-bit mail only, or less SMTPUTF8, for one that
     * takes no internationalised addresses (RFC 6531). A server without 8BITMIME offers no SMTPUTF8
     * either: RFC 6531 §3.1 requires the one of a server that offers the other.
     */
    private static final class Ehlo extends BaseCommand {
        private final boolean offer8BitMime;
        private final boolean offerSmtpUtf8;

        Ehlo(boolean offer8BitMime, boolean offerSmtpUtf8) {
            super("EHLO", "Introduce yourself.", "<hostname>");
            this.offer8BitMime = offer8BitMime;
            this.offerSmtpUtf8 = offer8BitMime && offerSmtpUtf8;
        }

        @Override
        public void execute(String commandString, Session session) throws IOException {
            String[] args = getArgs(commandString);
            if (args.length < 2) {
                session.sendResponse("501 Syntax: EHLO hostname");
                return;
            }
            session.resetMailTransaction();
            session.setHelo(args[1]);
            SMTPServer server = session.getServer();
            StringBuilder reply = new StringBuilder("250-").append(server.getHostName());
            if (offer8BitMime) {
                reply.append("\r\n250-8BITMIME");
            }
            if (server.getMaxMessageSize() > 0) {
                reply.append("\r\n250-SIZE ").append(server.getMaxMessageSize());
            }
            if (server.getEnableTLS() && !server.getHideTLS()) {
                reply.append("\r\n250-STARTTLS");
            }
            reply.append("\r\n250-CHUNKING");
            if (offerSmtpUtf8) {
                reply.append("\r\n250-SMTPUTF8");
            }
            var auth = server.getAuthenticationHandlerFactory();
            boolean showAuth = session.isTLSStarted() ? auth.isPresent()
                    : auth.isPresent() && (!server.getRequireTLS() || server.getShowAuthCapabilitiesBeforeSTARTTLS());
            if (showAuth && !auth.get().getAuthenticationMechanisms().isEmpty()) {
                reply.append("\r\n250-AUTH ").append(String.join(" ", auth.get().getAuthenticationMechanisms()));
            }
            session.sendResponse(reply.append("\r\n250 Ok").toString());
        }
    }

    /** A refused login answered as RFC 4954 §6 has it: {@code 535 5.7.8 Authentication credentials invalid}. */
    static final class Rfc4954Replies implements AuthenticationHandlerFactory {
        private final AuthenticationHandlerFactory factory;

        Rfc4954Replies(AuthenticationHandlerFactory factory) {
            this.factory = factory;
        }

        @Override
        public List<String> getAuthenticationMechanisms() {
            return factory.getAuthenticationMechanisms();
        }

        @Override
        public AuthenticationHandler create() {
            AuthenticationHandler handler = factory.create();
            return new AuthenticationHandler() {
                @Override
                public Optional<String> auth(String clientInput, MessageContext context) throws RejectException {
                    try {
                        return handler.auth(clientInput, context);
                    } catch (RejectException e) {
                        if (e.getCode() == 535) {
                            throw new RejectException(535, "5.7.8 Authentication credentials invalid");
                        }
                        throw e;
                    }
                }

                @Override
                public Object getIdentity() {
                    return handler.getIdentity();
                }
            };
        }
    }

}
