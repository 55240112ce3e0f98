package io.callsup.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The service's database refuses it, for real and from the server's side: new connections to it
 * are refused and every open session to it is terminated, as when PostgreSQL is restarting or a
 * failover is under way. Closing lets connections in again. (Stopping the embedded server itself
 * is not possible here: it cannot be restarted as root.)
 */
public final class PostgresOutage implements AutoCloseable {

    private final Connection admin;
    private final String database;

    private PostgresOutage(Connection admin, String database) {
        this.admin = admin;
        this.database = database;
    }

    /** {@code jdbcUrl} is the service's; the outage is run from a session on template1, which stays open. */
    public static PostgresOutage start(String jdbcUrl, String user, String password) throws SQLException {
        String database = jdbcUrl.replaceAll("^.*/([^/?]+)(\\?.*)?$", "$1");
        Connection admin = DriverManager.getConnection(jdbcUrl.replaceAll("/[^/?]+(\\?.*)?$", "/template1$1"), user,
                password);
        try (Statement s = admin.createStatement()) {
            s.execute("ALTER DATABASE \"" + database + "\" ALLOW_CONNECTIONS false");
            s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + database
                    + "' AND pid <> pg_backend_pid()");
        }
        return new PostgresOutage(admin, database);
    }

    @Override
    public void close() throws SQLException {
        try (Statement s = admin.createStatement()) {
            s.execute("ALTER DATABASE \"" + database + "\" ALLOW_CONNECTIONS true");
        } finally {
            admin.close();
        }
    }
}
