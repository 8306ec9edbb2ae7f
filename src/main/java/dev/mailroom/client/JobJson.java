package dev.mailroom.client;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.mailroom.job.SendJob;

/**
 * The job as the send queue's intake reads it (contract v1): the {@link SendJob} record's component
 * names, nulls left out, instants as ISO-8601 strings.
 */
final class JobJson {

    // SendJob.isRaw() and Attachment.isInline() are not fields: as "raw"/"inline" properties they
    // would clash with the raw source or be refused by the intake's strict parser (unknown field).
    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(MapperFeature.AUTO_DETECT_IS_GETTERS)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    private JobJson() {
    }

    static String write(SendJob job) {
        try {
            return JSON.writeValueAsString(job);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write job " + job.jobId() + " as JSON", e);
        }
    }
}
