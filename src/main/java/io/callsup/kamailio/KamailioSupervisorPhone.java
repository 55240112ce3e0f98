package io.callsup.kamailio;

import io.callsup.supervision.port.SupervisorPhone;
import jakarta.enterprise.context.ApplicationScoped;

/** The supervisor's leg through Kamailio's JSON-RPC: dlg.end_dlg for a BYE, tm.cancel for a ringing INVITE. */
@ApplicationScoped
public class KamailioSupervisorPhone implements SupervisorPhone {

    // The CSeq of the service's own INVITE to the supervisor's phone (ApplicationJoins).
    private static final String ORIGINATE_CSEQ = "1";

    private final KamailioRpc kamailio;

    public KamailioSupervisorPhone(KamailioRpc kamailio) {
        this.kamailio = kamailio;
    }

    @Override
    public boolean hangUp(String supervisorCallId, String reason) {
        return kamailio.endDialog(supervisorCallId, reason);
    }

    @Override
    public void cancelRinging(String supervisorCallId) {
        try {
            kamailio.cancel(supervisorCallId, ORIGINATE_CSEQ);
        } catch (RuntimeException e) {
            // Already answered or already failed: the answer handler hangs an answered leg up.
        }
    }
}
