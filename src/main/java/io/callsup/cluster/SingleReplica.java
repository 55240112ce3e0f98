package io.callsup.cluster;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Runs a periodic pass on one replica at a time: a PostgreSQL session-level advisory lock, held on
 * its own connection for the length of the pass. No transaction is left open around the pass, so
 * the pass's own transactions commit as they go; a replica that dies loses its connection and with
 * it the lock, and the next replica's timer takes over.
 */
@ApplicationScoped
public class SingleReplica {

    private final AgroalDataSource db;

    public SingleReplica(AgroalDataSource db) {
        this.db = db;
    }

    /** The pass's result, or empty when another replica holds {@code lock} now. */
    public <T> Optional<T> runAlone(long lock, Supplier<T> pass) {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(true);
            if (!query(c, "SELECT pg_try_advisory_lock(?)", lock)) {
                return Optional.empty();
            }
            try {
                return Optional.ofNullable(pass.get());
            } finally {
                query(c, "SELECT pg_advisory_unlock(?)", lock);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("replica lock " + Long.toHexString(lock) + ": " + e.getMessage(), e);
        }
    }

    private static boolean query(Connection c, String sql, long lock) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setLong(1, lock);
            try (ResultSet r = s.executeQuery()) {
                return r.next() && r.getBoolean(1);
            }
        }
    }
}
