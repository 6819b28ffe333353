import JSONSupport

/// Recognises every S3 trigger by its shape and turns it into object changes.
///
/// One binary serves S3 notifications (direct, via SQS, via SNS, via SNS then SQS) and EventBridge events (direct
/// or via SQS) without configuration. Every record that yields no change gets exactly one note saying why, and a bad
/// record never costs the good records around it.
public enum EventDecoder {
    public static func decode(_ payload: some Collection<UInt8>) -> DecodedEvent {
        // Walked in place: only the fields read are decoded, and no dictionary is built per JSON object.
        let document: JSONDocument
        do {
            document = try JSONDocument(bytes: payload as? [UInt8] ?? Array(payload))
        } catch {
            return DecodedEvent(
                source: .unrecognised, units: [],
                notes: [RecordNote(record: "event", reason: "event is not JSON (\(error))", severity: .rejected)])
        }
        return decode(event: document.root)
    }

    public static func decode(_ json: JSONValue) -> DecodedEvent {
        decode(event: json)
    }

    private static func decode<Value: EventJSON>(event json: Value) -> DecodedEvent {
        guard json.isObject else {
            return DecodedEvent(
                source: .unrecognised, units: [],
                notes: [RecordNote(record: "event", reason: "event is not a JSON object", severity: .ignored)])
        }
        if json["CodePipeline.job"] != nil {
            guard let job = PipelineJob(event: json.value) else {
                return DecodedEvent(
                    source: .codePipeline, units: [],
                    notes: [RecordNote(record: "event", reason: "CodePipeline job without an id", severity: .rejected)])
            }
            return DecodedEvent(source: .codePipeline, units: [], notes: [], pipelineJob: job)
        }
        if let records = json["Records"] {
            return decodeRecords(records)
        }
        if isEventBridgeS3(json) {
            let label = "event \(json["id"]?.scalarText ?? "without id")"
            var notes: [RecordNote] = []
            let changes = eventBridgeChanges(json, label: label, identityPrefix: "", notes: &notes)
            return DecodedEvent(
                source: .eventBridge, units: [DeliveryUnit(messageId: nil, label: label, changes: changes)],
                notes: notes)
        }
        if json["Event"]?.isString("s3:TestEvent") == true {
            return DecodedEvent(source: .s3TestEvent, units: [], notes: [testEventNote(json, record: "event")])
        }
        return DecodedEvent(
            source: .unrecognised, units: [],
            notes: [
                RecordNote(
                    record: "event", reason: "not an S3 change event (\(describeKeys(json)))", severity: .ignored)
            ])
    }

    // MARK: - Records[] envelopes

    private static func decodeRecords<Value: EventJSON>(_ records: Value) -> DecodedEvent {
        guard let list = records.array else {
            return DecodedEvent(
                source: .unrecognised, units: [],
                notes: [RecordNote(record: "event", reason: "\"Records\" is not an array", severity: .rejected)])
        }
        var source = EventSource.unrecognised
        var units: [DeliveryUnit] = []
        var notes: [RecordNote] = []
        units.reserveCapacity(list.count)
        for (index, record) in list.enumerated() {
            // Each member looked up once: an SQS record has a dozen.
            let body = record["body"]
            let messageId = body == nil ? nil : record["messageId"]
            if body != nil && (messageId != nil || record["eventSource"]?.isString("aws:sqs") == true) {
                source = .sqs
                units.append(sqsUnit(body: body, messageId: messageId, index: index, notes: &notes))
            } else if record["s3"] != nil {
                if source == .unrecognised { source = .s3 }
                let label = "record \(index)"
                var changes: [ObjectChange] = []
                s3RecordChanges(record, label: label, identityPrefix: "", into: &changes, notes: &notes)
                units.append(DeliveryUnit(messageId: nil, label: label, changes: changes))
            } else if let sns = record["Sns"] {
                if source == .unrecognised { source = .sns }
                let label = "record \(index) (SNS message \(sns["MessageId"]?.scalarText ?? "without id"))"
                var changes: [ObjectChange] = []
                if let message = sns["Message"]?.stringBytes {
                    let prefix = "sns:\(sns["MessageId"]?.scalarText ?? "")|"
                    changes = documentChanges(
                        text: message, label: label, identityPrefix: prefix, allowEnvelope: false, notes: &notes)
                } else {
                    notes.append(RecordNote(record: label, reason: "SNS record has no Message", severity: .rejected))
                }
                units.append(DeliveryUnit(messageId: nil, label: label, changes: changes))
            } else {
                notes.append(
                    RecordNote(
                        record: "record \(index)", reason: "not an S3, SQS or SNS record", severity: .rejected))
            }
        }
        if list.isEmpty {
            notes.append(RecordNote(record: "event", reason: "\"Records\" is empty", severity: .ignored))
        }
        return DecodedEvent(source: source, units: units, notes: notes)
    }

