package dev.mailroom.deploy;

import static dev.mailroom.deploy.SamTemplate.TEMPLATE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The fixture the template tests stand on: template.yaml reads as plain YAML, and {@link Intrinsics}
 * evaluates each intrinsic function, condition and rule the way CloudFormation does, on small
 * templates written here.
 */
class SamTemplateTest {

    /** A stack with a parameter of each kind, three resources, a mapping, conditions and a rule. */
    private static final String STACK = """
            Parameters:
              Mode: {Type: String, Default: mx}
              Host: {Type: String, Default: ""}
              Domains: {Type: CommaDelimitedList, Default: "a.test,b.test"}
              Secret: {Type: String}
            Mappings:
              Sizes:
                mx: {Memory: 512}
                relay: {Memory: 256}
            Conditions:
              IsRelay: {Fn::Equals: [{Ref: Mode}, relay]}
              HasHost: {Fn::Not: [{Fn::Equals: [{Ref: Host}, ""]}]}
              RelayWithHost: {Fn::And: [{Condition: IsRelay}, {Condition: HasHost}]}
              RelayOrHost: {Fn::Or: [{Condition: IsRelay}, {Condition: HasHost}]}
            Rules:
              RelayNeedsAHost:
                RuleCondition: {Fn::Equals: [{Ref: Mode}, relay]}
                Assertions:
                  - Assert: {Fn::Not: [{Fn::Equals: [{Ref: Host}, ""]}]}
                    AssertDescription: relay mode needs a Host
              AlwaysChecked:
                Assertions:
                  - Assert: {Fn::Equals: [{Ref: "AWS::Region"}, us-east-1]}
                    AssertDescription: us-east-1 only
            Resources:
              Queue:
                Type: AWS::SQS::Queue
              Table:
                Type: AWS::DynamoDB::Table
              Function:
                Type: AWS::Serverless::Function
                Properties:
                  Queue: {Ref: Queue}
                  Table: {Ref: Table}
                  QueueArn: {Fn::GetAtt: [Queue, Arn]}
                  QueueUrl: {Fn::GetAtt: Queue.QueueUrl}
                  Region: {Ref: "AWS::Region"}
                  Host: {Fn::If: [HasHost, {Ref: Host}, {Ref: "AWS::NoValue"}]}
                  Memory: {Fn::FindInMap: [Sizes, {Ref: Mode}, Memory]}
                  Domains: {Fn::Split: [",", {Ref: Domains}]}
                  Joined: {Fn::Join: ["+", [x, {Ref: Mode}, {Ref: "AWS::AccountId"}]]}
                  Name: {Fn::Sub: "${AWS::StackName}-${Mode}-${Queue}-${Queue.Arn}"}
                  Named: {Fn::Sub: ["${Prefix}/${Mode}", {Prefix: {Fn::GetAtt: [Queue, QueueName]}}]}
                  Tags: [{Ref: Mode}, {Ref: "AWS::NoValue"}, {Ref: "AWS::Partition"}]
            """;

    @Test
    void theTemplateShouldUseOnlyLongFormIntrinsicsSoThatPlainYamlReadsIt() throws IOException {
        Pattern shortForm = Pattern.compile("(^|[\\s\\[,:])!(Ref|GetAtt|Sub|If|Join|Split|Select|FindInMap|Equals|Not"
                + "|And|Or|Condition|Base64|Cidr|GetAZs|ImportValue|Transform)\\b");
        List<String> offending = new ArrayList<>();
        List<String> lines = Files.readAllLines(TEMPLATE);
        for (int i = 0; i < lines.size(); i++) {
            String code = lines.get(i).replaceFirst("(^|\\s)#.*$", "");
            if (shortForm.matcher(code).find()) {
                offending.add((i + 1) + ": " + lines.get(i).strip());
            }
        }

        assertThat(offending).as("short-form tags in template.yaml (write Ref:, Fn::GetAtt: ...)").isEmpty();
    }

    @Test
    void refShouldGiveAParametersDefaultUnlessTheTestGivesAValue() throws JsonProcessingException {
        assertThat(stack(Map.of()).properties("Function").path("Memory").asInt()).isEqualTo(512);
        assertThat(stack(Map.of("Mode", "relay")).properties("Function").path("Memory").asInt()).isEqualTo(256);
    }

