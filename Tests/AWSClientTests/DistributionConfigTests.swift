import AWSClient
import AWSTestSupport
import Testing

/// `GetDistributionConfig` as the `CacheTagConfig` check reads it, from answers shaped as botocore's CloudFront model
/// has them (`DistributionConfig` ... `CacheTagConfig { HeaderName }`, after the other members), not as our fake
/// writes them: the fake and the parser must not agree on a wrong element name.
@Suite("GetDistributionConfig: CacheTagConfig")
struct DistributionConfigTests {
    static func config(_ tail: String) -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
            + "<DistributionConfig xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\">"
            + "<CallerReference>site</CallerReference><Aliases><Quantity>0</Quantity></Aliases>"
            + "<Origins><Quantity>1</Quantity><Items><Origin><Id>s3</Id>"
            + "<DomainName>site.s3.eu-west-1.amazonaws.com</DomainName><OriginPath></OriginPath></Origin></Items>"
            + "</Origins><Comment></Comment><PriceClass>PriceClass_All</PriceClass><Enabled>true</Enabled>"
            + "<HttpVersion>http2</HttpVersion><IsIPV6Enabled>true</IsIPV6Enabled>" + tail + "</DistributionConfig>"
    }

    @Test(
        "HeaderName when the distribution has a CacheTagConfig, nil without one (or with an empty one)",
        arguments: [
            ("<CacheTagConfig><HeaderName>x-amz-meta-cache-tag</HeaderName></CacheTagConfig>", "x-amz-meta-cache-tag"),
            ("", nil), ("<CacheTagConfig><HeaderName></HeaderName></CacheTagConfig>", nil),
        ] as [(String, String?)])
    func header(tail: String, expected: String?) async throws {
        let fake = FakeTransport([.success(.text(200, Self.config(tail)))])
        let client = try CloudFrontClient(
            configuration: AWSConfiguration(
                region: "us-east-1", credentials: AWSCredentials(accessKeyId: "a", secretAccessKey: "b")),
            transport: fake)
        let config = try await client.getDistributionConfig(id: "E2QWRUHAPOMQZL")
        #expect(config.cacheTagHeader == expected)
        #expect(config.enabled && config.origins.map(\.domainName) == ["site.s3.eu-west-1.amazonaws.com"])
    }
}
