import InvalidationCore
import Testing

@Suite("Object keys and CloudFront paths")
struct PathTests {
    @Test(
        "notification keys are form-decoded exactly once",
        arguments: [
            ("index.html", "index.html"),
            ("a+b.html", "a b.html"),
            ("a%2Bb.html", "a+b.html"),
            ("dir%2Fa.html", "dir/a.html"),
            ("dir+a%2Ffile+b%2Bc+%281%29%C3%BC%3Dx.html", "dir a/file b+c (1)ü=x.html"),
            ("100%25.html", "100%.html"),
            ("%2541", "%41"),
            ("tilde%7E", "tilde~"),
            ("emoji+%F0%9F%8E%89.txt", "emoji 🎉.txt"),
            ("logs/year%3D2026/a.gz", "logs/year=2026/a.gz"),
            ("raw/ü.html", "raw/ü.html"),
        ])
    func decodesNotificationKeys(raw: String, decoded: String) throws {
        #expect(try ObjectKey.decodeNotificationKey(raw) == decoded)
    }

    @Test(
        "malformed notification keys are rejected with a reason",
        arguments: [
            ("", "empty key"),
            ("abc%", "invalid percent-encoding"),
            ("abc%4", "invalid percent-encoding"),
            ("abc%G1", "invalid percent-encoding"),
            ("%E2%82", "not valid UTF-8"),
            ("%FF.html", "not valid UTF-8"),
        ])
    func rejectsMalformedKeys(raw: String, reason: String) {
        #expect {
            try ObjectKey.decodeNotificationKey(raw)
        } throws: { error in
            (error as? InputError)?.description.contains(reason) == true
        }
    }

    @Test(
        "paths encode exactly what CloudFront needs encoded",
        arguments: [
            ("index.html", "/index.html"),
            ("a/b/c.js", "/a/b/c.js"),
            ("a b.html", "/a%20b.html"),
            ("a+b.html", "/a+b.html"),
            ("100%.html", "/100%25.html"),
            ("%41.html", "/%2541.html"),
            ("a#b.html", "/a%23b.html"),
            ("a?b.html", "/a%3Fb.html"),
            ("~user/x.css", "/%7Euser/x.css"),
            ("ü.html", "/%C3%BC.html"),
            ("emoji 🎉.txt", "/emoji%20%F0%9F%8E%89.txt"),
            ("q\"<>.txt", "/q%22%3C%3E.txt"),
            ("[x]{y}|z^`\\", "/%5Bx%5D%7By%7D%7Cz%5E%60%5C"),
            ("tab\there\n", "/tab%09here%0A"),
            ("del\u{7F}", "/del%7F"),
            ("safe;,=&@$!'()-_.:", "/safe;,=&@$!'()-_.:"),
            ("dir a/file b+c (1)ü=x.html", "/dir%20a/file%20b+c%20(1)%C3%BC=x.html"),
            ("star*middle.js", "/star%2Amiddle.js"),
            ("ends*", "/ends%2A"),
            ("*", "/%2A"),
            ("", "/"),
        ])
    func encodesPaths(key: String, path: String) {
        #expect(CloudFrontPath.forKey(key) == path)
    }

    @Test("a long key becomes a covering wildcard under CloudFront's 4,000 characters, never a cut escape")
    func longKeys() {
        let fits = String(repeating: "a", count: 1023)
        #expect(CloudFrontPath.forKey(fits) == "/" + fits)
        for filler in 0..<3 {
            let key = String(repeating: "b", count: filler) + String(repeating: "é", count: 1200)
            let path = CloudFrontPath.forKey(key)
            #expect(path.utf8.count <= CloudFrontPath.maximumLength)
            #expect(path.hasSuffix("*"))
            let body = path.dropLast()
            #expect(!body.hasSuffix("%") && !body.dropLast().hasSuffix("%"))
            #expect(("/" + key).hasPrefix(String(body).removingPercentEncodingForTest()))
        }
    }

    @Test(
        "the index document also invalidates its directory",
        arguments: [
            ("index.html", ["/index.html", "/"]),
            ("docs/index.html", ["/docs/index.html", "/docs/"]),
            ("a b/index.html", ["/a%20b/index.html", "/a%20b/"]),
            ("docs/myindex.html", ["/docs/myindex.html"]),
            ("index.html.bak", ["/index.html.bak"]),
        ])
    func indexDocument(key: String, paths: [String]) {
        #expect(CloudFrontPath.paths(forKey: key, indexDocument: "index.html") == paths)
    }

    @Test("the index document is configurable and can be switched off")
    func indexDocumentSetting() {
        #expect(
            CloudFrontPath.paths(forKey: "a/default.htm", indexDocument: "default.htm") == ["/a/default.htm", "/a/"])
        #expect(CloudFrontPath.paths(forKey: "a/index.html", indexDocument: nil) == ["/a/index.html"])
    }
}

extension String {
    /// Percent-decoding for assertions only (the product never decodes paths).
    func removingPercentEncodingForTest() -> String {
        var bytes: [UInt8] = []
        var iterator = Array(utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
