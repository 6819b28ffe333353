import AWSClient
import AWSTestSupport
import FoundationEssentials
import Testing

let testCredentials = AWSCredentials(
    accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: "TOKEN")

/// Without retries unless asked: the request tests script one answer per call (RetryTests covers retries).
func configuration(
    _ environment: [String: String] = [:], region: String = "eu-west-1", retryPolicy: RetryPolicy = .none
) -> AWSConfiguration {
    AWSConfiguration(region: region, credentials: testCredentials, environment: environment, retryPolicy: retryPolicy)
}

@Suite("Endpoints")
struct EndpointTests {
    @Test("CloudFront is global and signed for us-east-1 from any region; SSM is regional")
    func defaults() throws {
        let cloudFront = try configuration().endpoint(for: .cloudFront)
        #expect(cloudFront.origin == "https://cloudfront.amazonaws.com")
        #expect(cloudFront.signingRegion == "us-east-1")
        let ssm = try configuration().endpoint(for: .ssm)
        #expect(ssm.origin == "https://ssm.eu-west-1.amazonaws.com")
        #expect(ssm.signingRegion == "eu-west-1")
        let china = try configuration(region: "cn-north-1").endpoint(for: .cloudFront)
        #expect(china.origin == "https://cloudfront.cn-northwest-1.amazonaws.com.cn")
        #expect(china.signingRegion == "cn-northwest-1")
        #expect(try configuration(region: "cn-north-1").endpoint(for: .ssm).host == "ssm.cn-north-1.amazonaws.com.cn")
    }

    @Test("DynamoDB and SQS are regional, .amazonaws.com.cn in China, signed as dynamodb and sqs")
    func dynamoDBAndSQS() throws {
        let dynamo = try configuration().endpoint(for: .dynamoDB)
        #expect(dynamo.origin == "https://dynamodb.eu-west-1.amazonaws.com")
        #expect(dynamo.signingRegion == "eu-west-1")
        #expect(try configuration().endpoint(for: .sqs).host == "sqs.eu-west-1.amazonaws.com")
        let china = configuration(region: "cn-northwest-1")
        #expect(try china.endpoint(for: .dynamoDB).host == "dynamodb.cn-northwest-1.amazonaws.com.cn")
        #expect(try china.endpoint(for: .sqs).host == "sqs.cn-northwest-1.amazonaws.com.cn")
        #expect(AWSService.dynamoDB.signingName == "dynamodb" && AWSService.sqs.signingName == "sqs")
        #expect(
            AWSService.allCases.map(\.endpointVariableSuffix) == [
                "CLOUDFRONT", "SSM", "CODEPIPELINE", "DYNAMODB", "SQS", "STS", "LAMBDA", "S3", "EVENTBRIDGE", "IAM",
            ])
        #expect(try configuration().endpoint(for: .iam).host == "iam.amazonaws.com")
        #expect(try configuration().endpoint(for: .iam).signingRegion == "us-east-1")
        #expect(try configuration().endpoint(for: .eventBridge).host == "events.eu-west-1.amazonaws.com")
        #expect(try configuration().endpoint(for: .lambda).host == "lambda.eu-west-1.amazonaws.com")

