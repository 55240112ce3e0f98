package io.callsup.kamailio;

/** Kamailio could not be reached, or answered a JSON-RPC call with an error. */
public class KamailioRpcException extends RuntimeException {
    public KamailioRpcException(String message) {
        super(message);
    }

    public KamailioRpcException(String message, Throwable cause) {
        super(message, cause);
    }
}
