package io.callsup.tenant;

import io.callsup.testsupport.TestApi;
import io.callsup.testsupport.TestApi.Tenant;
import io.quarkus.test.junit.QuarkusTest;
import io.agroal.api.AgroalDataSource;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;

import static io.callsup.testsupport.TestApi.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

/** The seed's example, built through the API: ABC, the Support group, John 744 and Adam. */
@QuarkusTest
class SeedModelTest {

    @Inject
    AgroalDataSource dataSource;

    @Test
    void abcCompanyCanBeModelled() throws Exception {
        Tenant abc = TestApi.newTenant("ABC", false);
        TestApi.admin().get("/api/v1/admin/customers/" + abc.customerId()).then()
                .statusCode(200).body("supervisionEnabled", equalTo(false));
        TestApi.admin().body(Map.of("enabled", true))
                .put("/api/v1/admin/customers/" + abc.customerId() + "/supervision").then()
                .statusCode(200).body("supervisionEnabled", equalTo(true));
        as(abc).get("/api/v1/customer").then().statusCode(200).body("supervisionEnabled", equalTo(true));

        long john = TestApi.newAccount(abc, "744", "John");
        long adam = TestApi.newAccount(abc, "745", "Adam");
        long support = TestApi.newHuntGroup(abc, "Support");
        TestApi.putMember(abc, support, john, false);
        TestApi.putMember(abc, support, adam, true);

        as(abc).get("/api/v1/customer/hunt-groups/" + support).then().statusCode(200)
                .body("name", equalTo("Support"))
                .body("members", hasSize(2))
                .body("members.find { it.extension == '745' }.supervisionAllowed", equalTo(true))
                .body("members.find { it.extension == '744' }.supervisionAllowed", equalTo(false));

        // A flag can be changed in place, and the membership stays single.
        TestApi.putMember(abc, support, john, true);
        TestApi.putMember(abc, support, john, false);
        as(abc).get("/api/v1/customer/hunt-groups/" + support + "/members").then().body("", hasSize(2));

        as(abc).get("/api/v1/customer/dialing-rule").then().statusCode(200)
                .body("kind", equalTo("DEFAULT"))
                .body("effective.spyPrefix", equalTo("*90"))
                .body("effective.bargeDigit", equalTo("2"));

        Map<String, String> legacy = Map.of("spyPrefix", "*21", "whisperPrefix", "*22", "bargePrefix", "*23",
                "spyDigit", "1", "whisperDigit", "2", "bargeDigit", "3");
        as(abc).body(Map.of("kind", "CUSTOM", "custom", legacy)).put("/api/v1/customer/dialing-rule").then()
                .statusCode(200).body("kind", equalTo("CUSTOM"))
                .body("effective.whisperPrefix", equalTo("*22"))
                .body("effective.spyDigit", equalTo("1"));

        // Back to default: the custom codes stay stored and come back on the next switch.
        as(abc).body(Map.of("kind", "DEFAULT")).put("/api/v1/customer/dialing-rule").then()
                .statusCode(200).body("effective.spyPrefix", equalTo("*90")).body("custom.spyPrefix", equalTo("*21"));
        as(abc).body(Map.of("kind", "CUSTOM")).put("/api/v1/customer/dialing-rule").then()
                .statusCode(200).body("effective.bargePrefix", equalTo("*23")).body("effective.bargeDigit", equalTo("3"));

        long crm = TestApi.newRole(abc, "CRM", "CALL_CONTROL_READ", "CALL_CONTROL_MODIFY");
        as(abc).get("/api/v1/customer/roles/" + crm).then().statusCode(200)
                .body("permissions", containsInAnyOrder("CALL_CONTROL_READ", "CALL_CONTROL_MODIFY"));
        as(abc).body(Map.of("username", TestApi.unique("adam-app"), "password", TestApi.PASSWORD,
                        "realm", "ACCOUNT", "roleId", crm, "accountId", adam))
                .post("/api/v1/customer/credentials").then().statusCode(201)
                .body("realm", equalTo("ACCOUNT")).body("accountId", equalTo((int) adam));
    }

    @Test
    void phonesAuthenticateAgainstTheSubscriberViewWithTheCustomersDomain() throws Exception {
        Tenant abc = TestApi.newTenant("ABC", true);
        String username = TestApi.unique("john");
        as(abc).body(Map.of("extension", "744", "displayName", "John", "sipUsername", username, "sipPassword", "s3cret-pw"))
                .post("/api/v1/customer/accounts").then().statusCode(201)
                .body("$", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasKey("sipPassword")));
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT domain, ha1, ha1b FROM kamailio_subscriber WHERE username = ?")) {
            ps.setString(1, username);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString("domain")).isEqualTo(abc.sipDomain());
                assertThat(rs.getString("ha1")).isEqualTo(md5(username + ":" + abc.sipDomain() + ":s3cret-pw"));
                assertThat(rs.getString("ha1b")).isEqualTo(md5(username + "@" + abc.sipDomain() + ":" + abc.sipDomain() + ":s3cret-pw"));
                assertThat(rs.next()).isFalse();
            }
        }
    }

    private static String md5(String s) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5")
                .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
}
