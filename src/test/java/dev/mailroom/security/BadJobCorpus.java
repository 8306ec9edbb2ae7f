package dev.mailroom.security;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The malformed send jobs in {@code src/test/resources/bad-jobs/}: one file per job, and
 * {@code expected.tsv} saying what Mailroom must answer to each (see its header). Large inputs are
 * written as placeholders and expanded here, so a 3 MB string costs a few bytes on disk.
 */
final class BadJobCorpus {

    static final String DIRECTORY = "/bad-jobs/";
    /** SQS caps message attributes; {@code SqsS3DeadLetters} truncates the reason to this much. */
    static final int MAX_REASON_CHARS = 1_000;

    private static final Pattern GENERATOR = Pattern.compile("\\$\\{(REPEAT|LIST):(\\d+):([^}]*)}");
    private static final Pattern FILL = Pattern.compile("\\$\\{FILL:(\\d+):(.)}");

    enum Expected { REJECTED, FAILED }

    /**
     * @param expectation a prefix of the reason (REJECTED) or of every recipient's enhanced status
     *                    code (FAILED); {@code ~regex} to match from the start instead
     */
    record Entry(String file, Expected outcome, String expectation, String note, String body) {

        boolean matches(String actual) {
            if (actual == null) {
                return false;
            }
            return expectation.startsWith("~")
                    ? Pattern.compile(expectation.substring(1)).matcher(actual).lookingAt()
                    : actual.startsWith(expectation);
        }

        @Override
        public String toString() {
            return file;
        }
    }

    private BadJobCorpus() {
    }

    /** Every entry, placeholders expanded for these bucket names. */
    static List<Entry> load(String bucket, String otherBucket) {
        List<Entry> entries = new ArrayList<>();
        for (String line : resource("expected.tsv").split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] columns = line.split("\t", -1);
            if (columns.length != 4) {
                throw new IllegalStateException("expected.tsv: 4 tab-separated columns needed: " + line);
            }
            String body = expand(resource(columns[0]), bucket, otherBucket);
            entries.add(new Entry(columns[0], Expected.valueOf(columns[1]), columns[2], columns[3], body));
        }
        return entries;
    }

    static List<Entry> rejected(String bucket, String otherBucket) {
        return load(bucket, otherBucket).stream().filter(e -> e.outcome() == Expected.REJECTED).toList();
    }

    /** The files in the corpus directory itself (not {@code expected.tsv}, not {@code objects/}). */
    static List<String> files() {
        try {
            Path directory = Path.of(BadJobCorpus.class.getResource(DIRECTORY).toURI());
            try (Stream<Path> listing = Files.list(directory)) {
                return listing.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                        .filter(name -> !name.equals("expected.tsv")).sorted().toList();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An S3 object a corpus job refers to, from {@code objects/}. */
    static byte[] object(String name) {
        try (InputStream in = BadJobCorpus.class.getResourceAsStream(DIRECTORY + "objects/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no corpus object " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What every rejection reason must be, whatever the input: safe to put in a log line, a DynamoDB
     * item and an SQS message attribute (which refuses NUL and most control characters).
     *
     * @return null when the reason is fine, else what is wrong with it
     */
    static String unsafeReason(String reason) {
        if (reason.length() > MAX_REASON_CHARS) {
            return "reason is " + reason.length() + " characters long (at most " + MAX_REASON_CHARS + ")";
        }
        int control = reason.codePoints().filter(Character::isISOControl).findFirst().orElse(-1);
        if (control >= 0) {
            return String.format("reason carries control character U+%04X", control);
        }
        return null;
    }

    /** Control characters made visible, long texts cut: for assertion messages. */
    static String printable(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder();
        text.codePoints().limit(300).forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04X", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return text.length() > 300 ? out + "...(" + text.length() + " chars)" : out.toString();
    }

    private static String resource(String name) {
        try (InputStream in = BadJobCorpus.class.getResourceAsStream(DIRECTORY + name)) {
            if (in == null) {
                throw new IllegalStateException("expected.tsv lists " + name + ", which is not in " + DIRECTORY);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String expand(String template, String bucket, String otherBucket) {
        String text = template.replace("${BUCKET}", bucket).replace("${OTHER_BUCKET}", otherBucket);
        Matcher generator = GENERATOR.matcher(text);
        StringBuilder expanded = new StringBuilder();
        while (generator.find()) {
            int count = Integer.parseInt(generator.group(2));
            String item = generator.group(3);
            String replacement;
            if (generator.group(1).equals("REPEAT")) {
                replacement = item.repeat(count);
            } else {
                StringJoiner list = new StringJoiner(",");
                for (int i = 1; i <= count; i++) {
                    list.add(item.replace("#", Integer.toString(i)));
                }
                replacement = list.toString();
            }
            generator.appendReplacement(expanded, Matcher.quoteReplacement(replacement));
        }
        generator.appendTail(expanded);
        return fill(expanded.toString());
    }

    private static String fill(String text) {
        Matcher fill = FILL.matcher(text);
        if (!fill.find()) {
            return text;
        }
        int target = Integer.parseInt(fill.group(1));
        String without = text.substring(0, fill.start()) + text.substring(fill.end());
        int missing = target - without.getBytes(StandardCharsets.UTF_8).length;
        if (missing < 0) {
            throw new IllegalStateException("FILL target " + target + " is below the rest of the body");
        }
        return text.substring(0, fill.start()) + fill.group(2).repeat(missing) + text.substring(fill.end());
    }
}