    private static func sqsUnit<Value: EventJSON>(
        body: Value?, messageId messageIdValue: Value?, index: Int, notes: inout [RecordNote]
    ) -> DeliveryUnit {
        let messageId = messageIdValue?.scalarText
        let label = messageId.map { "message \($0)" } ?? "record \(index)"
        guard let body = body?.stringBytes else {
            notes.append(RecordNote(record: label, reason: "SQS message body is not a string", severity: .rejected))
            return DeliveryUnit(messageId: messageId, label: label, changes: [])
        }
        let changes = documentChanges(
            text: body, label: label, identityPrefix: "sqs:\(messageId ?? String(index))|", allowEnvelope: true,
            notes: &notes)
        return DeliveryUnit(messageId: messageId, label: label, changes: changes)
    }

    // MARK: - Message bodies

    /// Decodes a JSON document found inside a string (an SQS body, an SNS Message), given as its UTF-8 bytes.
    private static func documentChanges(
        text: [UInt8], label: String, identityPrefix: String, allowEnvelope: Bool, notes: inout [RecordNote]
    ) -> [ObjectChange] {
        let parsed: JSONDocument
        do {
            parsed = try JSONDocument(bytes: text)
        } catch {
            notes.append(RecordNote(record: label, reason: "message is not JSON (\(error))", severity: .rejected))
            return []
        }
        let document = parsed.root
        if let records = document["Records"] {
            guard let list = records.array else {
                notes.append(RecordNote(record: label, reason: "\"Records\" is not an array", severity: .rejected))
                return []
            }
            var changes: [ObjectChange] = []
            changes.reserveCapacity(list.count)
            for (index, record) in list.enumerated() {
                let recordLabel = list.count == 1 ? label : "\(label) record \(index)"
                guard record["s3"] != nil else {
                    notes.append(
                        RecordNote(record: recordLabel, reason: "not an S3 notification record", severity: .rejected))
                    continue
                }
                s3RecordChanges(
                    record, label: recordLabel, identityPrefix: identityPrefix, into: &changes, notes: &notes)
            }
            if list.isEmpty {
                notes.append(RecordNote(record: label, reason: "\"Records\" is empty", severity: .ignored))
            }
            return changes
        }
        if document["Event"]?.isString("s3:TestEvent") == true {
            notes.append(testEventNote(document, record: label))
            return []
        }
        if isEventBridgeS3(document) {
            return eventBridgeChanges(document, label: label, identityPrefix: identityPrefix, notes: &notes)
        }
        if allowEnvelope, document["Type"]?.isString("Notification") == true,
            let message = document["Message"]?.stringBytes
        {
            let prefix = identityPrefix + "sns:\(document["MessageId"]?.scalarText ?? "")|"
            return documentChanges(
                text: message, label: label, identityPrefix: prefix, allowEnvelope: false, notes: &notes)
        }
        let keys = document.isObject ? describeKeys(document) : "not an object"
        notes.append(RecordNote(record: label, reason: "not an S3 change (\(keys))", severity: .rejected))
        return []
    }

    // MARK: - S3 notification records

    /// Appends the record's change, if it has one, to `changes`.
    private static func s3RecordChanges<Value: EventJSON>(
        _ record: Value, label: String, identityPrefix: String, into changes: inout [ObjectChange],
        notes: inout [RecordNote]
    ) {
        guard let eventName = record["eventName"]?.string else {
            notes.append(RecordNote(record: label, reason: "S3 record has no eventName", severity: .rejected))
            return
        }
        let kind: ChangeKind
        if eventName.hasPrefix("ObjectCreated:") {
            kind = .created
        } else if eventName.hasPrefix("ObjectRemoved:") || eventName.hasPrefix("LifecycleExpiration:") {
            kind = .deleted
        } else {
            notes.append(
                RecordNote(
                    record: label, reason: "event \(eventName) does not change object content", severity: .ignored))
            return
        }
        let s3 = record["s3"]
        guard let bucket = s3?["bucket"]?["name"]?.string, !bucket.isEmpty else {
            notes.append(RecordNote(record: label, reason: "S3 record has no bucket name", severity: .rejected))
            return
        }
        let object = s3?["object"]
        guard let rawKey = object?["key"]?.string else {
            notes.append(RecordNote(record: label, reason: "S3 record has no object key", severity: .rejected))
            return
        }
        let key: String
        do {
            key = try ObjectKey.decodeNotificationKey(rawKey)
        } catch {
            notes.append(RecordNote(record: label, reason: error.description, severity: .rejected))
            return
        }
        var identity = Identity(identityPrefix, "s3", capacity: bucket.utf8.count + rawKey.utf8.count + 96)
        identity.add(bucket)
        identity.add(rawKey)
        identity.add(eventName)
        identity.add(object?["sequencer"])
        identity.add(object?["eTag"] ?? object?["etag"])
        identity.add(object?["versionId"])
        identity.add(record["eventTime"])
        identity.add(record["responseElements"]?["x-amz-request-id"])
        changes.append(ObjectChange(bucket: bucket, key: key, kind: kind, identity: identity.text))
    }

