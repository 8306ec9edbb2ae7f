package dev.mailroom.config;

import dev.mailroom.aws.AwsEndpoints;
import dev.mailroom.deliver.ConnectionReuse;
import dev.mailroom.deliver.Relay;
import dev.mailroom.deliver.SmtpSettings;
import dev.mailroom.deliver.TlsPolicy;
import dev.mailroom.intake.JobLimits;
import dev.mailroom.job.AddressForm;
import dev.mailroom.job.Unsubscribe;
import dev.mailroom.retry.RetryPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The send role's configuration (the send function, the worker, the local stack): where its state
 * lives ({@link StoreConfig}), the send queue, and how jobs are checked, delivered and retried.
 * Read once from environment variables at cold start, checked, immutable. A missing or malformed
 * variable fails fast with a {@link ConfigException} naming it; nothing deeper reads the
 * environment. The variables are listed in the README.
 *
 * @param relaySecretArn Secrets Manager secret holding the relay's {@code username}/{@code password}
 *                       (JSON); resolved when the send role is wired, not here
 * @param keys           where the DKIM and unsubscribe keys are; read when the send role first needs them
 * @param missingDkimKey what becomes of a job whose From domain has no DKIM key
 * @param lease          how long a claim on a job lasts; longer than any attempt (Lambda's 15 min)
 * @param parallelJobs   records of one batch processed at once (one job each)
 * @param unsubscribeUrl Mailroom's one-click unsubscribe endpoint ({@code MAILROOM_UNSUBSCRIBE_URL}) as
 *                       a URL holding {@value Unsubscribe#TOKEN} (appended as the last path segment
 *                       when the variable has none): where a job's {@code unsubscribe} without a URL
 *                       sends its recipients
 * @param suppressionTable the suppression list's table (MAILROOM_SUPPRESSION_TABLE), or null: no
 *                       suppression checks, and nothing added to a list
 * @param bounceDomain   the VERP bounce domain (MAILROOM_BOUNCE_DOMAIN), an A-label within the allowed
 *                       sender domains: each recipient's MAIL FROM is {@code bounces+<token>@} it
 */
public record MailroomConfig(String queueUrl, StoreConfig store, List<String> attachmentBuckets,
                             Set<String> allowedSenderDomains, SmtpSettings smtp, String relaySecretArn,
                             KeySource keys, MissingDkimKey missingDkimKey, List<InetSocketAddress> dnsServers,
                             Duration dnsTimeout, RetryPolicy retry, Duration lease, int parallelJobs, JobLimits limits,
                             Optional<String> unsubscribeUrl, String suppressionTable,
                             Optional<String> bounceDomain) {

    /** The longest MAILROOM_UNSUBSCRIBE_URL: a token of a few hundred characters must still fit on its line. */
    static final int MAX_UNSUBSCRIBE_URL_CHARS = 200;

    public enum DeliveryMode { MX, RELAY }

    /**
     * A From domain without a DKIM key: {@code reject} the job ({@code from: no DKIM key for …}), the
     * default — unauthenticated mail is junked or refused by the large providers and costs the domain
     * reputation with every message — or send it {@code unsigned}, with a warning log line and metric
     * (e.g. behind a relay that signs, such as SES with Easy DKIM).
     */
    public enum MissingDkimKey { REJECT, UNSIGNED }

    /** Variables the send function must have (the SAM template sets them; FunctionEnvironmentTest checks it). */
    public static final List<String> REQUIRED_VARIABLES = Stream.concat(StoreConfig.REQUIRED_VARIABLES.stream(),
            Stream.of("MAILROOM_QUEUE_URL", "MAILROOM_ALLOWED_SENDER_DOMAINS", "MAILROOM_HELO_NAME")).toList();

    /** Every variable the configuration reads. */
    public static final List<String> KNOWN_VARIABLES = Stream.concat(StoreConfig.KNOWN_VARIABLES.stream(), Stream.of(
            "MAILROOM_QUEUE_URL", "MAILROOM_ATTACHMENT_BUCKETS",
            "MAILROOM_ALLOWED_SENDER_DOMAINS", "MAILROOM_DELIVERY_MODE", "MAILROOM_HELO_NAME", "MAILROOM_TLS",
            "MAILROOM_TLS_TRUST_STORE", "MAILROOM_TLS_TRUST_STORE_PASSWORD", "MAILROOM_SMTP_PORT",
            "MAILROOM_CONNECT_TIMEOUT", "MAILROOM_READ_TIMEOUT", "MAILROOM_WRITE_TIMEOUT",
            "MAILROOM_MAX_RECIPIENTS_PER_TRANSACTION", "MAILROOM_PARALLEL_TRANSACTIONS", "MAILROOM_PARALLEL_JOBS",
            "MAILROOM_CONNECTION_REUSE", "MAILROOM_CONNECTION_IDLE",
            "MAILROOM_RELAY_HOST",
            "MAILROOM_RELAY_PORT", "MAILROOM_RELAY_IMPLICIT_TLS", "MAILROOM_RELAY_USERNAME", "MAILROOM_RELAY_PASSWORD",
            "MAILROOM_RELAY_SECRET_ARN", "MAILROOM_KEYS_SECRET_ARN", "MAILROOM_KEYS_FILE", "MAILROOM_KEYS",
            "MAILROOM_DKIM_MISSING_KEY", "MAILROOM_DNS_SERVERS", "MAILROOM_DNS_TIMEOUT", "MAILROOM_MAX_ATTEMPTS",
            "MAILROOM_MAX_AGE", "MAILROOM_RETRY_INITIAL_DELAY", "MAILROOM_RETRY_MAX_DELAY", "MAILROOM_LEASE",
            "MAILROOM_MAX_RECIPIENTS", "MAILROOM_MAX_INLINE_BYTES", "MAILROOM_MAX_ATTACHMENTS",
            "MAILROOM_UNSUBSCRIBE_URL", "MAILROOM_SUPPRESSION_TABLE", "MAILROOM_BOUNCE_DOMAIN")).toList();

    public static MailroomConfig fromEnvironment() {
        return from(System.getenv());
    }

    public static MailroomConfig from(Map<String, String> variables) {
        Environment env = new Environment(variables);
        StoreConfig store = StoreConfig.from(env);
        List<String> buckets = env.list("MAILROOM_ATTACHMENT_BUCKETS");
        // A job may attach any key of an attachment bucket: an archive there would let one job
        // mail out another job's archived payload.
        if (buckets.contains(store.archiveBucket())) {
            throw new ConfigException("MAILROOM_ARCHIVE_BUCKET", "must not be one of MAILROOM_ATTACHMENT_BUCKETS");
        }
        Set<String> senders = env.list("MAILROOM_ALLOWED_SENDER_DOMAINS").stream()
                .map(MailroomConfig::senderDomain).collect(Collectors.toUnmodifiableSet());
        if (senders.isEmpty()) {
            throw new ConfigException("MAILROOM_ALLOWED_SENDER_DOMAINS", "is required: the queue must never become an open relay");
        }
        DeliveryMode mode = env.choice("MAILROOM_DELIVERY_MODE", DeliveryMode.class, DeliveryMode.MX);
        KeySource keys = keySource(env);
        MissingDkimKey missingDkimKey = env.choice("MAILROOM_DKIM_MISSING_KEY", MissingDkimKey.class,
                MissingDkimKey.REJECT);
        if (missingDkimKey == MissingDkimKey.REJECT && keys instanceof KeySource.None) {
            throw new ConfigException("MAILROOM_DKIM_MISSING_KEY", "is reject (the default), and no keys are set ("
                    + String.join(", ", KeySource.VARIABLES) + "): every job would be rejected; give the keys, or set "
                    + "MAILROOM_DKIM_MISSING_KEY=unsigned to send unsigned mail");
        }
        return new MailroomConfig(
                env.required("MAILROOM_QUEUE_URL"),
                store,
                buckets,
                senders,
                smtp(env, mode),
                mode == DeliveryMode.RELAY ? env.optional("MAILROOM_RELAY_SECRET_ARN").orElse(null) : null,
                keys,
                missingDkimKey,
                dnsServers(env),
                env.duration("MAILROOM_DNS_TIMEOUT", Duration.ofSeconds(5)),
                retry(env),
                env.duration("MAILROOM_LEASE", Duration.ofMinutes(15)),
                env.integer("MAILROOM_PARALLEL_JOBS", 10, 1, 100),
                new JobLimits(env.integer("MAILROOM_MAX_RECIPIENTS", 100, 1, 1_000),
                        env.integer("MAILROOM_MAX_INLINE_BYTES", 256 * 1024, 0, 768 * 1024),
                        env.integer("MAILROOM_MAX_ATTACHMENTS", 50, 0, 500),
                        JobLimits.defaults().maxHeaderBytes()),
                env.optional("MAILROOM_UNSUBSCRIBE_URL").map(MailroomConfig::unsubscribeUrl),
                env.optional("MAILROOM_SUPPRESSION_TABLE").orElse(null),
                env.optional("MAILROOM_BOUNCE_DOMAIN").map(domain -> bounceDomain(domain, senders)));
    }

    /** A bounce domain outside the allow-list would put a sender in MAIL FROM that no job may name. */
    private static String bounceDomain(String value, Set<String> senders) {
        String domain;
        try {
            domain = AddressForm.domain(value.trim());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("MAILROOM_BOUNCE_DOMAIN", "not a domain name");
        }
        if (senders.stream().noneMatch(allowed -> domain.equals(allowed) || domain.endsWith("." + allowed))) {
            throw new ConfigException("MAILROOM_BOUNCE_DOMAIN", "must be one of MAILROOM_ALLOWED_SENDER_DOMAINS or "
                    + "a subdomain of one");
        }
        return domain;
    }

    /** RFC 8058 §3.1: https; a {token} where the token goes, else appended as the last path segment. */
    private static String unsubscribeUrl(String value) {
        String name = "MAILROOM_UNSUBSCRIBE_URL";
        if (value.length() > MAX_UNSUBSCRIBE_URL_CHARS || !value.chars().allMatch(c -> c > 32 && c < 127)) {
            throw new ConfigException(name, "must be 1-" + MAX_UNSUBSCRIBE_URL_CHARS + " ASCII characters, no spaces");
        }
        URI uri;
        try {
            uri = new URI(value.replace(Unsubscribe.TOKEN, "token"));
        } catch (URISyntaxException e) {
            throw new ConfigException(name, "is not a URL");
        }
        if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null || uri.getRawUserInfo() != null
                || uri.getRawFragment() != null) {
            throw new ConfigException(name, "must be an https URL with a host, no user name and no fragment");
        }
        if (value.contains(Unsubscribe.TOKEN)) {
            return value;
        }
        if (uri.getRawQuery() != null) {
            throw new ConfigException(name, "with a query, must say where the token goes: " + Unsubscribe.TOKEN);
        }
        return value + (value.endsWith("/") ? "" : "/") + Unsubscribe.TOKEN;
    }

    public String deadLetterQueueUrl() {
        return store.deadLetterQueueUrl();
    }

    public String table() {
        return store.table();
    }

    public String archiveBucket() {
        return store.archiveBucket();
    }

    public String archivePrefix() {
        return store.archivePrefix();
    }

    public Duration ledgerRetention() {
        return store.ledgerRetention();
    }

    public AwsEndpoints endpoints() {
        return store.endpoints();
    }

    public String region() {
        return store.region();
    }

    static KeySource keySource(Environment env) {
        Map<String, String> set = new LinkedHashMap<>();
        KeySource.VARIABLES.forEach(name -> env.optional(name).ifPresent(value -> set.put(name, value)));
        return KeySource.from(set);
    }

    /** A sender domain in the allow-list's normal form (a lower-case A-label), however it was written. */
    private static String senderDomain(String domain) {
        try {
            return AddressForm.domain(domain);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("MAILROOM_ALLOWED_SENDER_DOMAINS", "'" + domain + "' is not a valid domain");
        }
    }

    private static SmtpSettings smtp(Environment env, DeliveryMode mode) {
        String helo = env.required("MAILROOM_HELO_NAME");
        TlsPolicy tls = env.optional("MAILROOM_TLS").map(MailroomConfig::tlsPolicy)
                .orElse(mode == DeliveryMode.RELAY ? TlsPolicy.VERIFY : TlsPolicy.OPPORTUNISTIC);
        Relay relay = mode == DeliveryMode.RELAY ? relay(env) : null;
        ConnectionReuse reuse = connectionReuse(env);
        try {
            return new SmtpSettings(
                    env.integer("MAILROOM_SMTP_PORT", 25, 1, 65_535), helo, tls, trustStore(env),
                    env.duration("MAILROOM_CONNECT_TIMEOUT", Duration.ofSeconds(10)),
                    env.duration("MAILROOM_READ_TIMEOUT", Duration.ofSeconds(60)),
                    env.duration("MAILROOM_WRITE_TIMEOUT", Duration.ofSeconds(60)),
                    env.integer("MAILROOM_MAX_RECIPIENTS_PER_TRANSACTION", relay != null ? 50 : 100, 1, 1_000),
                    env.integer("MAILROOM_PARALLEL_TRANSACTIONS", 16, 1, 64),
                    relay, reuse);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("MAILROOM_TLS", e.getMessage());
        }
    }

    /** By the policy's setting, not its constant: {@code required} selects {@link TlsPolicy#REQUIRED_INSECURE}. */
    private static TlsPolicy tlsPolicy(String value) {
        return TlsPolicy.ofSetting(value).orElseThrow(() -> new ConfigException("MAILROOM_TLS",
                "must be one of " + TlsPolicy.settings() + ", was '" + value + "'"));
    }

    private static ConnectionReuse connectionReuse(Environment env) {
        boolean enabled = env.optional("MAILROOM_CONNECTION_REUSE")
                .map(v -> bool("MAILROOM_CONNECTION_REUSE", v)).orElse(true);
        Duration idle = env.duration("MAILROOM_CONNECTION_IDLE", ConnectionReuse.DEFAULT.idleLimit());
        return enabled ? ConnectionReuse.idleFor(idle) : ConnectionReuse.DISABLED;
    }

    private static Relay relay(Environment env) {
        String host = env.required("MAILROOM_RELAY_HOST");
        int port = env.integer("MAILROOM_RELAY_PORT", 587, 1, 65_535);
        boolean implicitTls = env.optional("MAILROOM_RELAY_IMPLICIT_TLS")
                .map(v -> bool("MAILROOM_RELAY_IMPLICIT_TLS", v)).orElse(port == 465);
        // Credentials from the environment are for local use; in AWS they come from Secrets Manager.
        String username = env.optional("MAILROOM_RELAY_USERNAME").orElse(null);
        String password = env.optional("MAILROOM_RELAY_PASSWORD").orElse(null);
        if ((username == null) != (password == null)) {
            throw new ConfigException(username == null ? "MAILROOM_RELAY_USERNAME" : "MAILROOM_RELAY_PASSWORD",
                    "relay username and password go together");
        }
        return new Relay(host, port, implicitTls, username, password);
    }

    private static RetryPolicy retry(Environment env) {
        RetryPolicy defaults = RetryPolicy.defaults();
        Duration maxAge = env.duration("MAILROOM_MAX_AGE", defaults.maxAge());
        if (maxAge.compareTo(Duration.ofDays(14)) >= 0) {
            throw new ConfigException("MAILROOM_MAX_AGE", "must stay below the queue's 14-day retention");
        }
        try {
            return new RetryPolicy(env.integer("MAILROOM_MAX_ATTEMPTS", defaults.maxAttempts(), 1, 1_000), maxAge,
                    env.duration("MAILROOM_RETRY_INITIAL_DELAY", defaults.initialDelay()),
                    env.duration("MAILROOM_RETRY_MAX_DELAY", defaults.maxDelay()), defaults.jitter());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("MAILROOM_RETRY_MAX_DELAY", e.getMessage());
        }
    }

    private static List<InetSocketAddress> dnsServers(Environment env) {
        return env.list("MAILROOM_DNS_SERVERS").stream().map(server -> {
            int colon = server.lastIndexOf(':');
            boolean hasPort = colon > 0 && server.indexOf(':') == colon;
            String host = hasPort ? server.substring(0, colon) : server;
            int port = 53;
            if (hasPort) {
                try {
                    port = Integer.parseInt(server.substring(colon + 1));
                } catch (NumberFormatException e) {
                    throw new ConfigException("MAILROOM_DNS_SERVERS", "bad port in '" + server + "'");
                }
            }
            return new InetSocketAddress(host, port);
        }).toList();
    }

    private static KeyStore trustStore(Environment env) {
        return env.optional("MAILROOM_TLS_TRUST_STORE").map(path -> {
            char[] password = env.optional("MAILROOM_TLS_TRUST_STORE_PASSWORD").map(String::toCharArray).orElse(null);
            KeyStore store = loadTrustStore(path, password);
            // Read without its password, a PKCS12 file skips its encrypted safe bags and loads with no
            // certificate; every handshake would then fail ("trustAnchors parameter must be non-empty").
            if (trustedCertificates(store) == 0) {
                throw new ConfigException("MAILROOM_TLS_TRUST_STORE", "no trusted certificate in " + path
                        + (password == null ? " read without MAILROOM_TLS_TRUST_STORE_PASSWORD (is it set?)"
                                : " (check MAILROOM_TLS_TRUST_STORE_PASSWORD)"));
            }
            return store;
        }).orElse(null);
    }

    private static KeyStore loadTrustStore(String path, char[] password) {
        try (InputStream in = Files.newInputStream(Path.of(path))) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            return store;
        } catch (IOException | GeneralSecurityException e) {
            // A wrong password shows as an IOException too (the integrity check fails).
            throw new ConfigException("MAILROOM_TLS_TRUST_STORE", "cannot load a PKCS12 trust store from " + path
                    + " with MAILROOM_TLS_TRUST_STORE_PASSWORD" + (password == null ? " unset" : " as set"));
        }
    }

    /** Entries a PKIX trust manager would trust: certificate entries and the certificates of key entries. */
    private static int trustedCertificates(KeyStore store) {
        try {
            int count = 0;
            for (String alias : Collections.list(store.aliases())) {
                count += store.getCertificate(alias) != null ? 1 : 0;
            }
            return count;
        } catch (KeyStoreException e) {
            throw new IllegalStateException("a loaded key store refused to list its entries", e);
        }
    }

    private static boolean bool(String name, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new ConfigException(name, "must be true or false, was '" + value + "'");
        };
    }

    /** Never prints relay credentials or keys. */
    @Override
    public String toString() {
        return "MailroomConfig[queue=" + queueUrl + ", table=" + store.table() + ", mode="
                + (smtp.relayMode() ? "relay " + smtp.relay() : "mx") + ", tls=" + smtp.tlsPolicy().setting() + ", keys=" + keys.getClass().getSimpleName().toLowerCase(Locale.ROOT)
                + ", missingDkimKey=" + missingDkimKey.name().toLowerCase(Locale.ROOT) + "]";
    }
}
