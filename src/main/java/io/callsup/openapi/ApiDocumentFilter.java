package io.callsup.openapi;

import io.callsup.web.Problem;
import io.quarkus.smallrye.openapi.OpenApiFilter;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.headers.Header;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;
import org.eclipse.microprofile.openapi.models.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.models.security.SecurityScheme;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Makes the served OpenAPI document fit for client generators. The scanner alone leaves error bodies
 * untyped (a generated client sees {@code unknown}), knows only one security scheme and lists
 * whatever a JAX-RS path declares; this filter states what the service really does:
 * <ul>
 * <li>only the versioned API ({@value #API_PREFIX}) is published;</li>
 * <li>every 4xx/5xx response (and {@code default}) carries {@link Problem} as
 * {@value Problem#MEDIA_TYPE}, the body {@code ProblemMappers} and {@code HttpLimits} write;</li>
 * <li>the failures any operation can meet are listed on every operation: malformed credentials
 * (400), the sign-in throttle (429), an unreachable database (503), an unexpected failure (500), and
 * 404 where a path names an object, 415 where a body is read;</li>
 * <li>Basic and Bearer are both accepted ({@code ApiAuthMechanism}), so every operation names the two
 * as alternatives, each with the roles the scanner found in {@code @RolesAllowed}.</li>
 * </ul>
 * It works on the whole model at the end, so it does not depend on the order of Quarkus' own filters.
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.BUILD)
public class ApiDocumentFilter implements OASFilter {

    static final String API_PREFIX = "/api/";
    static final String PROBLEM = "Problem";
    static final String VIOLATION = "ProblemViolation";
    static final String BASIC = "basicAuth";
    static final String BEARER = "bearerAuth";

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getPaths() != null && openAPI.getPaths().getPathItems() != null) {
            new ArrayList<>(openAPI.getPaths().getPathItems().keySet()).stream()
                    .filter(path -> !path.startsWith(API_PREFIX))
                    .forEach(openAPI.getPaths()::removePathItem);
        }
        Components components = openAPI.getComponents() == null ? OASFactory.createComponents()
                : openAPI.getComponents();
        openAPI.setComponents(components);
        components.addSchema(PROBLEM, ProblemSchema.problem());
        components.addSchema(VIOLATION, ProblemSchema.violation());
        // Quarkus names its generated scheme after quarkus.smallrye-openapi.security-scheme-name; ours replace it.
        components.setSecuritySchemes(new LinkedHashMap<>(Map.of(
                BASIC, OASFactory.createSecurityScheme().type(SecurityScheme.Type.HTTP).scheme("basic")
                        .description("HTTP Basic with an API credential (username and password)"),
                BEARER, OASFactory.createSecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
                        .description("A token issued by POST /api/v1/customer/credentials/{credentialId}/tokens"))));
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        openAPI.getPaths().getPathItems().forEach((path, item) -> item.getOperations()
                .forEach((method, operation) -> complete(path, method, operation)));
        openAPI.setSecurity(null);
    }

    private static void complete(String path, PathItem.HttpMethod method, Operation operation) {
        operation.setSecurity(security(operation.getSecurity()));
        APIResponses responses = operation.getResponses() == null ? OASFactory.createAPIResponses()
                : operation.getResponses();
        operation.setResponses(responses);
        addIfAbsent(responses, "400");
        addIfAbsent(responses, "401");
        addIfAbsent(responses, "403");
        if (path.contains("{")) {
            addIfAbsent(responses, "404");
        }
        if (operation.getRequestBody() != null) {
            addIfAbsent(responses, "415");
        }
        addIfAbsent(responses, "429");
        addIfAbsent(responses, "500");
        addIfAbsent(responses, "503");
        responses.getAPIResponses().forEach((code, response) -> {
            if (isError(code)) {
                problemBody(code, response);
            }
        });
    }

    static boolean isError(String code) {
        return code.equals("default") || code.startsWith("4") || code.startsWith("5");
    }

    /** Basic and Bearer as alternatives, each with the roles of the scanner's requirement. */
    private static List<SecurityRequirement> security(List<SecurityRequirement> scanned) {
        TreeSet<String> roles = new TreeSet<>();
        if (scanned != null) {
            scanned.forEach(r -> r.getSchemes().values().forEach(v -> {
                if (v != null) {
                    roles.addAll(v);
                }
            }));
        }
        List<String> scopes = List.copyOf(roles);
        return List.of(OASFactory.createSecurityRequirement().addScheme(BASIC, scopes),
                OASFactory.createSecurityRequirement().addScheme(BEARER, scopes));
    }

    private static void addIfAbsent(APIResponses responses, String code) {
        if (!responses.hasAPIResponse(code)) {
            responses.addAPIResponse(code, OASFactory.createAPIResponse().description(STANDARD.get(code)));
        }
    }

    private static void problemBody(String code, APIResponse response) {
        if (response.getDescription() == null || GENERIC.contains(response.getDescription())) {
            response.setDescription(STANDARD.getOrDefault(code, "Failure"));
        }
        Schema ref = OASFactory.createSchema().ref(PROBLEM);
        Content content = OASFactory.createContent()
                .addMediaType(Problem.MEDIA_TYPE, OASFactory.createMediaType().schema(ref));
        response.setContent(content);
        if (code.equals("401")) {
            response.addHeader("WWW-Authenticate",
                    header("Both schemes the service accepts", Schema.SchemaType.STRING));
        }
        if (code.equals("429")) {
            response.addHeader("Retry-After",
                    header("Seconds until another sign-in attempt is counted", Schema.SchemaType.INTEGER));
        }
    }

    private static Header header(String description, Schema.SchemaType type) {
        return OASFactory.createHeader().description(description).schema(OASFactory.createSchema().addType(type));
    }

    /** What Quarkus writes when it adds a response by itself; ours say why. */
    private static final List<String> GENERIC = List.of("Bad Request", "Not Authorized", "Not Allowed", "");
    private static final Map<String, String> STANDARD = Map.of(
            "400", "Malformed request: invalid input, unknown or mistyped JSON fields, malformed credentials; "
                    + "violations name each field",
            "401", "Missing or wrong credentials",
            "403", "The credential's realm, role or permission does not allow this request",
            "404", "No such object for this customer (said the same way whether it does not exist or belongs to "
                    + "another customer)",
            "415", "The body was not sent as application/json",
            "429", "Too many failed sign-in attempts from this source or for this username",
            "500", "Unexpected failure (logged by the service)",
            "503", "A dependency (PostgreSQL, Kamailio or rtpengine) cannot be reached");
}
