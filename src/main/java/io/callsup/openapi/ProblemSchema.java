package io.callsup.openapi;

import io.callsup.web.Problem;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.models.media.Schema;

import java.util.List;

/**
 * The schema of {@link Problem} as the service writes it (Jackson, {@code NON_NULL}): {@code type},
 * {@code title}, {@code status} and {@code detail} on every body; {@code instance} (the request path)
 * except where the HTTP layer refuses before routing ({@code HttpLimits}); {@code violations} only
 * for input errors. Written by hand because no operation returns the record, so the scanner never
 * sees it; {@code OpenApiDocumentTest} holds it to the record's components.
 */
final class ProblemSchema {

    private ProblemSchema() {
    }

    static Schema problem() {
        return OASFactory.createSchema()
                .addType(Schema.SchemaType.OBJECT)
                .description("RFC 9457 Problem Details, sent as " + Problem.MEDIA_TYPE)
                .addProperty("type", string("urn:callsup:problem:<slug>, one per kind of failure")
                        .format("uri").examples(List.of("urn:callsup:problem:validation")))
                .addProperty("title", string("Short summary of the kind of failure")
                        .examples(List.of("Invalid request")))
                .addProperty("status", OASFactory.createSchema().addType(Schema.SchemaType.INTEGER).format("int32")
                        .minimum(java.math.BigDecimal.valueOf(400)).maximum(java.math.BigDecimal.valueOf(599))
                        .description("The HTTP status code of this response").examples(List.of(400)))
                .addProperty("detail", string("What went wrong in this request")
                        .examples(List.of("extension: must be 1-15 digits")))
                .addProperty("instance", string("Path of the request that failed")
                        .format("uri-reference").examples(List.of("/api/v1/customer/accounts")))
                .addProperty("violations", OASFactory.createSchema().addType(Schema.SchemaType.ARRAY)
                        .description("Input errors, one per offending field or parameter")
                        .items(OASFactory.createSchema().ref(ApiDocumentFilter.VIOLATION)))
                .required(List.of("type", "title", "status", "detail"));
    }

    static Schema violation() {
        return OASFactory.createSchema()
                .addType(Schema.SchemaType.OBJECT)
                .description("One offending input")
                .addProperty("field", string("JSON field, parameter or header name").examples(List.of("extension")))
                .addProperty("message", string("Why it was refused").examples(List.of("must be 1-15 digits")))
                .required(List.of("field", "message"));
    }

    private static Schema string(String description) {
        return OASFactory.createSchema().addType(Schema.SchemaType.STRING).description(description);
    }
}
