package io.callsup.kamailio;

import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;

/** What the service asks of Kamailio. A small interface so that the edge can be replaced or faked. */
public interface KamailioRpc {

    /** Confirmed dialogs (state 4) only: ended ones linger in dlg.list for a few seconds. */
    List<DialogInfo> confirmedDialogs();

    /**
     * Ends the dialog {@code dialog} names with BYEs to both sides, carrying a Reason header. Returns
     * false when Kamailio does not know it (already gone).
     */
    boolean endDialog(DialogKey dialog, String reason);

    /** Sends a request through tm and waits for the final reply; see kamailio.md for t_uac_wait. */
    UacReply uacWait(String method, String ruri, String nextHop, String sendSocket, String headers, String body);

    void cancel(String callId, String cseq);

    /**
     * How long this Kamailio process has been running ({@code core.uptime}). A restart shows as a
     * small value: the reconciler does not take missing dialogs for ended ones then.
     */
    java.time.Duration uptime();

    @RegisterForReflection
    record DialogInfo(String callId, String fromTag, String toTag, String fromUri, String toUri, int state,
                      long hEntry, long hId, java.util.Map<String, String> variables) {
    }

    /**
     * Which dialog to act on. A Call-ID alone does not name one: phones choose it, so a stale dialog
     * (its phones gone without a BYE) or a phone copying it can share it; SIPp's, made of its process
     * id, repeat once pids wrap. Every non-null tag must be one of the dialog's two tags (either
     * side: callers of this interface need not know which side the phone was).
     */
    record DialogKey(String callId, String tag, String otherTag) {
        public DialogKey {
            if (callId == null || callId.isEmpty()) {
                throw new IllegalArgumentException("a dialog key needs a Call-ID");
            }
        }

        /** Every dialog with this Call-ID: for a Call-ID that only this service chose, or tests. */
        public static DialogKey anyWithCallId(String callId) {
            return new DialogKey(callId, null, null);
        }

        public boolean matches(DialogInfo d) {
            return callId.equals(d.callId()) && oneOf(tag, d) && oneOf(otherTag, d);
        }

        private static boolean oneOf(String tag, DialogInfo d) {
            return tag == null || tag.equals(d.fromTag()) || tag.equals(d.toTag());
        }
    }

    @RegisterForReflection
    record UacReply(int code, String reason, String message) {
    }
}
