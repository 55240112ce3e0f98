package io.callsup.supervision;

import io.quarkus.narayana.jta.QuarkusTransaction;
import org.jboss.logging.Logger;

import java.util.Objects;
import java.util.Optional;

/**
 * Which in-dialog requests on a supervisor's own leg the service believes: those that name the leg's
 * Call-ID and both its tags. Kamailio checks the same against the dialog it tracks; this is the
 * second check, against what the session stored, so a request that slipped past the edge (or a
 * forged event post) still changes nothing.
 */
public final class SupervisorLegs {

    private static final Logger LOG = Logger.getLogger(SupervisorLegs.class);

    public enum Match { MATCH, NO_SESSION, TAG_MISMATCH }

    private SupervisorLegs() {
    }

    /**
     * Kamailio reports the leg's dialog confirmed (its own dialog tracking, over the authenticated
     * internal endpoint). A dialled leg's From-tag is the phone's, stored at the decision: a report
     * with another records nothing. An originated leg's From-tag is made by tm and first known here.
     */
    public static void started(String callId, String fromTag, String toTag) {
        if (toTag == null || toTag.isBlank()) {
            return;
        }
        Optional<java.util.UUID> id = QuarkusTransaction.requiringNew().call(() ->
                SupervisionSession.liveBySupervisorLeg(callId).map(found -> found.id));
        if (id.isEmpty()) {
            return;
        }
        // Under the session's row lock, like every other writer (SessionRunner): never a stale copy.
        QuarkusTransaction.requiringNew().run(() -> SupervisionSession.lock(id.get()).filter(SupervisionSession::live)
                .ifPresent(s -> {
            if (s.supervisorToTag == null && (s.supervisorFromTag == null && !s.dialledIn
                    || Objects.equals(s.supervisorFromTag, fromTag))) {
                s.supervisorFromTag = fromTag;
                s.supervisorToTag = toTag;
            } else if (!Objects.equals(s.supervisorToTag, toTag) || !Objects.equals(s.supervisorFromTag, fromTag)) {
                LOG.warnf("dialog start for supervisor leg %s with tags %s/%s, session %s has %s/%s: ignored",
                        callId, fromTag, toTag, s.id, s.supervisorFromTag, s.supervisorToTag);
            }
        }));
    }

    /**
     * Whether a request from the supervisor's phone with these tags belongs to the live session on
     * leg {@code callId}. The phone is the caller of a dialled leg (its tag is the stored From-tag)
     * and the callee of an originated one (its tag is the stored To-tag). A leg whose second tag is
     * not known yet matches nothing (fail closed).
     */
    public static Match check(String callId, String fromTag, String toTag) {
        Optional<SupervisionSession> live = QuarkusTransaction.requiringNew().call(() ->
                SupervisionSession.liveBySupervisorLeg(callId));
        if (live.isEmpty()) {
            return Match.NO_SESSION;
        }
        SupervisionSession s = live.get();
        return tagsMatch(s.dialledIn, s.supervisorFromTag, s.supervisorToTag, fromTag, toTag)
                ? Match.MATCH : Match.TAG_MISMATCH;
    }

    static boolean tagsMatch(boolean dialled, String storedFrom, String storedTo, String from, String to) {
        if (storedFrom == null || storedTo == null || from == null || to == null) {
            return false;
        }
        return dialled ? storedFrom.equals(from) && storedTo.equals(to) : storedFrom.equals(to) && storedTo.equals(from);
    }
}
