import AWSTestSupport
import FoundationEssentials
import JSONSupport
import Testing

@testable import AWSClient

/// Hostile answers for the response parsers: CloudFront's REST-XML (invalidations, lists, configurations, errors)
/// and JSON 1.1 (SSM, CodePipeline, errors), mutated for a bounded time (`FUZZ_SECONDS`, default 3 s per target).
/// Whatever comes back, a parser answers a value or an `AWSError`, and never crashes.
@Suite("Fuzzing the response parsers")
struct ResponseFuzzTests {
    static let fuzzDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appending(path: "Fixtures/fuzz")
    static let namespace = "xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\""

    static let xmlSeeds = [
        """
        <?xml version="1.0"?><Invalidation \(namespace)><Id>I2J0I21PCUYOIK</Id><Status>InProgress</Status>\
        <CreateTime>2026-11-22T10:00:00.000Z</CreateTime><InvalidationBatch><Paths><Quantity>2</Quantity><Items>\
        <Path>/a%20b.html</Path><Path>/x&amp;y</Path></Items></Paths><CallerReference>cfinv-1</CallerReference>\
        </InvalidationBatch></Invalidation>
        """,
        """
        <?xml version="1.0"?><ErrorResponse \(namespace)><Error><Type>Sender</Type><Code>Throttling</Code>\
        <Message>Rate exceeded</Message></Error><RequestId>r-1</RequestId></ErrorResponse>
        """,
        """
        <?xml version="1.0"?><DistributionList \(namespace)><Marker></Marker><NextMarker>E2</NextMarker>\
        <MaxItems>1</MaxItems><IsTruncated>true</IsTruncated><Quantity>1</Quantity><Items><DistributionSummary>\
        <Id>E1</Id><DomainName>d.cloudfront.net</DomainName><Origins><Quantity>1</Quantity><Items><Origin><Id>o</Id>\
        <DomainName>site.s3.amazonaws.com</DomainName><OriginPath>/prod</OriginPath></Origin></Items></Origins>\
        <Enabled>true</Enabled></DistributionSummary></Items></DistributionList>
        """,
        """
        <?xml version="1.0"?><DistributionConfig \(namespace)><CallerReference>c</CallerReference><Origins>\
        <Quantity>1</Quantity><Items><Origin><Id>o</Id><DomainName><![CDATA[site.s3.amazonaws.com]]></DomainName>\
        <OriginPath/></Origin></Items></Origins><Enabled>false</Enabled><!-- note --></DistributionConfig>
        """,
        """
        <?xml version="1.0"?><InvalidationList \(namespace)><Marker/><MaxItems>2</MaxItems><IsTruncated>false\
        </IsTruncated><Quantity>1</Quantity><Items><InvalidationSummary><Id>I1</Id><CreateTime>2026-11-22T10:00:00Z\
        </CreateTime><Status>Completed</Status></InvalidationSummary></Items></InvalidationList>
        """,
        """
        <?xml version="1.0"?><ListDistributionTenantsResult \(namespace)><DistributionTenantList>\
        <DistributionTenantSummary><Id>dt_A</Id><DistributionId>E1</DistributionId><Name>a</Name><Domains>\
        <DomainResult><Domain>a.example</Domain><Status>active</Status></DomainResult></Domains><Enabled>true\
        </Enabled></DistributionTenantSummary></DistributionTenantList><NextMarker>m</NextMarker>\
        </ListDistributionTenantsResult>
        """,
        """
        <?xml version="1.0"?><DistributionTenant \(namespace)><Id>dt_A</Id><DistributionId>E1</DistributionId>\
        <Domains><member><Domain>a.example</Domain></member></Domains><Parameters><Parameter><Name>tenantName</Name>\
        <Value>a&amp;b</Value></Parameter></Parameters><Enabled>false</Enabled></DistributionTenant>
        """,
    ]

