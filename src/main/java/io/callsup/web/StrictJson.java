package io.callsup.web;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.deser.ContextualDeserializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

import java.io.IOException;

/**
 * JSON is read as written: a number is not a string, a string is not a number or a boolean, and
 * no string carries control characters (a NUL in a display name would reach SIP headers and logs).
 * Each refusal is a mapping error with the field's path, which the problem body names.
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.configure(MapperFeature.ALLOW_COERCION_OF_SCALARS, false);
        for (LogicalType type : new LogicalType[]{LogicalType.Integer, LogicalType.Float, LogicalType.Boolean,
                LogicalType.Textual, LogicalType.Enum}) {
            mapper.coercionConfigFor(type)
                    .setCoercion(CoercionInputShape.String, type == LogicalType.Textual || type == LogicalType.Enum
                            ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Integer, type == LogicalType.Integer || type == LogicalType.Float
                            ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, type == LogicalType.Float
                            ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, type == LogicalType.Boolean
                            ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        }
        mapper.registerModule(new SimpleModule("callsup-strict-strings").addDeserializer(String.class, new Strings()));
    }

    /**
     * Kamailio's internal messages carry raw SIP (an SDP body has CR LF) and are judged by their own
     * validation; the control-character rule is for what people and applications send.
     */
    static final String SIP_EDGE_PACKAGE = "io.callsup.kamailio.";
    static final String API_PACKAGE = "io.callsup.";

    static final class Strings extends StdScalarDeserializer<String> implements ContextualDeserializer {
        private final boolean controlCharacters;

        Strings() {
            this(true);
        }

        private Strings(boolean controlCharacters) {
            super(String.class);
            this.controlCharacters = controlCharacters;
        }

        @Override
        public JsonDeserializer<?> createContextual(DeserializationContext ctxt, BeanProperty property) {
            // Only fields of the API's own request types: untyped JSON (Kamailio's JSON-RPC answers
            // decoded to maps) and the SIP edge's messages keep whatever characters they carry.
            String owner = property == null || property.getMember() == null ? ""
                    : property.getMember().getDeclaringClass().getName();
            boolean lenient = !owner.startsWith(API_PACKAGE) || owner.startsWith(SIP_EDGE_PACKAGE);
            return lenient == controlCharacters ? this : new Strings(lenient);
        }

        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                throw MismatchedInputException.from(p, String.class, "must be a JSON string, not " + p.currentToken());
            }
            String value = p.getText();
            if (controlCharacters) {
                return value;
            }
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c < 0x20 || c == 0x7f) {
                    throw InvalidFormatException.from(p, "must not contain control characters", value, String.class);
                }
            }
            return value;
        }
    }
}