    // MARK: - EventBridge

    private static func isEventBridgeS3<Value: EventJSON>(_ json: Value) -> Bool {
        json["source"]?.isString("aws.s3") == true && json["detail-type"] != nil
    }

    private static func eventBridgeChanges<Value: EventJSON>(
        _ event: Value, label: String, identityPrefix: String, notes: inout [RecordNote]
    ) -> [ObjectChange] {
        let detailType = event["detail-type"]?.string ?? ""
        let kind: ChangeKind
        switch detailType {
        case "Object Created": kind = .created
        case "Object Deleted": kind = .deleted
        default:
            notes.append(
                RecordNote(
                    record: label, reason: "EventBridge \(JSON.quote(detailType)) does not change object content",
                    severity: .ignored))
            return []
        }
        let detail = event["detail"]
        guard let bucket = detail?["bucket"]?["name"]?.string, !bucket.isEmpty else {
            notes.append(RecordNote(record: label, reason: "EventBridge event has no bucket name", severity: .rejected))
            return []
        }
        let object = detail?["object"]
        guard let rawKey = object?["key"]?.string else {
            notes.append(RecordNote(record: label, reason: "EventBridge event has no object key", severity: .rejected))
            return []
        }
        let key: String
        do {
            key = try ObjectKey.validate(rawKey)
        } catch {
            notes.append(RecordNote(record: label, reason: error.description, severity: .rejected))
            return []
        }
        var identity = Identity(identityPrefix, "eb", capacity: bucket.utf8.count + key.utf8.count + 128)
        identity.add(event["id"])
        identity.add(bucket)
        identity.add(key)
        identity.add(detailType)
        identity.add(object?["sequencer"])
        identity.add(object?["etag"] ?? object?["eTag"])
        identity.add(object?["version-id"])
        identity.add(event["time"])
        identity.add(detail?["request-id"])
        return [ObjectChange(bucket: bucket, key: key, kind: kind, identity: identity.text)]
    }

    // MARK: - Helpers

    /// A change's identity: its parts joined by `|`, a missing or non-scalar part empty; built as bytes, the
    /// scalars copied from the event as they are (as `scalarText` would render them) without a String each.
    struct Identity {
        var bytes: [UInt8] = []

        /// Starts with `prefix` and `kind` (no `|` between them).
        init(_ prefix: String, _ kind: StaticString, capacity: Int) {
            bytes.reserveCapacity(prefix.utf8.count + kind.utf8CodeUnitCount + capacity)
            bytes.append(contentsOf: prefix.utf8)
            bytes.append(contentsOf: UnsafeBufferPointer(start: kind.utf8Start, count: kind.utf8CodeUnitCount))
        }

        mutating func add(_ part: String) {
            bytes.append(UInt8(ascii: "|"))
            bytes.append(contentsOf: part.utf8)
        }

        mutating func add<Value: EventJSON>(_ part: Value?) {
            bytes.append(UInt8(ascii: "|"))
            part?.appendScalarText(to: &bytes)
        }

        var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    private static func testEventNote<Value: EventJSON>(_ json: Value, record: String) -> RecordNote {
        let bucket = json["Bucket"]?.scalarText.map { " for bucket \($0)" } ?? ""
        return RecordNote(record: record, reason: "s3:TestEvent\(bucket), nothing to invalidate", severity: .ignored)
    }

    /// Names a few top-level keys of an unknown document, never its values (they may hold secrets).
    private static func describeKeys<Value: EventJSON>(_ document: Value) -> String {
        guard case .object(let members) = document.value else { return "empty object" }
        let keys = members.keys.sorted()
        guard !keys.isEmpty else { return "empty object" }
        let shown = keys.prefix(5).map { JSON.quote(String($0.prefix(40))) }.joined(separator: ", ")
        return "keys " + shown + (keys.count > 5 ? ", …" : "")
    }
}

/// What the decoder reads of a JSON value: a parsed `JSONValue`, or a value inside a `JSONDocument` (which decodes
/// only what is read).
protocol EventJSON {
    subscript(key: String) -> Self? { get }
    var string: String? { get }
    var scalarText: String? { get }
    var array: [Self]? { get }
    var isObject: Bool { get }
    /// Whether the value is the string `text`.
    func isString(_ text: String) -> Bool
    /// A string's UTF-8 bytes (a document inside a string); nil for anything else.
    var stringBytes: [UInt8]? { get }
    /// The value as `JSON.parse` gives it.
    var value: JSONValue { get }
    /// Appends `scalarText`'s UTF-8, if any.
    func appendScalarText(to bytes: inout [UInt8])
}

extension JSONValue: EventJSON {
    func isString(_ text: String) -> Bool { string == text }
    var stringBytes: [UInt8]? { string.map { Array($0.utf8) } }
    var value: JSONValue { self }
    func appendScalarText(to bytes: inout [UInt8]) {
        if let text = scalarText { bytes.append(contentsOf: text.utf8) }
    }
}

extension JSONNode: EventJSON {}
