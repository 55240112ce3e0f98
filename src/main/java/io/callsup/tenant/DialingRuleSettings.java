package io.callsup.tenant;

import io.callsup.dialplan.DialingRule;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A customer's choice between the default rule and its custom PBX rule. The custom codes are kept
 * while the default is in use, so switching back restores them.
 */
@Entity
@Table(name = "dialing_rule")
public class DialingRuleSettings extends PanacheEntityBase {

    @Id
    @Column(name = "customer_id")
    public Long customerId;

    @Column(name = "use_custom")
    public boolean useCustom;

    @Column(name = "spy_prefix")
    public String spyPrefix;
    @Column(name = "whisper_prefix")
    public String whisperPrefix;
    @Column(name = "barge_prefix")
    public String bargePrefix;
    @Column(name = "spy_digit")
    public String spyDigit;
    @Column(name = "whisper_digit")
    public String whisperDigit;
    @Column(name = "barge_digit")
    public String bargeDigit;

    /** A new customer starts on the default rule, with the defaults as its custom starting point. */
    public static DialingRuleSettings defaultsFor(long customerId) {
        DialingRuleSettings settings = new DialingRuleSettings();
        settings.customerId = customerId;
        settings.useCustom = false;
        settings.setCustom(DialingRule.DEFAULT);
        return settings;
    }

    public DialingRule custom() {
        return new DialingRule(spyPrefix, whisperPrefix, bargePrefix, spyDigit, whisperDigit, bargeDigit);
    }

    public DialingRule effective() {
        return useCustom ? custom() : DialingRule.DEFAULT;
    }

    public void setCustom(DialingRule rule) {
        spyPrefix = rule.spyPrefix();
        whisperPrefix = rule.whisperPrefix();
        bargePrefix = rule.bargePrefix();
        spyDigit = rule.spyDigit();
        whisperDigit = rule.whisperDigit();
        bargeDigit = rule.bargeDigit();
    }
}
