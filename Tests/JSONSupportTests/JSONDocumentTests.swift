import AWSTestSupport
import FoundationEssentials
import JSONSupport
import Testing

/// `JSON.parse` and `JSONDocument` (the decoder's in-place reader) share one scanner but read its tape in two ways:
/// a `JSONValue` built in one walk, and nodes decoded on demand. Both must answer the same value, or the same error
/// at the same offset, for any input.
@Suite("JSON.parse and JSONDocument read alike")
struct JSONDocumentTests {
    static let sample = Array(
        (#"{"Records":[{"messageId":"m","body":"{\"Records\":[{\"s3\":1}]}","n":-1.5e+3,"t":true,"f":false,"#
            + #""z":null,"u":"\u00e9\ud83d\ude00 é\/\b\f\n\r\t","a":[],"o":{},"k":"K","k":"last","\u006b":"esc"}]}"#)
            .utf8)

    /// Both readers' answers for `bytes`, as comparable values.
    func outcomes(_ bytes: [UInt8]) -> (Result<JSONValue, JSONError>, Result<JSONValue, JSONError>) {
        let parsed: Result<JSONValue, JSONError> = Result { () throws(JSONError) in try JSON.parse(bytes) }
        let document: Result<JSONValue, JSONError> = Result { () throws(JSONError) in
            try JSONDocument(bytes: bytes).root.value
        }
        return (parsed, document)
    }

    @Test("every prefix and many one-byte mutations of a document: same value or same error at the same offset")
    func mutations() {
        var random = SeededRandom(seed: 7)
        let replacements: [UInt8] = Array("\"\\{}[],: 0-.eEu+tfnaA/".utf8) + [0x01, 0x7F, 0x80, 0xC3, 0xE2, 0xFF]
        var inputs: [[UInt8]] = (0...Self.sample.count).map { Array(Self.sample[0..<$0]) }
        for _ in 0..<3000 {
            var bytes = Self.sample
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = replacements.randomElement(using: &random)!
            }
            inputs.append(bytes)
        }
        for bytes in inputs {
            let (parsed, document) = outcomes(bytes)
            #expect(parsed == document, "\(String(decoding: bytes, as: UTF8.self))")
        }
    }

    /// Every JSON file kept under `Tests/` (real AWS events and answers, and the inputs fuzzing found), as seeds.
    static func corpus() throws -> [[UInt8]] {
        let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        let paths = try FileManager.default.subpathsOfDirectory(atPath: tests.path).filter { $0.hasSuffix(".json") }
        return try paths.map { Array(try Data(contentsOf: tests.appending(path: $0))) } + [Self.sample]
    }

    @Test("the fuzz corpus and its mutations: same value or same error at the same offset")
    func corpusMutations() throws {
        let seeds = try Self.corpus()
        #expect(seeds.count > 10, "the test tree's JSON files are found")
        var fuzzer = Fuzzer(name: "json-readers", seeds: seeds)
        let tried = fuzzer.run(seconds: Fuzzer.budget(default: 2)) { bytes in
            let (parsed, document) = outcomes(bytes)
            #expect(parsed == document, "\(String(decoding: bytes.prefix(300), as: UTF8.self))")
        }
        print("fuzz json-readers: \(tried) inputs")
    }

    @Test("odd documents: nesting, numbers, escapes, surrogates, whitespace")
    func oddDocuments() {
        let texts = [
            "", " ", "[]", "{}", "[[[[", String(repeating: "[", count: 256) + String(repeating: "]", count: 256),
            String(repeating: "[", count: 255) + String(repeating: "]", count: 255), "01", "-0", "-", "1.", "1e", "1e+",
            "0.5E-7", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\\ud800\\", "\"\\x\"", "\"\\u12G4\"",
            "\"\\u12", "tru", "nul", "{\"a\" 1}", "{\"a\":1,}", "[1 2]", "{} x", " \t\n{}\r ", "\"\u{7F}\"", "{1:2}",
            "\"ab\\", "\"a\u{1}\"", "\"\\n\u{1}\"", "{\"a\":{\"a\":[{\"a\":null}]},\"a\":2}",
        ]
        for text in texts {
            let (parsed, document) = outcomes(Array(text.utf8))
            #expect(parsed == document, "\(text)")
        }
        for bytes: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0x5C, 0x6E, 0xC3, 0x22], [0x22, 0xC3, 0x5C, 0x6E, 0x22]] {
            let (parsed, document) = outcomes(bytes)
            #expect(parsed == document)
        }
    }

    @Test("members read as JSONValue reads them: the last of a repeated name, escaped names, string equality")
    func members() throws {
        let document = try JSONDocument(bytes: Self.sample)
        let value = try JSON.parse(Self.sample)
        let record = try #require(document.root["Records"]?.array?.first)
        let expected = try #require(value["Records"]?.array?.first)
        for key in ["messageId", "body", "n", "t", "f", "z", "u", "a", "o", "k", "missing", "K"] {
            #expect(record[key]?.value == expected[key], "\(key)")
            #expect(record[key]?.scalarText == expected[key]?.scalarText, "\(key)")
            #expect(record[key]?.string == expected[key]?.string, "\(key)")
        }
        #expect(record["k"]?.isString("esc") == true)
        #expect(record["body"]?.stringBytes.map { Array($0) } == expected["body"]?.string.map { Array($0.utf8) })
        // A name that is the same string in another spelling (a precomposed é, a Kelvin sign) is the same member.
        let text = Array(#"{"caf\u00e9":1,"\u212a":2,"x\u0301":3}"#.utf8)
        let unicode = try JSONDocument(bytes: text).root
        let unicodeValue = try JSON.parse(text)
        for key in ["cafe\u{301}", "caf\u{E9}", "K", "k", "x", "x\u{301}"] {
            #expect(unicode[key]?.value == unicodeValue[key], "\(key)")
        }
        #expect(unicode["cafe\u{301}"]?.scalarText == "1")
    }
}
