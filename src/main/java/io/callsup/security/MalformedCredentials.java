package io.callsup.security;


/** An Authorization header that cannot be a credential at all (bad encoding, control characters); answered 400. */
public class MalformedCredentials extends RuntimeException {

    private final String field;

    public MalformedCredentials(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
