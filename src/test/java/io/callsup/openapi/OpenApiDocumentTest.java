package io.callsup.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.callsup.testsupport.Management;
import io.callsup.testsupport.TestApi;
import io.callsup.web.Problem;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAPI document the running service serves at {@code /q/openapi}, as a client generator reads
 * it: linted by Redocly (pinned in {@code src/test/openapi-lint}) with zero errors and zero warnings,
 * and held by plain assertions to what the issue asked for and to what the service really sends.
 */
@QuarkusTest
class OpenApiDocumentTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROBLEM_REF = "#/components/schemas/Problem";
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");

    @BeforeAll
    static void installLinter() throws Exception {
        // Before the document is fetched, so that a slow first npm ci is not charged to a request.
        OpenApiLinter.ensureInstalled();
    }

    static JsonNode document() throws IOException {
        String body = given().accept("application/json").get("/q/openapi").then().statusCode(200)
                .extract().asString();
        return JSON.readTree(body);
    }

    /** Every operation: path, method, operation. */
    static void operations(JsonNode doc, Operation visitor) {
        doc.path("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(m -> {
            if (METHODS.contains(m.getKey())) {
                visitor.visit(path.getKey(), m.getKey(), m.getValue());
            }
        }));
    }

    interface Operation {
        void visit(String path, String method, JsonNode operation);
    }

    @Test
    void theDocumentLintsWithZeroErrorsAndZeroWarnings() throws Exception {
        Path file = OpenApiLinter.HOME.resolve("openapi.json");
        Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(document()));
        OpenApiLinter.Result result = OpenApiLinter.lint(file);
        assertThat(result.problems()).as("lint problems of %s:\n%s", file, result.stdout()).isEmpty();
        assertThat(result.errors()).isZero();
        assertThat(result.warnings()).isZero();
        assertThat(result.exitCode()).as(result.stderr()).isZero();
    }

    /** The lint gate catches what this issue was about: a missing operationId and an untyped error body. */
    @Test
    void theLinterRejectsAMissingOperationIdAndAnUntypedErrorBody() throws Exception {
        ObjectNode doc = (ObjectNode) document();
        ObjectNode getCall = (ObjectNode) doc.path("paths").path("/api/v1/calls/{callId}").path("get");
        assertThat(getCall.isMissingNode()).isFalse();
        getCall.remove("operationId");
        ((ObjectNode) getCall.path("responses").path("404")).remove("content");
        Path file = OpenApiLinter.HOME.resolve("openapi-broken.json");
        Files.writeString(file, JSON.writeValueAsString(doc));
        OpenApiLinter.Result result = OpenApiLinter.lint(file);
        assertThat(result.ruleIds()).as(result.stdout())
                .containsExactly("operation-4xx-problem-details-rfc7807", "operation-operationId");
        assertThat(result.errors()).isEqualTo(2);
        assertThat(result.exitCode()).isNotZero();
    }

    @Test
    void everyOperationHasAUniqueCamelCaseOperationId() throws IOException {
        List<String> ids = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        operations(document(), (path, method, op) -> {
            String id = op.path("operationId").asText("");
            if (id.isEmpty()) {
                missing.add(method.toUpperCase() + " " + path);
            } else {
                ids.add(id);
            }
        });
        assertThat(missing).as("operations without operationId").isEmpty();
        assertThat(ids).hasSizeGreaterThanOrEqualTo(43).doesNotHaveDuplicates()
                .allMatch(id -> id.matches("[a-z][a-zA-Z0-9]*"), "camelCase");
        // A client's method names: renaming one breaks every generated client, so a few are pinned.
        assertThat(ids).contains("getCall", "joinCall", "switchSupervisionMode", "leaveSupervisionSession",
                "createCustomer", "issueToken", "putHuntGroupMember", "streamEvents");
    }

    @Test
    void everyErrorResponseIsAProblemAndTheCommonFailuresAreListed() throws IOException {
        JsonNode doc = document();
        List<String> untyped = new ArrayList<>();
        List<String> unlisted = new ArrayList<>();
        operations(doc, (path, method, op) -> {
            String where = method.toUpperCase() + " " + path;
            JsonNode responses = op.path("responses");
            responses.fields().forEachRemaining(r -> {
                String code = r.getKey();
                if (code.equals("default") || code.startsWith("4") || code.startsWith("5")) {
                    JsonNode content = r.getValue().path("content");
                    List<String> types = new ArrayList<>();
                    content.fieldNames().forEachRemaining(types::add);
                    String ref = content.path(Problem.MEDIA_TYPE).path("schema").path("$ref").asText("");
                    if (!types.equals(List.of(Problem.MEDIA_TYPE)) || !ref.equals(PROBLEM_REF)) {
                        untyped.add(where + " " + code + " " + content);
                    }
                }
            });
            for (String code : List.of("400", "401", "403", "429", "500", "503")) {
                if (!responses.has(code)) {
                    unlisted.add(where + " " + code);
                }
            }
            if (path.contains("{") && !responses.has("404")) {
                unlisted.add(where + " 404");
            }
            if (op.has("requestBody") && !responses.has("415")) {
                unlisted.add(where + " 415");
            }
        });
        assertThat(untyped).as("error responses without the Problem schema").isEmpty();
        assertThat(unlisted).as("failures every such operation can meet").isEmpty();
        assertThat(doc.path("paths").path("/api/v1/calls/{callId}/supervisors").path("post").path("responses")
                .path("401").path("headers").has("WWW-Authenticate")).isTrue();
    }

    /** The hand-written schema says what {@link Problem} serialises to, and what the service sends fits it. */
    @Test
    void theProblemSchemaIsTheRecordAndTheServiceSendsIt() throws IOException {
        JsonNode schemas = document().path("components").path("schemas");
        JsonNode problem = schemas.path("Problem");
        JsonNode violation = schemas.path(ApiDocumentFilter.VIOLATION);
        assertThat(names(problem.path("properties"))).isEqualTo(components(Problem.class));
        assertThat(names(violation.path("properties"))).isEqualTo(components(Problem.Violation.class));
        assertThat(problem.path("properties").path("violations").path("items").path("$ref").asText())
                .isEqualTo("#/components/schemas/" + ApiDocumentFilter.VIOLATION);
        Set<String> required = new TreeSet<>();
        problem.path("required").forEach(n -> required.add(n.asText()));
        assertThat(required).containsExactlyInAnyOrder("type", "title", "status", "detail");

        // Two real failures: an unauthenticated request, and a body with an unknown field (violations).
        Response unauthenticated = given().get("/api/v1/customer/accounts");
        Response invalid = TestApi.admin().contentType("application/json").body("{\"name\":\"x\",\"nosuch\":1}")
                .post("/api/v1/admin/customers");
        for (Response r : List.of(unauthenticated, invalid)) {
            assertThat(r.contentType()).startsWith(Problem.MEDIA_TYPE);
            JsonNode body = JSON.readTree(r.asString());
            assertThat(names(body)).as(r.asString()).containsAll(required)
                    .isSubsetOf(names(problem.path("properties")));
            assertThat(body.path("status").asInt()).isEqualTo(r.statusCode());
        }
        assertThat(unauthenticated.statusCode()).isEqualTo(401);
        assertThat(invalid.statusCode()).isEqualTo(400);
        JsonNode first = JSON.readTree(invalid.asString()).path("violations").path(0);
        assertThat(names(first)).isEqualTo(names(violation.path("properties")));
    }

    @Test
    void onlyTheVersionedApiIsPublished() throws IOException {
        List<String> paths = new ArrayList<>();
        document().path("paths").fieldNames().forEachRemaining(paths::add);
        assertThat(paths).isNotEmpty().allMatch(p -> p.startsWith("/api/v1/"), "under /api/v1/");
        // The internal endpoints exist (on the management port) and are still not published.
        assertThat(document().toString()).doesNotContain("/internal/", "/q/");
        // Nor does the management port serve a second document that would list them.
        Management.given().accept("application/json").get("/q/openapi").then().statusCode(404);
    }

    @Test
    void everyOperationDocumentsItsSuccessWithASchema() throws IOException {
        List<String> bad = new ArrayList<>();
        operations(document(), (path, method, op) -> {
            String where = method.toUpperCase() + " " + path;
            List<Map.Entry<String, JsonNode>> successes = new ArrayList<>();
            op.path("responses").fields().forEachRemaining(r -> {
                if (r.getKey().startsWith("2")) {
                    successes.add(r);
                }
            });
            if (successes.isEmpty()) {
                bad.add(where + ": no 2xx");
            }
            for (Map.Entry<String, JsonNode> s : successes) {
                JsonNode content = s.getValue().path("content");
                if (s.getKey().equals("204")) {
                    if (!content.isMissingNode() && !content.isEmpty()) {
                        bad.add(where + " 204 with a body");
                    }
                    continue;
                }
                if (content.isEmpty()) {
                    bad.add(where + " " + s.getKey() + ": no content");
                }
                content.fields().forEachRemaining(mt -> {
                    JsonNode schema = mt.getValue().path("schema");
                    if (!schema.has("$ref") && !schema.has("type")) {
                        bad.add(where + " " + s.getKey() + " " + mt.getKey() + ": untyped " + schema);
                    }
                });
            }
        });
        assertThat(bad).isEmpty();
        JsonNode getCall = document().path("paths").path("/api/v1/calls/{callId}").path("get").path("responses");
        assertThat(getCall.path("200").path("content").path("application/json").path("schema").path("$ref").asText())
                .isEqualTo("#/components/schemas/CallView");
        JsonNode paths = document().path("paths");
        assertThat(paths.path("/api/v1/admin/customers").path("post").path("responses").path("201").path("headers")
                .has("Location")).isTrue();
        assertThat(paths.path("/api/v1/calls/{callId}/supervisors").path("post").path("responses").path("202")
                .path("headers").has("Location")).isTrue();
    }

    @Test
    void serversAndBothSchemesTheServiceAccepts() throws IOException {
        JsonNode doc = document();
        assertThat(doc.path("servers")).hasSize(1);
        // CALLSUP_PUBLIC_URL is unset in the tests: the relative default means "where this was served".
        assertThat(doc.path("servers").path(0).path("url").asText()).isEqualTo("/");
        JsonNode schemes = doc.path("components").path("securitySchemes");
        assertThat(names(schemes)).containsExactlyInAnyOrder(ApiDocumentFilter.BASIC, ApiDocumentFilter.BEARER);
        assertThat(schemes.path(ApiDocumentFilter.BASIC).path("scheme").asText()).isEqualTo("basic");
        assertThat(schemes.path(ApiDocumentFilter.BEARER).path("scheme").asText()).isEqualTo("bearer");
        List<String> bad = new ArrayList<>();
        operations(doc, (path, method, op) -> {
            Set<String> alternatives = new HashSet<>();
            op.path("security").forEach(req -> req.fieldNames().forEachRemaining(alternatives::add));
            if (op.path("security").size() != 2
                    || !alternatives.equals(Set.of(ApiDocumentFilter.BASIC, ApiDocumentFilter.BEARER))) {
                bad.add(method.toUpperCase() + " " + path + " " + op.path("security"));
            }
        });
        assertThat(bad).as("operations not requiring Basic or Bearer").isEmpty();
        JsonNode adminOnly = doc.path("paths").path("/api/v1/admin/customers").path("get").path("security");
        assertThat(adminOnly.path(0).path(ApiDocumentFilter.BASIC).toString()).isEqualTo("[\"administrator\"]");
    }

    private static Set<String> names(JsonNode node) {
        Set<String> names = new TreeSet<>();
        Iterator<String> it = node.fieldNames();
        it.forEachRemaining(names::add);
        return names;
    }

    private static Set<String> components(Class<? extends Record> type) {
        return new TreeSet<>(Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).toList());
    }
}
