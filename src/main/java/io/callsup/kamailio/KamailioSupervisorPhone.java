package io.callsup.kamailio;

import io.callsup.supervision.port.SupervisorPhone;
import io.callsup.supervision.port.Traced;
import jakarta.enterprise.context.ApplicationScoped;

import java.security.SecureRandom;
import java.util.Base64;

/** The supervisor's leg through Kamailio's JSON-RPC: dlg.end_dlg for a BYE, tm.cancel for a ringing INVITE. */
@ApplicationScoped
public class KamailioSupervisorPhone implements SupervisorPhone {

    // The CSeq of the service's own INVITE to the supervisor's phone (ApplicationJoins).
    private static final String ORIGINATE_CSEQ = "1";

    private final KamailioRpc kamailio;
    private final KamailioConfig config;

    public KamailioSupervisorPhone(KamailioRpc kamailio, KamailioConfig config) {
        this.kamailio = kamailio;
        this.config = config;
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    /** 128 random bits: a forged BYE or INFO must name it, and cannot guess it. */
    @Override
    public String newLegCallId() {
        return randomToken() + "@" + hostOf(config.mcSocket());
    }

    static String randomToken() {
        byte[] bits = new byte[16];
        RANDOM.nextBytes(bits);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
    }

    @Override
    @Traced("callsup.kamailio.reachable")
    public boolean reachable() {
        try {
            kamailio.uptime();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * tm.t_uac_wait from the media-controller socket to the proxy, which finds the phone
     * (route[ORIGINATED]); the Contact is the MC socket so the phone's BYE and INFO come back to us.
     */
    @Override
    @Traced("callsup.kamailio.ring")
    public Answer ring(String legCallId, String extension, String domain, String displayName, String sdpOffer) {
        // tm.t_uac_* always adds its own From-tag (a tag given here would make a second one).
        // No control characters or quotes from the display name into a header.
        String headers = "From: \"" + displayName.replaceAll("[\\p{Cntrl}\"\\\\]", "") + "\" <sip:" + extension + "@"
                + domain + ">\r\n"
                + "To: <sip:" + extension + "@" + domain + ">\r\n"
                + "Call-ID: " + legCallId + "\r\n"
                + "CSeq: " + ORIGINATE_CSEQ + " INVITE\r\n"
                + "Contact: <sip:" + config.mcSocket() + ">\r\n"
                + "Allow: INVITE, ACK, BYE, CANCEL, INFO, UPDATE, OPTIONS\r\n"
                + "Content-Type: application/sdp\r\n";
        KamailioRpc.UacReply reply = kamailio.uacWait("INVITE", "sip:" + extension + "@" + domain,
                "sip:" + config.sipSocket(), "udp:" + config.mcSocket(), headers, sdpOffer);
        return new Answer(reply.code(), reply.reason(), sdpOf(reply.message()));
    }

    /** The body of a whole SIP message (after the first empty line), if it is an SDP. */
    static String sdpOf(String message) {
        if (message == null) {
            return null;
        }
        int at = message.indexOf("\r\n\r\n");
        int skip = 4;
        if (at < 0) {
            at = message.indexOf("\n\n");
            skip = 2;
        }
        if (at < 0) {
            return null;
        }
        String body = message.substring(at + skip);
        return body.startsWith("v=0") ? body : null;
    }

    private static String hostOf(String socket) {
        int colon = socket.lastIndexOf(':');
        return colon > 0 ? socket.substring(0, colon) : socket;
    }

    @Override
    @Traced("callsup.kamailio.hangUp")
    public boolean hangUp(Leg leg, String reason) {
        return kamailio.endDialog(new KamailioRpc.DialogKey(leg.callId(), leg.fromTag(), leg.toTag()), reason);
    }

    @Override
    @Traced("callsup.kamailio.cancelRinging")
    public void cancelRinging(String supervisorCallId) {
        try {
            kamailio.cancel(supervisorCallId, ORIGINATE_CSEQ);
        } catch (RuntimeException e) {
            // Already answered or already failed: the answer handler hangs an answered leg up.
        }
    }
}
