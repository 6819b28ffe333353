import JSONSupport
import Testing

@Suite("JSON")
struct JSONTests {
    /// The description of the error parsing `text` throws, nil when it parses.
    func failure(_ text: String, rejectingDuplicateMembers: Bool = false) -> String? {
        failure { () throws(JSONError) in
            rejectingDuplicateMembers ? try JSON.parse(text, rejectingDuplicateMembers: true) : try JSON.parse(text)
        }
    }

    func failure(_ bytes: [UInt8]) -> String? { failure { () throws(JSONError) in try JSON.parse(bytes) } }

    func failure(_ body: () throws(JSONError) -> JSONValue) -> String? {
        do {
            _ = try body()
            return nil
        } catch {
            return error.description
        }
    }

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

    @Test(
        "says what is wrong and where: the message and byte offset of each kind of error",
        arguments: [
            ("", "unexpected end of input", 0), ("[1,]", "unexpected character", 3),
            ("{\"a\":1}x", "unexpected data after the JSON value", 7),
            ("01", "unexpected data after the JSON value", 1),
            ("\"\\ud800\"", "lone surrogate in \\u escape", 7),
            ("\"\\ud800\\u0041\"", "lone surrogate in \\u escape", 13),
            ("[\"a\u{01}b\"]", "unescaped control character in string", 3), ("\"abc", "unterminated string", 4),
            ("[1 2]", "expected ',' or ']'", 3), ("{\"a\" 1}", "expected ':'", 5),
            ("{\"a\":1 ", "unexpected end of input", 7),
            ("tru", "unexpected end of input", 0), ("nulx", "invalid literal", 0), ("1.", "invalid number", 2),
            ("-", "invalid number", 1), ("\"\\u12G4\"", "invalid \\u escape", 5), ("\"\\x\"", "invalid escape", 3),
            ("{1:2}", "expected a member name", 1),
            (String(repeating: "[", count: 257), "nesting deeper than 256 levels", 256),
        ])
    func errors(text: String, message: String, offset: Int) {
        #expect(failure(text) == "\(message) at byte \(offset)")
    }

    @Test("invalid UTF-8 is reported at the closing quote, or just after it when the string has an escape")
    func invalidUTF8Offsets() {
        #expect(failure([0x22, 0xFF, 0x22]) == "string is not valid UTF-8 at byte 2")
        #expect(failure([0x22, 0x5C, 0x6E, 0xC3, 0x22]) == "string is not valid UTF-8 at byte 5")
    }

    @Test("a repeated member: the last one wins, or an error at its name when duplicates are refused")
    func duplicateMembers() throws {
        #expect(try JSON.parse(#"{"a":1,"b":2,"a":3}"#)["a"] == .number("3"))
        #expect(failure(#"{"a":1,"a":2,}"#, rejectingDuplicateMembers: true) == "duplicate member \"a\" at byte 7")
        // Names compare as Swift strings compare: a precomposed é and e + U+0301 are the same member.
        #expect(
            failure(#"{"x":{"caf\u00e9":1,"cafe\u0301":2}}"#, rejectingDuplicateMembers: true)
                == "duplicate member \"caf\u{E9}\" at byte 20")
        // The same name in different objects is no duplicate.
        let nested = try JSON.parse(#"{"a":[1,{"a":1}],"b":{"a":2}}"#, rejectingDuplicateMembers: true)
        #expect(nested["b"]?["a"] == .number("2"))
    }

    @Test("rejects invalid UTF-8 and hostile nesting")
    func hostile() {
        #expect(throws: JSONError.self) { try JSON.parse([0x22, 0xFF, 0x22]) }
        #expect(throws: JSONError.self) { try JSON.parse(String(repeating: "[", count: 10_000)) }
        // 6 MB of nesting stops at the depth limit, long before the stack's.
        #expect(failure(String(repeating: "[", count: 6_000_000)) == "nesting deeper than 256 levels at byte 256")
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
