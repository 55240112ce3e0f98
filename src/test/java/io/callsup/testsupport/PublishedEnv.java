package io.callsup.testsupport;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * How a test resource tells the tests how it started a program (ports, directories), so they can
 * kill and start it again: Quarkus runs resources and tests in different class loaders, and a
 * system property is what both see.
 */
final class PublishedEnv {

    private PublishedEnv() {
    }

    static void publish(String property, Map<String, String> env) {
        Properties p = new Properties();
        p.putAll(env);
        StringWriter w = new StringWriter();
        try {
            p.store(w, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.setProperty(property, w.toString());
    }

    static Map<String, String> read(String property, String what) {
        String text = System.getProperty(property);
        if (text == null) {
            throw new IllegalStateException("no " + what + " running: is InfrastructureResource started?");
        }
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> env = new HashMap<>();
        p.forEach((k, v) -> env.put((String) k, (String) v));
        return env;
    }
}
