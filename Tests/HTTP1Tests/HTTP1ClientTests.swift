import AWSClient
import Foundation
import HTTP1
import NIOCore
import NIOHTTP1
import NIOSSL
import Testing

@Suite("HTTP/1.1 client: connections kept and replaced, deadlines, limits, TLS")
struct HTTP1ClientTests {
    func get(
        _ client: HTTP1Client, _ origin: HTTP1Origin, method: HTTPMethod = .GET, body: [UInt8]? = nil,
        deadline: TimeAmount = .seconds(10), limit: Int = 1 << 20
    ) async throws(HTTP1Error) -> HTTP1Response {
        try await client.execute(
            method: method, origin: origin, target: "/path?a=1", body: body, deadline: .now() + deadline,
            responseLimit: limit)
    }

    @Test("a kept connection carries the next request; Host is added, Content-Length only where a body goes")
    func keptConnection() async throws {
        let server = try await ScriptedServer { _, _ in .ok() }
        let client = HTTP1Client()
        let first = try await get(client, server.origin())
        #expect(first.status == 200 && first.body == Array("ok".utf8))
        _ = try await get(client, server.origin(), method: .POST, body: [])
        _ = try await get(client, server.origin(), method: .PUT, body: Array("abc".utf8))
        #expect(server.connections == 1)
        let texts = server.received.map(\.text)
        #expect(texts.count == 3)
        #expect(texts[0].hasPrefix("GET /path?a=1 HTTP/1.1\r\n"))
        #expect(texts[0].lowercased().contains("host: 127.0.0.1:\(server.port)\r\n"))
        #expect(
            !texts[0].lowercased().contains("content-length") && !texts[0].lowercased().contains("transfer-encoding"))
        #expect(texts[1].lowercased().contains("content-length: 0\r\n"))
        #expect(texts[2].lowercased().contains("content-length: 3\r\n") && texts[2].hasSuffix("\r\n\r\nabc"))
        await server.close()
    }

    @Test("`connection: close` is honoured: the next request opens a new connection")
    func connectionClose() async throws {
        let server = try await ScriptedServer { _, _ in .ok(headers: "connection: close\r\n") }
        let client = HTTP1Client()
        _ = try await get(client, server.origin())
        _ = try await get(client, server.origin())
        #expect(server.connections == 2)
        await server.close()
    }

    @Test("a kept connection the server closes unanswered is replaced, and the request sent once more on a new one")
    func staleConnection() async throws {
        let server = try await ScriptedServer { index, _ in
            index == 1 ? ScriptedServer.Reply(bytes: "", then: .close) : .ok("fresh")
        }
        let client = HTTP1Client()
        _ = try await get(client, server.origin())
        let second = try await get(client, server.origin())
        #expect(second.body == Array("fresh".utf8))
        #expect(server.received.map(\.connection) == [0, 0, 1])
        await server.close()
    }

    @Test("a new connection closed unanswered is an error, not sent again: the caller's retry policy decides")
    func freshConnectionClosed() async throws {
        let server = try await ScriptedServer { _, _ in ScriptedServer.Reply(bytes: "", then: .close) }
        await #expect(throws: HTTP1Error.connectionClosed(beforeResponse: true)) {
            try await get(HTTP1Client(), server.origin())
        }
        #expect(server.received.count == 1)
        await server.close()
    }

    @Test("a response cut short after its head fails and is never sent again, even on a kept connection")
    func cutShort() async throws {
        let server = try await ScriptedServer { index, _ in
            index == 0
                ? .ok() : ScriptedServer.Reply(bytes: "HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc", then: .close)
        }
        let client = HTTP1Client()
        _ = try await get(client, server.origin())
        do {
            _ = try await get(client, server.origin())
            Issue.record("a response cut short was taken whole")
        } catch {
            switch error {
            case .connection(_, beforeResponse: false), .connectionClosed(beforeResponse: false): break
            default: Issue.record("\(error)")
            }
        }
        #expect(server.received.count == 2)
        await server.close()
    }

    @Test("a response that broke off inside its head is never sent again, even on a kept connection")
    func partialHead() async throws {
        let server = try await ScriptedServer { index, _ in
            index == 0 ? .ok() : ScriptedServer.Reply(bytes: "HTTP/1.1 200 OK\r\nx-amzn-Requ", then: .close)
        }
        let client = HTTP1Client()
        _ = try await get(client, server.origin())
        await #expect(throws: HTTP1Error.self) { try await get(client, server.origin(), method: .POST, body: []) }
        #expect(server.received.count == 2)
        await server.close()
    }

    @Test("a 101 answer fails the request at once instead of waiting for its deadline")
    func switchingProtocols() async throws {
        let server = try await ScriptedServer { _, _ in
            ScriptedServer.Reply(
                bytes: "HTTP/1.1 101 Switching Protocols\r\nupgrade: h2c\r\nconnection: upgrade\r\n\r\n")
        }
        let start = ContinuousClock.now
        await #expect(throws: HTTP1Error.self) {
            try await get(HTTP1Client(), server.origin(), deadline: .seconds(180))
        }
        #expect(ContinuousClock.now - start < .seconds(60))
        await server.close()
    }

    @Test("a connection idle past its lifetime is closed, not used")
    func idleLifetime() async throws {
        // A lifetime of zero has every kept connection expired when the next request comes (timing a real lifetime
        // would measure how loaded the test run is); `keptConnection` shows the default keeping one.
        let server = try await ScriptedServer { _, _ in .ok() }
        let client = HTTP1Client(idleLifetime: .zero)
        for _ in 0..<3 { _ = try await get(client, server.origin()) }
        #expect(server.connections == 3)
        await server.close()
    }

    @Test("a late response is a timeout at the deadline, and its connection is not used again")
    func lateResponse() async throws {
        let server = try await ScriptedServer { index, _ in
            var reply = ScriptedServer.Reply.ok()
            if index == 0 { reply.delay = .seconds(120) }
            return reply
        }
        let client = HTTP1Client()
        let start = ContinuousClock.now
        // The timeout comes from the connection's event loop at the deadline; when this task sees it may be later
        // under a loaded test run, but never as late as the answer.
        await #expect(throws: HTTP1Error.timeout) {
            try await get(client, server.origin(), deadline: .milliseconds(300))
        }
        #expect(ContinuousClock.now - start < .seconds(60))
        _ = try await get(client, server.origin())
        #expect(server.connections == 2)
        await server.close()
    }

    @Test("a body of several megabytes, read in many parts, arrives whole; the limit itself is allowed")
    func largeBody() async throws {
        let body = String((0..<3_000_000).map { Character(UnicodeScalar(UInt8(97 + $0 % 26))) })
        let server = try await ScriptedServer { _, _ in .ok(body) }
        let response = try await get(HTTP1Client(), server.origin(), limit: body.utf8.count)
        #expect(response.body.count == body.utf8.count && response.body == Array(body.utf8))
        await server.close()
    }

    @Test("an HTTP/1.0 answer whose body ends when the server closes is read whole, and its connection not kept")
    func closeDelimited() async throws {
        let server = try await ScriptedServer { index, _ in
            index == 0
                ? ScriptedServer.Reply(bytes: "HTTP/1.0 200 OK\r\n\r\nuntil the end", then: .close) : .ok("next")
        }
        let client = HTTP1Client()
        #expect(try await get(client, server.origin()).body == Array("until the end".utf8))
        #expect(try await get(client, server.origin()).body == Array("next".utf8))
        #expect(server.connections == 2)
        await server.close()
    }

    @Test("a HEAD answer's Content-Length announces no body, and the connection carries the next request")
    func head() async throws {
        let server = try await ScriptedServer { index, _ in
            index == 0 ? ScriptedServer.Reply(bytes: "HTTP/1.1 200 OK\r\ncontent-length: 1234\r\n\r\n") : .ok("after")
        }
        let client = HTTP1Client()
        let head = try await get(client, server.origin(), method: .HEAD)
        #expect(head.status == 200 && head.body.isEmpty)
        #expect(try await get(client, server.origin()).body == Array("after".utf8))
        #expect(server.connections == 1)
        await server.close()
    }

    @Test("a body over the limit fails the request")
    func tooLarge() async throws {
        let server = try await ScriptedServer { _, _ in .ok(String(repeating: "x", count: 20)) }
        await #expect(throws: HTTP1Error.responseTooLarge(limit: 10)) {
            try await get(HTTP1Client(), server.origin(), limit: 10)
        }
        await server.close()
    }

    @Test("a chunked body is collected whole, after an interim 100 Continue")
    func chunkedAfterContinue() async throws {
        let server = try await ScriptedServer { _, _ in
            ScriptedServer.Reply(
                bytes: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\ntransfer-encoding: chunked\r\n"
                    + "x-amzn-requestid: r-1\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
        }
        let response = try await get(HTTP1Client(), server.origin())
        #expect(response.status == 404)
        #expect(response.body == Array("hello world".utf8))
        #expect(response.headers.contains { $0.name == "x-amzn-requestid" && $0.value == "r-1" })
        await server.close()
    }

    @Test("a refused port fails at once as a connection error, long before the deadline")
    func refused() async throws {
        let server = try await ScriptedServer { _, _ in .ok() }
        let origin = server.origin()
        await server.close()
        let start = ContinuousClock.now
        do {
            _ = try await get(HTTP1Client(), origin, deadline: .seconds(180))
            Issue.record("a closed port answered")
        } catch {
            guard case .connect = error else { throw error }
        }
        // Long before the deadline, allowing for a loaded test run delaying when this task resumes.
        #expect(ContinuousClock.now - start < .seconds(60))
    }

    @Test("origins: scheme, host, port and the Host header; anything else refused")
    func origins() {
        #expect(
            HTTP1Origin("https://cloudfront.amazonaws.com")
                == HTTP1Origin(secure: true, host: "cloudfront.amazonaws.com", port: 443))
        #expect(HTTP1Origin("http://127.0.0.1:9001") == HTTP1Origin(secure: false, host: "127.0.0.1", port: 9001))
        #expect(HTTP1Origin("http://[::1]:8080")?.host == "::1")
        #expect(HTTP1Origin("http://[::1]:8080")?.hostHeader == "[::1]:8080")
        #expect(HTTP1Origin("https://sts.amazonaws.com:443")?.hostHeader == "sts.amazonaws.com")
        for bad in [
            "ftp://h", "http://", "http://h/p", "http://u@h", "http://h:0", "http://h:x", "h:80", "http://[::1",
        ] {
            #expect(HTTP1Origin(bad) == nil, "\(bad)")
        }
    }

    @Test("the AWS transport reports a timeout as a timeout and a refused connection as a transport error")
    func transportKinds() async throws {
        let server = try await ScriptedServer { _, _ in
            var reply = ScriptedServer.Reply.ok()
            reply.delay = .seconds(3)
            return reply
        }
        let transport = HTTP1Transport(client: HTTP1Client())
        let request = HTTPRequest(method: "GET", origin: "http://127.0.0.1:\(server.port)", path: "/")
        do {
            _ = try await transport.send(request, timeout: .milliseconds(200))
            Issue.record("a late answer arrived in time")
        } catch {
            #expect(error.kind == .timeout)
        }
        await server.close()
        do {
            _ = try await transport.send(request, timeout: .seconds(5))
            Issue.record("a closed port answered")
        } catch {
            #expect(error.kind == .transport)
        }
    }
}

