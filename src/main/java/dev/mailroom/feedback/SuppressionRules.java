package dev.mailroom.feedback;

import dev.mailroom.feedback.InboundReport.FeedbackReport;
import dev.mailroom.feedback.RecipientResult.Severity;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which reports put an address on the suppression list, as data: {@code suppression-rules.tsv}
 * beside this class says which permanent failures are a dead mailbox or domain (suppress) and which
 * are a block of the sender or a full mailbox (keep). Complaints suppress; auth-failure and
 * not-spam reports do not (RFC 6591, RFC 5965 §7.3).
 */
public final class SuppressionRules {

    /** Why an address is suppressed; the names match the suppression list's reasons. */
    public enum Reason { BOUNCE, COMPLAINT, UNSUBSCRIBE }

    /** A decision to suppress, with the rule that made it. */
    public record Suppression(Reason reason, String rule) {
    }

    private static final Set<String> COMPLAINT_TYPES = Set.of("abuse", "fraud", "virus");

    private record Rule(String kind, Pattern pattern, String prefix, boolean suppress, String why) {
    }

    private final List<Rule> rules;

    private SuppressionRules(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** The rules shipped with Mailroom. */
    public static SuppressionRules standard() {
        try (InputStream in = SuppressionRules.class.getResourceAsStream("suppression-rules.tsv")) {
            if (in == null) {
                throw new IllegalStateException("suppression-rules.tsv is missing from the classpath");
            }
            return parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static SuppressionRules parse(InputStream in) throws IOException {
        List<Rule> rules = new ArrayList<>();
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] cols = line.split("\t");
            if (cols.length < 3 || !cols[0].contains(":") || !(cols[1].equals("suppress") || cols[1].equals("keep"))) {
                throw new IllegalArgumentException("bad suppression rule: " + line);
            }
            String kind = cols[0].substring(0, cols[0].indexOf(':'));
            String value = cols[0].substring(cols[0].indexOf(':') + 1);
            Pattern pattern = kind.equals("text") ? Pattern.compile(value, Pattern.CASE_INSENSITIVE) : null;
            rules.add(new Rule(kind, pattern, value, cols[1].equals("suppress"), cols[2]));
        }
        return new SuppressionRules(rules);
    }

    /** Whether a recipient's result suppresses the address: only permanent failures can. */
    public Optional<Suppression> suppresses(RecipientResult result) {
        if (result.severity() != Severity.PERMANENT) {
            return Optional.empty();
        }
        String text = result.diagnostic().orElse("");
        for (Rule rule : rules) {
            boolean matches = switch (rule.kind()) {
                case "text" -> rule.pattern().matcher(text).find();
                case "status" -> result.status().filter(s -> rule.prefix().endsWith(".")
                        ? s.startsWith(rule.prefix()) : s.equals(rule.prefix())).isPresent();
                case "reply" -> result.status().isEmpty()
                        && result.replyCode().filter(c -> Integer.toString(c).equals(rule.prefix())).isPresent();
                default -> false;
            };
            if (matches) {
                return rule.suppress() ? Optional.of(new Suppression(Reason.BOUNCE, rule.why())) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** Whether a feedback report suppresses its recipients: complaints and opt-outs do. */
    public Optional<Suppression> suppresses(FeedbackReport report) {
        if (COMPLAINT_TYPES.contains(report.feedbackType())) {
            return Optional.of(new Suppression(Reason.COMPLAINT, "feedback type " + report.feedbackType()));
        }
        if (report.feedbackType().equals("opt-out")) {
            return Optional.of(new Suppression(Reason.UNSUBSCRIBE, "feedback type opt-out"));
        }
        return Optional.empty();
    }
}
