import JSONSupport
import Testing

@Suite("JSON")
struct JSONTests {
    @Test("parses documents, escapes and unicode")
    func parses() throws {
        let value = try JSON.parse(#"{"a":[1,-2.5e3,true,false,null],"s":"x\"\\\/\b\f\n\r\t\u00fc\ud83c\udf89"}"#)
        #expect(value["a"] == .array([.number("1"), .number("-2.5e3"), .bool(true), .bool(false), .null]))
        #expect(value["s"]?.string == "x\"\\/\u{8}\u{C}\n\r\tü🎉")
    }

    @Test(
        "rejects what is not JSON",
        arguments: [
            "", "{", "[1,]", "{\"a\":}", "01", "1.", "-", "\"abc", "tru", "{\"a\":1}x", "\"\\x\"", "\"\\ud800\"",
            "\"a\u{01}b\"", "{a:1}", "[1 2]",
        ])
    func rejects(text: String) {
        #expect(throws: JSONError.self) { try JSON.parse(text) }
    }

    @Test("rejects invalid UTF-8 and hostile nesting")
    func hostile() {
        #expect(throws: JSONError.self) { try JSON.parse([0x22, 0xFF, 0x22]) }
        #expect(throws: JSONError.self) { try JSON.parse(String(repeating: "[", count: 10_000)) }
        #expect(throws: Never.self) {
            try JSON.parse(String(repeating: "[", count: 200) + String(repeating: "]", count: 200))
        }
    }

    @Test("quotes any text into valid JSON")
    func quotes() throws {
        let nasty = "quote\" backslash\\ newline\n nul\u{0} bell\u{7} del\u{7F} ls\u{2028} ü"
        let quoted = JSON.quote(nasty)
        #expect(try JSON.parse(quoted).string == nasty)
        #expect(!quoted.unicodeScalars.contains { $0.value < 0x20 })
    }

    @Test("serialises deterministically")
    func serialises() {
        let value = JSONValue.object(["b": .array([.string("x"), .null]), "a": .bool(true)])
        #expect(JSON.serialize(value) == #"{"a":true,"b":["x",null]}"#)
    }
}
