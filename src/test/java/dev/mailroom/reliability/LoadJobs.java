package dev.mailroom.reliability;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A seeded mix of send jobs: text only (50 %), html with an inline image (25 %), an S3 attachment
 * of 4 KB to 1 MB (25 %); 1 to 5 recipients over four domains; about 2 % of recipients refused
 * for good by the receiver ({@code bounce-…}, 550 5.1.1) and about 1 % of jobs with a recipient at a
 * null-MX domain (5.1.10), so that terminal failures with reasons are part of the mix.
 */
final class LoadJobs {

    /** A recipient and what must become of it. */
    record Recipient(String address, boolean mustFail) {
    }

    /** One generated job: its id, JSON body, and recipients. */
    record Job(String jobId, String body, List<Recipient> recipients, String kind) {
    }

    /** S3 objects the attachment jobs point at, by key, with their sizes and weights (percent). */
    static final Map<String, Integer> ATTACHMENT_SIZES = new LinkedHashMap<>(Map.of(
            "att/4k", 4 * 1024, "att/64k", 64 * 1024, "att/256k", 256 * 1024, "att/1m", 1024 * 1024));
    private static final int[] ATTACHMENT_WEIGHTS = {40, 30, 20, 10};
    private static final String[] DOMAINS = {"alpha.test", "beta.test", "gamma.test", "delta.test"};
    private static final ObjectMapper JSON = new ObjectMapper();

    private LoadJobs() {
    }

    /** The attachment objects to upload before the jobs run: deterministic bytes of each size. */
    static Map<String, byte[]> attachmentObjects(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, byte[]> objects = new LinkedHashMap<>();
        ATTACHMENT_SIZES.forEach((key, size) -> {
            byte[] bytes = new byte[size];
            for (int i = 0; i < size; i++) {
                bytes[i] = (byte) random.nextInt(256);
            }
            objects.put(key, bytes);
        });
        return objects;
    }

    static List<Job> generate(String prefix, int count, String bucket, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        String inline = Base64.getEncoder().encodeToString(inlineImage(random));
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            jobs.add(job(prefix + "-" + i, bucket, inline, random));
        }
        return jobs;
    }

    private static Job job(String jobId, String bucket, String inline, SplittableRandom random) {
        ObjectNode job = JSON.createObjectNode();
        job.put("version", 1).put("jobId", jobId).put("from", ReliabilityRig.SENDER);
        List<Recipient> recipients = recipients(jobId, random);
        ArrayNode to = job.putArray("to");
        ArrayNode cc = job.putArray("cc");
        ArrayNode bcc = job.putArray("bcc");
        for (int i = 0; i < recipients.size(); i++) {
            int list = i == 0 ? 0 : random.nextInt(3);
            (list == 0 ? to : list == 1 ? cc : bcc).add(recipients.get(i).address());
        }
        job.put("subject", "Reliability " + jobId);
        job.putObject("headers").put(DeliveredCopies.JOB_HEADER, jobId);
        int kind = random.nextInt(100);
        String description;
        if (kind < 50) {
            job.put("text", "Plain text of " + jobId + "\n" + "lorem ipsum ".repeat(1 + random.nextInt(200)));
            description = "text";
        } else if (kind < 75) {
            job.put("text", "Text part of " + jobId);
            job.put("html", "<p>Html of " + jobId + "</p><img src=\"cid:logo\">");
            job.putArray("attachments").addObject().put("filename", "logo.png").put("contentType", "image/png")
                    .put("disposition", "inline").put("contentId", "logo").put("content", inline);
            description = "html+inline";
        } else {
            String key = attachmentKey(random);
            job.put("text", "See the attachment, " + jobId);
            ObjectNode attachment = job.putArray("attachments").addObject().put("filename", "data.bin")
                    .put("contentType", "application/octet-stream");
            attachment.putObject("s3").put("bucket", bucket).put("key", key);
            description = "s3 " + key;
        }
        return new Job(jobId, job.toString(), recipients, description);
    }

    private static List<Recipient> recipients(String jobId, SplittableRandom random) {
        List<Recipient> recipients = new ArrayList<>();
        int count = 1 + random.nextInt(5);
        String local = jobId.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        for (int k = 0; k < count; k++) {
            String domain = DOMAINS[random.nextInt(DOMAINS.length)];
            boolean bounce = random.nextInt(100) < 2;
            recipients.add(new Recipient((bounce ? "bounce-" : "u-") + local + "-" + k + "@" + domain, bounce));
        }
        if (random.nextInt(100) < 1) {
            recipients.add(new Recipient("n-" + local + "@nullmx.test", true));
        }
        return recipients;
    }

    private static String attachmentKey(SplittableRandom random) {
        int roll = random.nextInt(100);
        int index = 0;
        for (int cumulative = ATTACHMENT_WEIGHTS[0]; roll >= cumulative; cumulative += ATTACHMENT_WEIGHTS[++index]) {
            // walk the weights
        }
        return new ArrayList<>(ATTACHMENT_SIZES.keySet()).get(index);
    }

    private static byte[] inlineImage(SplittableRandom random) {
        byte[] image = new byte[2048];
        for (int i = 0; i < image.length; i++) {
            image[i] = (byte) random.nextInt(256);
        }
        return image;
    }
}
