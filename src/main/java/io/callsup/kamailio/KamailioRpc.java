package io.callsup.kamailio;

import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;

/** What the service asks of Kamailio. A small interface so that the edge can be replaced or faked. */
public interface KamailioRpc {

    /** Confirmed dialogs (state 4) only: ended ones linger in dlg.list for a few seconds. */
    List<DialogInfo> confirmedDialogs();

    /**
     * Ends a dialog with BYEs to both sides, carrying a Reason header. Returns false when Kamailio
     * does not know the dialog (already gone).
     */
    boolean endDialog(String callId, String reason);

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

    @RegisterForReflection
    record UacReply(int code, String reason, String message) {
    }
}
