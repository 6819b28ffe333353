/// An element of a parsed XML document: enough of XML for AWS's REST-XML responses.
///
/// FoundationXML is not an option (it links libxml2, which provided.al2023 lacks), and AWS responses use a small
/// subset: elements, attributes, character data, the five entities, numeric references, CDATA, comments and the
/// XML declaration. Anything else is rejected rather than guessed at.
public struct XMLElement: Sendable, Equatable {
    public var name: String
    public var attributes: [String: String]
    public var children: [XMLElement]
    /// The element's character data (concatenated; whitespace kept).
    public var text: String

    /// The first child element named `name` (local name, namespace prefixes ignored).
    public func child(_ name: String) -> XMLElement? { children.first { $0.localName == name } }

    /// Every child element named `name`.
    public func children(named name: String) -> [XMLElement] { children.filter { $0.localName == name } }

    /// The text of the first child named `name`.
    public subscript(name: String) -> String? { child(name)?.text }

    /// The name without a namespace prefix.
    public var localName: String {
        guard let colon = name.lastIndex(of: ":") else { return name }
        return String(name[name.index(after: colon)...])
    }
}

/// Why a document is not XML we understand.
public struct XMLError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var offset: Int
    public var description: String { "\(message) at byte \(offset)" }
}

/// Writing and reading XML.
public enum XML {
    /// Escapes text for element content and attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\r": out += "&#13;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Parses a document and returns its root element.
    public static func parse(_ bytes: [UInt8]) throws(XMLError) -> XMLElement {
        var parser = XMLParser(bytes: bytes)
        return try parser.parseDocument()
    }
}

private struct XMLParser {
    let bytes: [UInt8]
    var index = 0
    var depth = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    func error(_ message: String) -> XMLError { XMLError(message: message, offset: index) }

    func peek(_ literal: String) -> Bool {
        let utf8 = Array(literal.utf8)
        guard index + utf8.count <= bytes.count else { return false }
        return bytes[index..<index + utf8.count].elementsEqual(utf8)
    }

    mutating func skip(past terminator: String) throws(XMLError) {
        let utf8 = Array(terminator.utf8)
        while index + utf8.count <= bytes.count {
            if bytes[index..<index + utf8.count].elementsEqual(utf8) {
                index += utf8.count
                return
            }
            index += 1
        }
        throw error("unterminated construct, expected \(terminator)")
    }

    mutating func skipWhitespace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    mutating func skipMisc() throws(XMLError) {
        while true {
            skipWhitespace()
            if peek("<?") {
                try skip(past: "?>")
            } else if peek("<!--") {
                try skip(past: "-->")
            } else if peek("<!DOCTYPE") {
                throw error("DOCTYPE is not supported")
            } else {
                return
            }
        }
    }

    mutating func parseDocument() throws(XMLError) -> XMLElement {
        if peek("\u{FEFF}") { index += 3 }
        try skipMisc()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "<") else { throw error("expected the root element") }
        let root = try parseElement()
        try skipMisc()
        guard index == bytes.count else { throw error("unexpected data after the root element") }
        return root
    }

    mutating func parseName() throws(XMLError) -> String {
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if [0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: ">"), UInt8(ascii: "/"), UInt8(ascii: "=")].contains(byte) {
                break
            }
            index += 1
        }
        guard index > start else { throw error("expected a name") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    mutating func parseElement() throws(XMLError) -> XMLElement {
        depth += 1
        defer { depth -= 1 }
        guard depth <= 64 else { throw error("elements nested too deeply") }
        index += 1  // "<"
        let name = try parseName()
        var element = XMLElement(name: name, attributes: [:], children: [], text: "")
        while true {
            skipWhitespace()
            guard index < bytes.count else { throw error("unterminated start tag") }
            if bytes[index] == UInt8(ascii: "/") {
                guard index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: ">") else { throw error("expected />") }
                index += 2
                return element
            }
            if bytes[index] == UInt8(ascii: ">") {
                index += 1
                break
            }
            let attribute = try parseName()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else { throw error("expected =") }
            index += 1
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else {
                throw error("expected a quoted attribute value")
            }
            let quote = bytes[index]
            index += 1
            let start = index
            while index < bytes.count, bytes[index] != quote { index += 1 }
            guard index < bytes.count else { throw error("unterminated attribute value") }
            element.attributes[attribute] = try decodeText(bytes[start..<index])
            index += 1
        }
        var text: [UInt8] = []
        while true {
            guard index < bytes.count else { throw error("unterminated element <\(name)>") }
            if bytes[index] != UInt8(ascii: "<") {
                let start = index
                while index < bytes.count, bytes[index] != UInt8(ascii: "<") { index += 1 }
                text += Array(try decodeText(bytes[start..<index]).utf8)
            } else if peek("</") {
                index += 2
                let closing = try parseName()
                guard closing == name else { throw error("</\(closing)> closes <\(name)>") }
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ">") else { throw error("expected >") }
                index += 1
                element.text = String(decoding: text, as: UTF8.self)
                return element
            } else if peek("<![CDATA[") {
                index += 9
                let start = index
                try skip(past: "]]>")
                text += bytes[start..<index - 3]
            } else if peek("<!--") {
                try skip(past: "-->")
            } else if peek("<?") {
                try skip(past: "?>")
            } else {
                element.children.append(try parseElement())
            }
        }
    }

    func decodeText(_ slice: ArraySlice<UInt8>) throws(XMLError) -> String {
        guard slice.contains(UInt8(ascii: "&")) else {
            guard let text = String(validating: slice, as: UTF8.self) else { throw error("text is not valid UTF-8") }
            return text
        }
        var out: [UInt8] = []
        var position = slice.startIndex
        while position < slice.endIndex {
            let byte = slice[position]
            guard byte == UInt8(ascii: "&") else {
                out.append(byte)
                position += 1
                continue
            }
            guard let semicolon = slice[position...].firstIndex(of: UInt8(ascii: ";")) else {
                throw error("unterminated entity")
            }
            let entity = String(decoding: slice[(position + 1)..<semicolon], as: UTF8.self)
            switch entity {
            case "amp": out.append(UInt8(ascii: "&"))
            case "lt": out.append(UInt8(ascii: "<"))
            case "gt": out.append(UInt8(ascii: ">"))
            case "quot": out.append(UInt8(ascii: "\""))
            case "apos": out.append(UInt8(ascii: "'"))
            default:
                let value: UInt32?
                if entity.hasPrefix("#x") {
                    value = UInt32(entity.dropFirst(2), radix: 16)
                } else if entity.hasPrefix("#") {
                    value = UInt32(entity.dropFirst(1), radix: 10)
                } else {
                    value = nil
                }
                guard let value, let scalar = Unicode.Scalar(value) else {
                    throw error("unknown entity &\(entity);")
                }
                out += Array(String(scalar).utf8)
            }
            position = semicolon + 1
        }
        guard let text = String(validating: out, as: UTF8.self) else { throw error("text is not valid UTF-8") }
        return text
    }
}
