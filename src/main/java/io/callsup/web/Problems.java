package io.callsup.web;

import jakarta.ws.rs.core.Response;

import java.util.List;

/** Builds Problem Details responses; the one place that knows the media type and the type URIs. */
public final class Problems {

    private Problems() {
    }

    static String type(String slug) {
        return "urn:callsup:problem:" + slug;
    }

    public static Response response(Problem problem) {
        return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem).build();
    }

    public static Response response(int status, String slug, String title, String detail, String instance,
                                    List<Problem.Violation> violations) {
        return response(new Problem(type(slug), title, status, detail, instance, violations));
    }
}