/// HTTPS against a server whose certificate a test CA issued for `localhost`: what swift-nio-ssl is configured to
/// check is checked.
@Suite("HTTP/1.1 client over TLS")
struct HTTP1TLSTests {
    @Test("a certificate of a trusted issuer for the host name is accepted; another name or issuer is refused")
    func verification() async throws {
        let pki = try TestPKI()
        let server = try await ScriptedServer(tls: pki.serverContext()) { _, _ in .ok("secure") }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates([pki.ca])
        let trusting = HTTP1Client(tlsConfiguration: configuration)
        let response = try await trusting.execute(
            method: .GET, origin: server.origin(secure: true, host: "localhost"), target: "/",
            deadline: .now() + .seconds(10), responseLimit: 1024)
        #expect(response.body == Array("secure".utf8))
        // The TLS connection is kept for the next request.
        _ = try await trusting.execute(
            method: .GET, origin: server.origin(secure: true, host: "localhost"), target: "/",
            deadline: .now() + .seconds(10), responseLimit: 1024)
        #expect(server.connections == 1)
        // The certificate names localhost only: reached by address, it does not match.
        await #expect(throws: HTTP1Error.self) {
            try await trusting.execute(
                method: .GET, origin: server.origin(secure: true, host: "127.0.0.1"), target: "/",
                deadline: .now() + .seconds(10), responseLimit: 1024)
        }
        // The system's trust roots do not include the test CA.
        await #expect(throws: HTTP1Error.self) {
            try await HTTP1Client().execute(
                method: .GET, origin: server.origin(secure: true, host: "localhost"), target: "/",
                deadline: .now() + .seconds(10), responseLimit: 1024)
        }
        #expect(server.received.count == 2)
        await server.close()
    }
}