    static let jsonSeeds = [
        #"{"Parameter":{"Name":"/site/dist","Type":"SecureString","Value":"E1,E2","Version":3,"LastModifiedDate":1.7e9}}"#,
        #"{"__type":"com.amazonaws.ssm#ParameterNotFound:http://internal","message":"Parameter /x not found."}"#,
        #"{"code":"InvalidJobStateException","Message":"\u00e9 \ud83d\ude00 job already reported"}"#,
        #"{}"#, #"[1,-0.5e-3,true,false,null,"\\\/\b\f\n\r\t"]"#,
        #"{"Item":{"pk":{"S":"a"},"n":{"N":"-1.5e3"},"m":{"M":{"l":{"L":[{"NULL":true},{"BOOL":false},{"SS":["x"]}]}}}}}"#,
        #"{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException","CancellationReasons":"#
            + #"[{"Code":"None"},{"Code":"ConditionalCheckFailed"}],"Message":"cancelled [None, ConditionalCheckFailed]"}"#,
    ]

    static func checkXML(_ body: [UInt8]) {
        let client = try! CloudFrontClient(
            configuration: AWSConfiguration(
                region: "us-east-1", credentials: AWSCredentials(accessKeyId: "a", secretAccessKey: "b")),
            transport: FakeTransport([]))
        let response = HTTPResponse(statusCode: 200, body: body)
        _ = try? client.parseInvalidation(response, operation: "GetInvalidation")
        _ = try? client.parseDistributionList(response)
        _ = try? client.parseInvalidationList(response)
        _ = try? client.parseDistributionConfig(response)
        _ = try? client.parseDistributionTenantList(response)
        _ = try? client.parseDistributionTenant(response)
        let error = AWSError.restXML(
            HTTPResponse(statusCode: 400, body: body), service: "cloudfront", operation: "CreateInvalidation")
        #expect(!error.code.isEmpty)
        #expect(!error.description.contains("\n"), "an error description is one log line")
    }

    static func checkJSON(_ body: [UInt8]) {
        if let document = try? JSON.parse(body) {
            _ = document["Parameter"]?["Value"]?.string
            _ = document["Parameter"]?["Version"]?.scalarText
            if let item = document["Item"], let decoded = DynamoDBValue.item(json: item) {
                #expect(DynamoDBValue.item(json: DynamoDBValue.json(item: decoded)) == decoded, "items round-trip")
            }
            #expect((try? JSON.parse(Array(JSON.serialize(document).utf8))) == document, "serialising round-trips")
        }
        let error = AWSError.json(HTTPResponse(statusCode: 400, body: body), service: "ssm", operation: "GetParameter")
        #expect(!error.code.isEmpty)
        let cancelled = AWSError.json(
            HTTPResponse(
                statusCode: 400, headers: [HTTPHeader("x-amzn-errortype", "TransactionCanceledException")], body: body),
            service: "dynamodb", operation: "TransactWriteItems")
        #expect(cancelled.cancellationReasons.map { !$0.contains("") } ?? true)
    }

    @Test("crashes found before stay fixed")
    func regressions() throws {
        let xml = try Fuzzer.replay(directory: Self.fuzzDirectory, name: "xml-responses") { Self.checkXML($0) }
        let json = try Fuzzer.replay(directory: Self.fuzzDirectory, name: "json-responses") { Self.checkJSON($0) }
        #expect(xml + json > 0, "the kept inputs are found")
    }

    @Test("mutated CloudFront XML: a value or an AWSError, never a crash")
    func xml() {
        var fuzzer = Fuzzer(
            name: "xml-responses", seeds: Self.xmlSeeds.map { Array($0.utf8) },
            dictionary: [
                "<Items>", "</Items>", "<Id>", "</Id>", "<a b='c' d=\"e\"/>", "<!DOCTYPE x [<!ENTITY y \"z\">]>",
            ])
        let tried = fuzzer.run(seconds: Fuzzer.budget(default: 3)) { Self.checkXML($0) }
        print("fuzz xml-responses: \(tried) inputs")
    }

    @Test("mutated JSON 1.1 answers: a value or an AWSError, never a crash")
    func json() {
        var fuzzer = Fuzzer(
            name: "json-responses", seeds: Self.jsonSeeds.map { Array($0.utf8) },
            dictionary: [
                "\"__type\"", "\"Parameter\"", "\"Value\"", "{\"S\":", "{\"L\":[", "{\"M\":{", "[None, ", "1.5e308",
                "\"\\u", "\"\\ud83d\"",
            ])
        let tried = fuzzer.run(seconds: Fuzzer.budget(default: 3)) { Self.checkJSON($0) }
        print("fuzz json-responses: \(tried) inputs")
    }
}
