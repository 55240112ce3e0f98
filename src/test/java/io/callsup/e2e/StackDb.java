package io.callsup.e2e;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/** What tests of the service-as-a-process read straight from its PostgreSQL. */
final class StackDb {

    private StackDb() {
    }

    /** Ordinary calls (not supervision legs) the account takes part in. */
    static int callsOf(Connection db, long accountId) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT count(*) FROM active_call WHERE NOT supervision_leg"
                + " AND (caller_account_id = ? OR callee_account_id = ?)")) {
            ps.setLong(1, accountId);
            ps.setLong(2, accountId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** The id of the ordinary call the account takes part in, or null. */
    static String callIdOf(Connection db, long accountId) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT call_id FROM active_call WHERE NOT supervision_leg"
                + " AND (caller_account_id = ? OR callee_account_id = ?) LIMIT 1")) {
            ps.setLong(1, accountId);
            ps.setLong(2, accountId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** The supervisor's newest session as "STATE/MODE/END_REASON", or null. */
    static String sessionOf(Connection db, long supervisorId) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT state, mode, end_reason FROM supervision_session"
                + " WHERE supervisor_account_id = ? ORDER BY started_at DESC LIMIT 1")) {
            ps.setLong(1, supervisorId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) + "/" + rs.getString(2) + "/" + rs.getString(3) : null;
            }
        }
    }

    /** The id of the supervisor's newest session, or null. */
    static String sessionIdOf(Connection db, long supervisorId) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT id FROM supervision_session"
                + " WHERE supervisor_account_id = ? ORDER BY started_at DESC LIMIT 1")) {
            ps.setLong(1, supervisorId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** What moved the supervisor's newest session, oldest first (e.g. CODE, RFC4733). */
    static java.util.List<String> triggersOf(Connection db, long supervisorId) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT c.trigger FROM supervision_mode_change c"
                + " WHERE c.session_id = (SELECT s.id FROM supervision_session s WHERE s.supervisor_account_id = ?"
                + " ORDER BY s.started_at DESC LIMIT 1) ORDER BY c.id")) {
            ps.setLong(1, supervisorId);
            try (ResultSet rs = ps.executeQuery()) {
                java.util.List<String> out = new java.util.ArrayList<>();
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
                return out;
            }
        }
    }

    interface Check {
        boolean holds() throws Exception;
    }

    static void await(Check check, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
        while (System.nanoTime() < deadline) {
            if (check.holds()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("timed out waiting for: " + what);
    }
}
