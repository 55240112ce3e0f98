package io.callsup.testsupport.otel;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import org.hibernate.resource.jdbc.spi.StatementInspector;

import java.util.Locale;

/**
 * Marks every SQL statement Hibernate sends (entity loads, flushes, HQL and native queries) as an
 * event "sql" on the span that is current, so a trace tells how many statements a join or a switch
 * costs (issue 12: "a handful of queries"). Only the statement's verb is recorded: the text could
 * name nothing personal (bind parameters are '?'), but a verb is all the count needs. Installed by
 * {@link TracingProfile} through Hibernate's statement_inspector property.
 */
public class SqlSpanEvents implements StatementInspector {

    public static final String EVENT = "sql";
    public static final AttributeKey<String> VERB = AttributeKey.stringKey("db.verb");

    @Override
    public String inspect(String sql) {
        String trimmed = sql.stripLeading();
        int space = trimmed.indexOf(' ');
        String verb = (space < 0 ? trimmed : trimmed.substring(0, space)).toLowerCase(Locale.ROOT);
        Span.current().addEvent(EVENT, Attributes.of(VERB, verb));
        return sql;
    }
}
