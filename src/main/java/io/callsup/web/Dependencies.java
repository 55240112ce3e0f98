package io.callsup.web;

import jakarta.ws.rs.core.Response;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/** Recognises a failure that means a dependency is down, so the answer is 503 and not a 500. */
public final class Dependencies {

    /** Seconds a client should wait before retrying while a dependency is down. */
    static final int RETRY_AFTER_SECONDS = 5;

    private Dependencies() {
    }

    /** No connection to PostgreSQL: refused, reset, or none free within the pool's acquisition timeout. */
    public static boolean databaseDown(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLTransientConnectionException) {
                return true;
            }
            // 08: connection exceptions; 57P01-03: the server shut the session down or cannot take it now.
            if (t instanceof SQLException sql && sql.getSQLState() != null && (sql.getSQLState().startsWith("08")
                    || sql.getSQLState().startsWith("57P"))) {
                return true;
            }
            String name = t.getClass().getName();
            if (name.equals("org.hibernate.exception.JDBCConnectionException")) {
                return true;
            }
            String message = t.getMessage();
            if (message != null && (message.contains("Acquisition timeout") || message.contains("Connection refused")
                    || message.contains("This connection has been closed")
                    || message.contains("is not currently accepting connections"))) {
                return true;
            }
        }
        return false;
    }

    /** PostgreSQL refused a value itself (SQLSTATE class 22, data exception): the request's fault. */
    static boolean badData(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("22")) {
                return true;
            }
        }
        return false;
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    public static Response unavailable(String dependency, String path) {
        Response problem = Problems.response(503, "dependency-unavailable", "Dependency unavailable",
                dependency + " is unavailable; retry later", path, null);
        return Response.fromResponse(problem).header("Retry-After", RETRY_AFTER_SECONDS).build();
    }
}
