/// A value inside a `JSONDocument`, read as `JSONValue` reads (the same accessors, the same answers) but decoded
/// only as far as asked.
package struct JSONNode {
    package let document: JSONDocument
    let index: Int

    var entry: JSONTape.Entry { document.entries[index] }

    package var kind: JSONDocument.Kind { entry.kind }

    /// The member `key` of an object (the last, when the name repeats, as `JSONValue` keeps it), or nil for
    /// anything else.
    package subscript(key: String) -> JSONNode? {
        var utf8 = key
        let found = utf8.withUTF8 { utf8 in document.withTape { $0.member(of: index, named: key, utf8: utf8) } }
        return found.map { JSONNode(document: document, index: $0) }
    }

    /// The string, or nil when the value is not a string.
    package var string: String? {
        guard kind == .string else { return nil }
        return document.withTape { $0.string($0.entries[index]) }
    }

    /// Whether the value is the string `text`.
    package func isString(_ text: String) -> Bool {
        guard kind == .string else { return false }
        var utf8 = text
        return utf8.withUTF8 { utf8 in
            document.withTape {
                $0.stringEntry(index, equals: text, utf8: utf8, isASCII: utf8.allSatisfy { $0 < 0x80 })
            }
        }
    }

    /// The string's UTF-8 bytes, decoded, or nil when the value is not a string.
    package var stringBytes: [UInt8]? {
        guard kind == .string else { return nil }
        return document.withTape { $0.unescaped($0.entries[index]) }
    }

    /// A scalar rendered as text (strings as is, numbers as written, booleans); nil for null, arrays, objects.
    package var scalarText: String? {
        switch kind {
        case .string: return string
        case .number: return document.withTape { $0.text($0.entries[index]) }
        case .true: return "true"
        case .false: return "false"
        default: return nil
        }
    }

    /// Appends `scalarText`'s UTF-8, if any, decoded straight from the document.
    package func appendScalarText(to out: inout [UInt8]) {
        let entry = entry
        switch entry.kind {
        case .string where entry.flags & 1 != 0: out.append(contentsOf: document.withTape { $0.unescaped(entry) })
        case .string, .number: out.append(contentsOf: document.bytes[Int(entry.start)..<Int(entry.end)])
        case .true: out.append(contentsOf: "true".utf8)
        case .false: out.append(contentsOf: "false".utf8)
        default: break
        }
    }

    /// The elements, or nil when the value is not an array.
    package var array: [JSONNode]? {
        guard kind == .array else { return nil }
        var elements: [JSONNode] = []
        document.withTape { tape in
            var child = index + 1
            while child < Int(tape.entries[index].end) {
                elements.append(JSONNode(document: document, index: child))
                child = tape.next(after: child)
            }
        }
        return elements
    }

    package var isObject: Bool { kind == .object }

    /// The value as `JSON.parse` gives it.
    package var value: JSONValue { document.withTape { $0.value(at: index) } }
}
