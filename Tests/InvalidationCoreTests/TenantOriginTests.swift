import InvalidationCore
import Testing

@Suite("Tenant origins: {{name}} substitution")
struct TenantOriginTests {
    static let parameters = [
        "tenantName": "acme", "region": "eu-west-1", "env": "prod", "slashy": "a/b", "braces": "{{tenantName}}",
        "empty-ok": "",
    ]

    @Test(
        "each placeholder is replaced by the tenant's value, wherever it stands",
        arguments: [
            ("/{{tenantName}}", "/acme"),
            ("{{tenantName}}", "acme"),
            ("/sites/{{tenantName}}/www", "/sites/acme/www"),
            ("/sites/{{tenantName}}", "/sites/acme"),
            ("/{{env}}/{{tenantName}}", "/prod/acme"),
            ("/{{tenantName}}{{env}}", "/acmeprod"),
            ("/{{tenantName}}/{{tenantName}}", "/acme/acme"),
            ("", ""),
            ("/static", "/static"),
            ("/x}}y", "/x}}y"),
            ("/{{empty-ok}}", "/"),
        ])
    func substitutes(template: String, expected: String) throws {
        #expect(try TenantOrigin.substitute(template, parameters: Self.parameters) == expected)
    }

    @Test("a value is inserted as it is: its `/` stays, its `{{…}}` is never substituted again")
    func valuesAreLiteral() throws {
        #expect(try TenantOrigin.substitute("/{{slashy}}", parameters: Self.parameters) == "/a/b")
        #expect(try TenantOrigin.substitute("/{{braces}}/x", parameters: Self.parameters) == "/{{tenantName}}/x")
        let origin = try TenantOrigin.resolve(
            domainName: "shared.s3.eu-west-1.amazonaws.com", originPath: "/{{slashy}}", parameters: Self.parameters
        ).get()
        #expect(origin.keyPrefix == "a/b/")
    }

    @Test(
        "a placeholder without a value is a missing parameter, named",
        arguments: ["/{{unknown}}", "{{unknown}}.s3.amazonaws.com", "/{{tenantName}}/{{unknown}}"])
    func missing(template: String) {
        #expect(throws: TenantOriginProblem.missingParameter("unknown")) {
            try TenantOrigin.substitute(template, parameters: Self.parameters)
        }
    }

    @Test(
        "a `{{` that opens no {{name}} is malformed, not passed through",
        arguments: ["/{{tenantName", "/{{", "/{{}}", "/{{ tenantName }}", "/{{a.b}}", "/{{a/b}}", "/x{{", "{{{x}}"])
    func malformed(template: String) {
        #expect {
            try TenantOrigin.substitute(template, parameters: Self.parameters)
        } throws: { error in
            guard case .malformedPlaceholder = error as? TenantOriginProblem else { return false }
            return true
        }
    }

    @Test("a name longer than CloudFront's 128 characters is malformed")
    func longName() {
        let name = String(repeating: "n", count: 129)
        #expect(throws: TenantOriginProblem.self) {
            try TenantOrigin.substitute("/{{\(name)}}", parameters: [name: "v"])
        }
        #expect(throws: Never.self) {
            try TenantOrigin.substitute("/{{\(String(name.dropFirst()))}}", parameters: [String(name.dropFirst()): "v"])
        }
    }

    @Test("resolve: both fields substituted; the bucket matched on the substituted domain; the prefix as OriginPath's")
    func resolve() throws {
        let acme = try TenantOrigin.resolve(
            domainName: "site-{{env}}.s3.{{region}}.amazonaws.com", originPath: "/{{tenantName}}/",
            parameters: Self.parameters
        ).get()
        #expect(acme == TenantOrigin(domainName: "site-prod.s3.eu-west-1.amazonaws.com", originPath: "/acme/"))
        #expect(acme.serves(bucket: "site-prod"))
        #expect(!acme.serves(bucket: "site-{{env}}"))
        #expect(acme.keyPrefix == "acme/")
        #expect(
            DistributionTarget(distributionId: "dt_1", keyPrefix: acme.keyPrefix).servedKey("acme/a.html") == "a.html")
        let whole = try TenantOrigin.resolve(
            domainName: "site.s3.amazonaws.com", originPath: "", parameters: [:]
        ).get()
        #expect(whole.keyPrefix == "" && whole.serves(bucket: "site"))
        #expect(
            TenantOrigin.resolve(domainName: "{{bucket}}.s3.amazonaws.com", originPath: "/x", parameters: [:])
                == .failure(.missingParameter("bucket")))
        #expect(
            TenantOrigin.resolve(domainName: "b.s3.amazonaws.com", originPath: "/{{x", parameters: [:])
                == .failure(.malformedPlaceholder("{{x")))
    }

    @Test("the problems say what is wrong, naming the parameter")
    func descriptions() {
        #expect(TenantOriginProblem.missingParameter("tenantName").description.contains("{{tenantName}}"))
        #expect(TenantOriginProblem.malformedPlaceholder("{{x").description.contains("{{x"))
        #expect(TenantOrigin.hasPlaceholders("/{{a}}") && !TenantOrigin.hasPlaceholders("/a"))
    }
}
