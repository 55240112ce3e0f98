package io.callsup.media;

/** Malformed bencode input. */
public class BencodeException extends RuntimeException {
    public BencodeException(String message) {
        super(message);
    }
}