    @Test
    void refAndGetAttShouldWriteWhatOnlyTheStackKnowsAsPlaceholders() throws JsonProcessingException {
        var function = stack(Map.of()).properties("Function");

        assertThat(function.path("Table").asText()).isEqualTo("{Ref:Table}");
        assertThat(function.path("Queue").asText()).as("a queue's Ref: its URL, named by the logical id")
                .isEqualTo("https://sqs.us-east-1.amazonaws.com/123456789012/Queue");
        assertThat(function.path("QueueArn").asText()).isEqualTo("{Queue.Arn}");
        assertThat(function.path("QueueUrl").asText()).isEqualTo("{Queue.QueueUrl}");
        assertThat(function.path("Region").asText()).isEqualTo("us-east-1");
    }

    @Test
    void refToNoValueShouldDropThePropertyOrTheListElement() throws JsonProcessingException {
        var function = stack(Map.of()).properties("Function");

        assertThat(function.has("Host")).isFalse();
        assertThat(function.path("Tags").toString()).isEqualTo("[\"mx\",\"aws\"]");
    }

    @Test
    void subShouldReplaceParametersPseudoParametersResourcesAttributesAndItsOwnVariables()
            throws JsonProcessingException {
        var function = stack(Map.of()).properties("Function");

        assertThat(function.path("Name").asText()).isEqualTo("mailroom-mx-https://sqs.us-east-1.amazonaws.com/123456789012/Queue-{Queue.Arn}");
        assertThat(function.path("Named").asText()).isEqualTo("{Queue.QueueName}/mx");
    }

    @Test
    void findInMapSplitAndJoinShouldEvaluateTheirResolvedArguments() throws JsonProcessingException {
        var function = stack(Map.of("Mode", "relay")).properties("Function");

        assertThat(function.path("Memory").asInt()).isEqualTo(256);
        assertThat(function.path("Domains").toString()).isEqualTo("[\"a.test\",\"b.test\"]");
        assertThat(function.path("Joined").asText()).isEqualTo("x+relay+123456789012");
    }

    @Test
    void conditionsShouldCombineEqualsNotAndOrAndOtherConditions() throws JsonProcessingException {
        SamTemplate relayWithoutHost = stack(Map.of("Mode", "relay"));
        SamTemplate mxWithHost = stack(Map.of("Host", "smtp.test"));

        assertThat(relayWithoutHost.condition("IsRelay")).isTrue();
        assertThat(relayWithoutHost.condition("HasHost")).isFalse();
        assertThat(relayWithoutHost.condition("RelayWithHost")).isFalse();
        assertThat(relayWithoutHost.condition("RelayOrHost")).isTrue();
        assertThat(mxWithHost.condition("RelayOrHost")).isTrue();
        assertThat(stack(Map.of()).condition("RelayOrHost")).isFalse();
    }

    @Test
    void ifShouldGiveTheBranchItsConditionPicks() throws JsonProcessingException {
        assertThat(stack(Map.of("Host", "smtp.test")).properties("Function").path("Host").asText()).isEqualTo("smtp.test");
        assertThat(stack(Map.of()).properties("Function").has("Host")).isFalse();
    }

    @Test
    void brokenRulesShouldListTheFailedAssertionsOfRulesWhoseConditionHolds() throws JsonProcessingException {
        assertThat(stack(Map.of()).brokenRules()).isEmpty();
        assertThat(stack(Map.of("Mode", "relay")).brokenRules())
                .containsExactly("RelayNeedsAHost: relay mode needs a Host");
        assertThat(stack(Map.of("Mode", "relay", "Host", "smtp.test")).brokenRules()).isEmpty();
    }

    @Test
    void anIntrinsicTheEvaluatorDoesNotKnowShouldFailNamingIt() throws JsonProcessingException {
        SamTemplate template = SamTemplate.of("""
                Resources:
                  Function:
                    Properties:
                      Zone: {Fn::Select: [0, {Fn::GetAZs: ""}]}
                """, Map.of());

        assertThatThrownBy(() -> template.properties("Function")).isInstanceOf(AssertionError.class)
                .hasMessageContaining("Fn::Select");
    }

    @Test
    void aTemplateThatNamesWhatItDoesNotDeclareShouldFail() throws JsonProcessingException {
        SamTemplate template = SamTemplate.of("""
                Parameters:
                  Secret: {Type: String}
                Resources:
                  Ghost:
                    Properties: {Ref: Missing}
                  Unset:
                    Properties: {Ref: Secret}
                """, Map.of());

        assertThatThrownBy(() -> template.properties("Ghost")).hasMessageContaining("Ref to unknown Missing");
        assertThatThrownBy(() -> template.properties("Unset")).hasMessageContaining("parameter Secret has no default");
        assertThatThrownBy(() -> stack(Map.of("Undeclared", "x"))).hasMessageContaining("template parameter Undeclared");
    }

    private static SamTemplate stack(Map<String, String> parameters) throws JsonProcessingException {
        return SamTemplate.of(STACK, parameters);
    }
}