        let environment = [
            "AWS_ENDPOINT_URL": "http://127.0.0.1:5000", "AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:8000",
            "AWS_ENDPOINT_URL_SQS": "http://localhost:9324/",
        ]
        #expect(try configuration(environment).endpoint(for: .dynamoDB).origin == "http://127.0.0.1:8000")
        #expect(try configuration(environment).endpoint(for: .sqs).origin == "http://localhost:9324")
        #expect(try configuration(environment).endpoint(for: .ssm).origin == "http://127.0.0.1:5000")
        #expect(throws: EndpointError.self) { try configuration(["AWS_ENDPOINT_URL_SQS": "sqs"]).endpoint(for: .sqs) }
    }

    @Test("STS is regional (never the global sts.amazonaws.com), .amazonaws.com.cn in China; AWS_ENDPOINT_URL_STS wins")
    func sts() throws {
        let sts = try configuration().endpoint(for: .sts)
        #expect(sts.origin == "https://sts.eu-west-1.amazonaws.com" && sts.signingRegion == "eu-west-1")
        #expect(AWSService.sts.signingName == "sts")
        #expect(try configuration(region: "cn-north-1").endpoint(for: .sts).host == "sts.cn-north-1.amazonaws.com.cn")
        let environment = [
            "AWS_ENDPOINT_URL": "http://127.0.0.1:5000", "AWS_ENDPOINT_URL_STS": "http://localhost:7000",
        ]
        let overridden = try configuration(environment).endpoint(for: .sts)
        #expect(overridden.origin == "http://localhost:7000" && overridden.signingRegion == "eu-west-1")
        #expect(try configuration(environment).endpoint(for: .cloudFront).origin == "http://127.0.0.1:5000")
    }

    @Test("AWS_ENDPOINT_URL_<SERVICE> wins over AWS_ENDPOINT_URL; both can be ignored")
    func overrides() throws {
        let environment = [
            "AWS_ENDPOINT_URL": "http://127.0.0.1:5000", "AWS_ENDPOINT_URL_CLOUDFRONT": "http://localhost:6000/prefix/",
        ]
        let cloudFront = try configuration(environment).endpoint(for: .cloudFront)
        #expect(cloudFront.origin == "http://localhost:6000")
        #expect(cloudFront.host == "localhost:6000")
        #expect(cloudFront.pathPrefix == "/prefix")
        #expect(cloudFront.signingRegion == "us-east-1")
        #expect(try configuration(environment).endpoint(for: .ssm).origin == "http://127.0.0.1:5000")
        var ignored = environment
        ignored["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true"
        #expect(try configuration(ignored).endpoint(for: .ssm).origin == "https://ssm.eu-west-1.amazonaws.com")
        #expect(
            try configuration(["AWS_ENDPOINT_URL": "https://example.com:443"]).endpoint(for: .ssm).host == "example.com"
        )
    }

    @Test(
        "a malformed endpoint names its variable",
        arguments: ["localhost:5000", "ftp://x", "http://", "http://h:99999"])
    func malformed(value: String) {
        #expect {
            try configuration(["AWS_ENDPOINT_URL_SSM": value]).endpoint(for: .ssm)
        } throws: { error in
            (error as? EndpointError)?.variable == "AWS_ENDPOINT_URL_SSM"
        }
    }

    @Test("region and credentials come from the environment; missing ones are named")
    func environment() throws {
        let full = ["AWS_REGION": "eu-central-1", "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "S"]
        #expect(try AWSConfiguration(environment: full).region == "eu-central-1")
        var fallback = full
        fallback["AWS_REGION"] = nil
        fallback["AWS_DEFAULT_REGION"] = "ap-south-1"
        #expect(try AWSConfiguration(environment: fallback).region == "ap-south-1")
        fallback["AWS_DEFAULT_REGION"] = nil
        #expect(throws: EndpointError(variable: "AWS_REGION", description: "AWS_REGION is not set")) {
            try AWSConfiguration(environment: fallback)
        }
        var noKeys = full
        noKeys["AWS_SECRET_ACCESS_KEY"] = nil
        #expect { try AWSConfiguration(environment: noKeys) } throws: {
            ($0 as? EndpointError)?.variable == "AWS_ACCESS_KEY_ID"
        }
    }
}

