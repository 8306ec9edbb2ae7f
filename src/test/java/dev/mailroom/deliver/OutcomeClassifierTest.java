package dev.mailroom.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.compose.AttachmentException;
import dev.mailroom.job.S3Location;
import dev.mailroom.resolve.Route;
import jakarta.mail.MessagingException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class OutcomeClassifierTest {

    @Test
    void ofReplyShouldClassifyByReplyCodeClass() {
        assertThat(OutcomeClassifier.ofReply(250, "250 2.0.0 ok", "mx")).isInstanceOf(Outcome.Delivered.class);
        assertThat(OutcomeClassifier.ofReply(451, "451 4.3.0 later", "mx")).isInstanceOf(Outcome.Transient.class);
        assertThat(OutcomeClassifier.ofReply(552, "552 5.2.2 mailbox full", "mx")).isInstanceOf(Outcome.Permanent.class);
    }

    @Test
    void ofReplyShouldTreatAReplyOutsideTheProtocolAsTransient() {
        assertThat(OutcomeClassifier.ofReply(-1, "garbage", "mx")).isInstanceOf(Outcome.Transient.class);
    }

    @Test
    void ofIoFailureShouldBeTransientWithAnEnhancedCodePerKindOfFailure() {
        assertThat(OutcomeClassifier.ofIoFailure(new MessagingException("x", new ConnectException("refused")), "mx")
                .diagnosis().enhancedCode()).isEqualTo("4.4.1");
        Outcome timeout = OutcomeClassifier.ofIoFailure(new MessagingException("x", new SocketTimeoutException("Read timed out")), "mx");
        assertThat(timeout).isInstanceOf(Outcome.Transient.class);
        assertThat(timeout.diagnosis().enhancedCode()).isEqualTo("4.4.2");
        assertThat(timeout.diagnosis().text()).startsWith("timed out");
        assertThat(OutcomeClassifier.ofIoFailure(new SSLHandshakeException("bad cert"), "mx").diagnosis().enhancedCode())
                .isEqualTo("4.7.5");
    }

    @Test
    void ofUnroutableShouldMakeNullMxAndNxdomainPermanentAndLookupFailuresTransient() {
        assertThat(OutcomeClassifier.ofUnroutable(new Route.NullMx())).isInstanceOf(Outcome.Permanent.class)
                .extracting(o -> o.diagnosis().enhancedCode()).isEqualTo("5.1.10");
        assertThat(OutcomeClassifier.ofUnroutable(new Route.NoSuchDomain("nx"))).isInstanceOf(Outcome.Permanent.class);
        assertThat(OutcomeClassifier.ofUnroutable(new Route.NoAddress("none"))).isInstanceOf(Outcome.Permanent.class);
        assertThat(OutcomeClassifier.ofUnroutable(new Route.LookupFailed("servfail"))).isInstanceOf(Outcome.Transient.class);
    }

    @Test
    void ofAttachmentFailureShouldBePermanentOnlyWhenTheObjectIsMissing() {
        S3Location location = new S3Location("bucket", "key");
        assertThat(OutcomeClassifier.ofAttachmentFailure(new AttachmentException.NotFound(location, null)))
                .isInstanceOf(Outcome.Permanent.class);
        assertThat(OutcomeClassifier.ofAttachmentFailure(new AttachmentException.Unavailable(location, null)))
                .isInstanceOf(Outcome.Transient.class);
    }

    @Test
    void ofAuthenticationFailureShouldDeferWithTheServersOwnCodesAndText() {
        Outcome refused = OutcomeClassifier.ofAuthenticationFailure(535, "535 5.7.8 Authentication credentials invalid", "relay");

        assertThat(refused).isInstanceOf(Outcome.Transient.class);
        assertThat(refused.diagnosis()).isEqualTo(new Diagnosis(535, "5.7.8", "Authentication credentials invalid"));
    }

    @Test
    void ofEightBitRefusedShouldBePermanentConversionRequiredButNotSupported() {
        Outcome refused = OutcomeClassifier.ofEightBitRefused("mx");

        assertThat(refused).isInstanceOf(Outcome.Permanent.class);
        assertThat(refused.diagnosis().enhancedCode()).isEqualTo("5.6.3");
    }
}
