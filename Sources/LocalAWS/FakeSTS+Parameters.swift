import AWSClient

extension FakeSTS.State {
    /// The decoded form of a `POST /` with `Content-Type: application/x-www-form-urlencoded`; nil for anything else
    /// (another method or type, bad percent-encoding, a name given twice).
    static func form(_ request: HTTPRequest) -> [String: String]? {
        let type = request.headers.first { $0.name.lowercased() == "content-type" }?.value.lowercased() ?? ""
        guard request.method == "POST", request.path == "/", type.hasPrefix("application/x-www-form-urlencoded"),
            let text = String(validating: request.body, as: UTF8.self)
        else { return nil }
        var form: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]), let value = decode(parts.count == 2 ? parts[1] : ""),
                form[name] == nil
            else { return nil }
            form[name] = value
        }
        return form
    }

    /// Percent-decoding, `+` as a space (the form encoding).
    static func decode(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%") {
                let high = utf8.index(after: index)
                guard high < utf8.endIndex, utf8.index(after: high) < utf8.endIndex,
                    let value = UInt8(String(text[high...utf8.index(after: high)]), radix: 16)
                else { return nil }
                bytes.append(value)
                index = utf8.index(high, offsetBy: 2)
            } else {
                bytes.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index = utf8.index(after: index)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// `AssumeRole`'s parameters, checked as botocore's model constrains them (`roleSessionNameType`,
    /// `externalIdType`, `roleDurationSecondsType`); the role ARN must name an IAM role. Parameters the fake does not
    /// model (policies, tags, MFA, source identity) are refused, so no test passes on one it would ignore.
    static func parameters(_ form: [String: String]) throws(FakeSTS.Failure) -> FakeSTS.Call {
        let known: Set<String> = ["Action", "Version", "RoleArn", "RoleSessionName", "ExternalId", "DurationSeconds"]
        for name in form.keys.sorted() where !known.contains(name) {
            throw FakeSTS.Failure(code: "ValidationError", message: "FakeSTS does not support the parameter \(name)")
        }
        guard let roleArn = form["RoleArn"] else { throw .constraint("roleArn", nil, "not be null") }
        guard isRoleArn(roleArn) else {
            throw .constraint("roleArn", roleArn, "be the ARN of an IAM role (arn:aws:iam::<account>:role/<name>)")
        }
        guard let session = form["RoleSessionName"] else { throw .constraint("roleSessionName", nil, "not be null") }
        guard (2...64).contains(session.utf8.count) else {
            throw .constraint("roleSessionName", session, "have length between 2 and 64")
        }
        guard matches(session, extra: "+=,.@-") else {
            throw .constraint("roleSessionName", session, "satisfy regular expression pattern: [\\w+=,.@-]*")
        }
        let externalId = form["ExternalId"]
        if let externalId {
            guard (2...1224).contains(externalId.utf8.count) else {
                throw .constraint("externalId", externalId, "have length between 2 and 1224")
            }
            guard matches(externalId, extra: "+=,.@:/-") else {
                throw .constraint("externalId", externalId, "satisfy regular expression pattern: [\\w+=,.@:\\/-]*")
            }
        }
        var duration = 3600
        if let text = form["DurationSeconds"] {
            guard let value = Int(text), (900...43200).contains(value) else {
                throw .constraint("durationSeconds", text, "have value between 900 and 43200")
            }
            duration = value
        }
        return FakeSTS.Call(roleArn: roleArn, sessionName: session, externalId: externalId, durationSeconds: duration)
    }

    /// `arn:<partition>:iam::<12 digits>:role/<path/><name>`.
    static func isRoleArn(_ arn: String) -> Bool {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        return parts.count == 6 && parts[0] == "arn" && parts[1].hasPrefix("aws") && parts[2] == "iam"
            && parts[3].isEmpty && parts[4].count == 12 && parts[4].allSatisfy(\.isASCII)
            && parts[4].allSatisfy(\.isNumber) && parts[5].hasPrefix("role/") && !parts[5].hasSuffix("/")
            && (20...2048).contains(arn.utf8.count)
    }

    /// Every byte is `\w` (`[A-Za-z0-9_]`) or one of `extra`.
    static func matches(_ text: String, extra: String) -> Bool {
        text.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
                || extra.utf8.contains(byte)
        }
    }
}