@Suite("XML")
struct XMLTests {
    @Test("parses AWS responses: declaration, namespaces, entities, CDATA, comments")
    func parses() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- c --><a:Root xmlns:a="urn:x" k='v'><Item>one &amp; two &lt;3&gt; &#252;&#x1F389;</Item>\
            <Item><![CDATA[<raw>]]></Item><Empty/></a:Root>
            """
        let root = try XML.parse(Array(xml.utf8))
        #expect(root.localName == "Root")
        #expect(root.attributes["k"] == "v")
        #expect(root.children(named: "Item").map(\.text) == ["one & two <3> ü🎉", "<raw>"])
        #expect(root.child("Empty")?.text == "")
    }

    @Test(
        "rejects broken documents",
        arguments: ["", "<a>", "<a></b>", "<a>&bogus;</a>", "<a></a><b/>", "<!DOCTYPE x><a/>"])
    func rejects(text: String) {
        #expect(throws: XMLError.self) { try XML.parse(Array(text.utf8)) }
    }

    @Test("escapes text so that it parses back unchanged")
    func escapes() throws {
        let nasty = "a&b<c>d\"e'f\rü"
        let root = try XML.parse(Array("<x>\(XML.escape(nasty))</x>".utf8))
        #expect(root.text == nasty)
    }
}

@Suite("AWS errors")
struct AWSErrorTests {
    @Test("REST-XML errors carry code, message, status and request id")
    func restXML() async throws {
        let body = """
            <?xml version="1.0"?><ErrorResponse xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Error>\
            <Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>\
            <RequestId>req-1</RequestId></ErrorResponse>
            """
        let fake = FakeTransport([.success(HTTPResponse(statusCode: 400, body: Array(body.utf8)))])
        let client = try CloudFrontClient(configuration: configuration(), transport: fake)
        await #expect(
            throws: AWSError(
                kind: .service, code: "Throttling", message: "Rate exceeded", statusCode: 400, requestId: "req-1",
                service: "cloudfront", operation: "CreateInvalidation")
        ) {
            try await client.createInvalidation(distributionId: "E1", callerReference: "r", paths: ["/a"])
        }
    }

    @Test("JSON 1.1 errors: code from the header or __type, sanitised as the SDKs do")
    func json() async throws {
        let notFound = HTTPResponse(
            statusCode: 400, headers: [HTTPHeader("X-Amzn-Errortype", "ParameterNotFound")],
            body: Array(#"{"__type":"ParameterNotFound","message":"Parameter /nope not found."}"#.utf8))
        let qualified = HTTPResponse(
            statusCode: 400, headers: [HTTPHeader("x-amzn-RequestId", "r-2")],
            body: Array(#"{"__type":"com.amazonaws.ssm#AccessDeniedException:http://internal","Message":"no"}"#.utf8))
        let html = HTTPResponse(statusCode: 500, body: Array("<html>\n<body>Internal Server Error</body></html>".utf8))
        let fake = FakeTransport([.success(notFound), .success(qualified), .success(html)])
        let ssm = try SSMClient(configuration: configuration(), transport: fake)
        await #expect { try await ssm.getParameter(name: "/nope") } throws: { error in
            let error = error as? AWSError
            return error?.code == "ParameterNotFound" && error?.message == "Parameter /nope not found."
        }
        await #expect { try await ssm.getParameter(name: "/x") } throws: { error in
            let error = error as? AWSError
            return error?.code == "AccessDeniedException" && error?.message == "no" && error?.requestId == "r-2"
        }
        await #expect { try await ssm.getParameter(name: "/x") } throws: { error in
            let error = error as? AWSError
            return error?.code == "HTTP500" && error?.message.contains("Internal Server Error") == true
        }
    }

    @Test("transport failures name the operation")
    func transport() async throws {
        let fake = FakeTransport([
            .failure(AWSError(kind: .timeout, code: "RequestTimeout", message: "slow", service: "", operation: ""))
        ])
        let client = try CloudFrontClient(configuration: configuration(), transport: fake)
        await #expect { try await client.getInvalidation(distributionId: "E1", id: "I1") } throws: { error in
            let error = error as? AWSError
            return error?.kind == .timeout && error?.operation == "GetInvalidation" && error?.service == "cloudfront"
        }
    }
}

@Suite("CloudFront and SSM requests")
struct RequestTests {
    let created = """
        <?xml version="1.0"?>
        <Invalidation xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Id>I2J0I21PCUYOIK</Id>\
        <Status>InProgress</Status><CreateTime>2026-11-22T10:00:00.000Z</CreateTime><InvalidationBatch><Paths>\
        <Quantity>2</Quantity><Items><Path>/a%20b.html</Path><Path>/x&amp;y</Path></Items></Paths>\
        <CallerReference>cfinv-1</CallerReference></InvalidationBatch></Invalidation>
        """

    @Test("CreateInvalidation sends botocore's exact body, signed, and reads the answer")
    func createInvalidation() async throws {
        let fake = FakeTransport([.success(HTTPResponse(statusCode: 201, body: Array(created.utf8)))])
        let client = try CloudFrontClient(
            configuration: configuration(["AWS_ENDPOINT_URL_CLOUDFRONT": "http://127.0.0.1:5055"]), transport: fake)
        let invalidation = try await client.createInvalidation(
            distributionId: "EDFDVBD632BHDS5", callerReference: "cfinv-1", paths: ["/a%20b.html", "/x&y"])
        #expect(invalidation.id == "I2J0I21PCUYOIK")
        #expect(invalidation.status == "InProgress")
        #expect(!invalidation.isCompleted)
        #expect(invalidation.paths == ["/a%20b.html", "/x&y"])
        let request = try #require(fake.requests.first)
        #expect(request.method == "POST")
        #expect(request.url == "http://127.0.0.1:5055/2020-05-31/distribution/EDFDVBD632BHDS5/invalidation")
        #expect(
            String(decoding: request.body, as: UTF8.self)
                == "<?xml version=\"1.0\" encoding=\"UTF-8\"?><InvalidationBatch "
                + "xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\"><Paths><Quantity>2</Quantity><Items>"
                + "<Path>/a%20b.html</Path><Path>/x&amp;y</Path></Items></Paths><CallerReference>cfinv-1"
                + "</CallerReference></InvalidationBatch>")
        let authorization = try #require(request.headers.first { $0.name.lowercased() == "authorization" }?.value)
        #expect(authorization.contains("/us-east-1/cloudfront/aws4_request"))
        #expect(request.headers.contains { $0.name.lowercased() == "x-amz-security-token" && $0.value == "TOKEN" })
        #expect(request.headers.contains { $0.name == "host" && $0.value == "127.0.0.1:5055" })
    }

    @Test("GetInvalidation compares the status case-insensitively (moto says COMPLETED)")
    func getInvalidation() async throws {
        let body = created.replacingOccurrences("InProgress", "COMPLETED")
        let fake = FakeTransport([.success(HTTPResponse(statusCode: 200, body: Array(body.utf8)))])
        let client = try CloudFrontClient(configuration: configuration(), transport: fake)
        let invalidation = try await client.getInvalidation(distributionId: "E1", id: "I2J0I21PCUYOIK")
        #expect(invalidation.isCompleted)
        #expect(
            fake.requests.first?.url
                == "https://cloudfront.amazonaws.com/2020-05-31/distribution/E1/invalidation/I2J0I21PCUYOIK")
    }

    @Test("a success without a readable invalidation is a MalformedResponse")
    func malformed() async throws {
        let fake = FakeTransport([.success(HTTPResponse(statusCode: 201, body: Array("<Nope/>".utf8)))])
        let client = try CloudFrontClient(configuration: configuration(), transport: fake)
        await #expect {
            try await client.createInvalidation(distributionId: "E1", callerReference: "r", paths: ["/"])
        } throws: { ($0 as? AWSError)?.code == "MalformedResponse" }
    }

    @Test("GetParameter sends JSON 1.1 with decryption and reads the value")
    func getParameter() async throws {
        let body =
            #"{"Parameter":{"Name":"/site/dist","Type":"SecureString","Value":"E1,E2","Version":3,"LastModifiedDate":1.7E9}}"#
        let fake = FakeTransport([.success(HTTPResponse(statusCode: 200, body: Array(body.utf8)))])
        let ssm = try SSMClient(configuration: configuration(), transport: fake)
        let parameter = try await ssm.getParameter(name: "/site/dist")
        #expect(parameter == SSMParameter(name: "/site/dist", type: "SecureString", value: "E1,E2", version: "3"))
        let request = try #require(fake.requests.first)
        #expect(request.url == "https://ssm.eu-west-1.amazonaws.com/")
        #expect(String(decoding: request.body, as: UTF8.self) == #"{"Name":"/site/dist","WithDecryption":true}"#)
        #expect(request.headers.contains { $0.name == "x-amz-target" && $0.value == "AmazonSSM.GetParameter" })
        #expect(request.headers.contains { $0.name == "content-type" && $0.value == "application/x-amz-json-1.1" })
    }

    @Test("sendJSON sends JSON 1.1 unless told 1.0")
    func jsonVersion() async throws {
        let fake = FakeTransport([.success(.text(200, "{}")), .success(.text(200, ""))])
        let client = try SSMClient(configuration: configuration(), transport: fake).client
        #expect(try await client.sendJSON(operation: "A", target: "X.A", body: .object([:])) == .object([:]))
        _ = try await client.sendJSON(operation: "B", target: "X.B", body: .object([:]), jsonVersion: .v10)
        let types = fake.requests.map { request in request.headers.first { $0.name == "content-type" }?.value }
        #expect(types == ["application/x-amz-json-1.1", "application/x-amz-json-1.0"])
    }

    @Test("descriptions never contain secrets")
    func redaction() {
        let error = AWSError(kind: .service, code: "AccessDenied", message: "m", service: "s", operation: "o")
        #expect(!"\(testCredentials) \(error)".contains("wJalrXUtnFEMI"))
        #expect(!"\(testCredentials)".contains("TOKEN"))
    }
}

extension String {
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
