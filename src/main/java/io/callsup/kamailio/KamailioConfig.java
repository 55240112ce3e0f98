package io.callsup.kamailio;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

@ConfigMapping(prefix = "callsup.kamailio")
public interface KamailioConfig {

    /** Kamailio's JSON-RPC endpoint (xhttp + jsonrpcs), reachable only from the service's network. */
    @WithDefault("http://127.0.0.1:5071/RPC")
    String rpcUrl();

    /**
     * What Kamailio sends in X-Callsup-Secret on every request to the service's internal port
     * (CS_EVENT_SECRET in kamailio.cfg). At least {@value SharedSecret#MIN_LENGTH} characters.
     */
    SharedSecret eventSecret();

    /**
     * What the service sends in X-Callsup-Secret on every JSON-RPC call to Kamailio (CS_RPC_SECRET).
     * Must differ from {@link #eventSecret()}: whoever learns one direction's secret must not be able
     * to use the other.
     */
    SharedSecret rpcSecret();

    /** Plain RPCs; t_uac_wait holds its request until the final reply, so it has its own timeout. */
    @WithDefault("3s")
    Duration rpcTimeout();

    /** Must exceed Kamailio's fr_inv_timer, see kamailio.md. */
    @WithDefault("70s")
    Duration uacWaitTimeout();

    /** How often the call registry is reconciled with dlg.list; also run at start-up. */
    @WithDefault("30s")
    Duration reconcileInterval();

    /**
     * Kamailio's proxy/registrar socket ({@code host:port}, UDP): the next hop of service-originated
     * INVITEs to a supervisor's phone (route[ORIGINATED] in kamailio.cfg).
     */
    @WithDefault("127.0.0.1:5060")
    String sipSocket();

    /**
     * Kamailio's media-controller socket ({@code host:port}, UDP): originated INVITEs are sent from
     * it, and it is the Contact of the supervisor's leg, so the phone's BYE/INFO reach the service.
     */
    @WithDefault("127.0.0.1:5070")
    String mcSocket();

    /**
     * Retry-After of the 503 an API join gets while Kamailio cannot be reached: about how long a
     * Kamailio restart takes, so a client's retry is likely to find it back.
     */
    @WithDefault("5s")
    Duration retryAfter();

    /** How long an application-originated call rings the supervisor's phone before it is cancelled. */
    @WithDefault("30s")
    Duration ringTimeout();

    /**
     * After a Kamailio (re)start, dlg.list is only as complete as what Kamailio reloaded from its
     * database: for this long after its start the reconciler ends nothing because a dialog is
     * missing (it still adopts the dialogs it finds). Outside of it, a dialog must be missing from
     * two consecutive successful passes before its call counts as ended.
     */
    @WithDefault("60s")
    Duration restartGrace();

    /** Reconciling at all: off only for tests that have no Kamailio. */
    @WithDefault("true")
    boolean reconcile();
}