/// A CA and a server certificate for `localhost`, made by the openssl command for each run.
struct TestPKI {
    let ca: NIOSSLCertificate
    let leaf: NIOSSLCertificate
    let key: NIOSSLPrivateKey

    init() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("http1-pki-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = { (name: String) in directory.appendingPathComponent(name).path }
        try "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
            .write(toFile: path("leaf.ext"), atomically: true, encoding: .utf8)
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try Self.openssl(
            ["req", "-x509"] + ec + [
                "-keyout", path("ca.key"), "-out", path("ca.pem"), "-days", "2", "-subj", "/CN=http1-test-ca",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign",
            ])
        try Self.openssl(
            ["req"] + ec + ["-keyout", path("leaf.key"), "-out", path("leaf.csr"), "-subj", "/CN=localhost"])
        try Self.openssl([
            "x509", "-req", "-in", path("leaf.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"),
            "-CAcreateserial", "-out", path("leaf.pem"), "-days", "2", "-extfile", path("leaf.ext"),
        ])
        ca = try NIOSSLCertificate(file: path("ca.pem"), format: .pem)
        leaf = try NIOSSLCertificate(file: path("leaf.pem"), format: .pem)
        key = try NIOSSLPrivateKey(file: path("leaf.key"), format: .pem)
    }

    func serverContext() throws -> NIOSSLContext {
        try NIOSSLContext(
            configuration: .makeServerConfiguration(
                certificateChain: [.certificate(leaf)], privateKey: .privateKey(key)))
    }

    static func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "openssl \(arguments.joined(separator: " ")) failed")
    }
}
