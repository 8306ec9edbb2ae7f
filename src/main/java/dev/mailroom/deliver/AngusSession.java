package dev.mailroom.deliver;

import jakarta.mail.Session;
import jakarta.mail.util.StreamProvider;
import java.util.Properties;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The engine's one Jakarta Mail session (Angus Mail's SMTP provider). {@code Session.getInstance}
 * scans the class path for provider files each time: per transaction it was the top CPU hotspot
 * (bench §1). So it carries only what is the same for every connection; what differs per
 * connection comes through {@link SmtpSockets} and {@link SmtpConnection}.
 */
final class AngusSession {

    private AngusSession() {
    }

    static Session create(SmtpSettings settings, SmtpSockets sockets, ScheduledExecutorService timers) {
        Session session = Session.getInstance(properties(settings, sockets, timers));
        pinStreamProvider();
        return session;
    }

    /**
     * The same session for SMTPUTF8 transactions (RFC 6531), with {@code mail.mime.allowutf8}: Angus's
     * SMTPTransport then writes its commands as UTF-8 (otherwise each char is cut to its low byte,
     * {@code ASCIIUtility.getBytes}) and adds {@code SMTPUTF8} to every MAIL FROM when the server
     * announces it. Both are fixed when a transport is made, so a transport of this session serves
     * SMTPUTF8 transactions only; the engine's other transactions keep the plain session.
     */
    static Session createUtf8(SmtpSettings settings, SmtpSockets sockets, ScheduledExecutorService timers) {
        Properties properties = properties(settings, sockets, timers);
        properties.put("mail.mime.allowutf8", "true");
        return Session.getInstance(properties);
    }

    private static Properties properties(SmtpSettings settings, SmtpSockets sockets, ScheduledExecutorService timers) {
        TlsPolicy policy = settings.tlsPolicy();
        Properties props = new Properties();
        props.put("mail.smtp.localhost", settings.heloName());
        props.put("mail.smtp.connectiontimeout", String.valueOf(settings.connectTimeout().toMillis()));
        props.put("mail.smtp.timeout", String.valueOf(settings.readTimeout().toMillis()));
        props.put("mail.smtp.writetimeout", String.valueOf(settings.writeTimeout().toMillis()));
        props.put("mail.smtp.executor.writetimeout", timers);
        props.put("mail.smtp.socketFactory", sockets.plain());
        // Without this Angus would fall back to a plain socket of its own when the factory fails.
        props.put("mail.smtp.socketFactory.fallback", "false");
        props.put("mail.smtp.ssl.socketFactory", sockets.tls());
        props.put("mail.smtp.ssl.checkserveridentity", String.valueOf(policy == TlsPolicy.VERIFY));
        // Per-recipient results: keep going past rejected RCPTs, and report the accepted ones too.
        props.put("mail.smtp.sendpartial", "true");
        props.put("mail.smtp.reportsuccess", "true");
        props.put("mail.smtp.quitwait", "false");
        Relay relay = settings.relay();
        if (relay != null && relay.authenticates()) {
            props.put("mail.smtp.auth", "true");
            props.put("mail.smtp.auth.mechanisms", "PLAIN LOGIN");
        }
        return props;
    }

    /**
     * Jakarta Mail 2.1 looks up its {@link StreamProvider} through ServiceLoader — a scan of every
     * jar's META-INF/services — each time a part is written (twice per message at least): about a
     * fifth of the engine's CPU per message (bench §1). Named in its system property, the provider
     * is instantiated directly instead. We name the provider the lookup itself finds, so only the
     * cost changes; a value already set is left alone, and so is a class loader that could not load it.
     */
    private static void pinStreamProvider() {
        String property = StreamProvider.class.getName();
        if (System.getProperty(property) != null) {
            return;
        }
        Class<?> provider = StreamProvider.provider().getClass();
        try {
            Class.forName(provider.getName(), false, Thread.currentThread().getContextClassLoader());
            System.setProperty(property, provider.getName());
        } catch (ClassNotFoundException | RuntimeException e) {
            // FactoryFinder would fail where the lookup works: keep the lookup.
        }
    }
}
