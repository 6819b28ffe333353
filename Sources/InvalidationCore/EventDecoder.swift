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

    static func decode(event json: JSONNode) -> DecodedEvent {
        guard json.isObject else {
            return DecodedEvent(
                source: .unrecognised, units: [],
                notes: [RecordNote(record: "event", reason: "event is not a JSON object", severity: .ignored)])
        }
        if json["CodePipeline.job"] != nil {
            return pipelineEvent(json)
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

    /// Names a few top-level keys of an unknown document, never its values (they may hold secrets).
    static func describeKeys(_ document: JSONNode) -> String {
        guard case .object(let members) = document.value else { return "empty object" }
        let keys = members.keys.sorted()
        guard !keys.isEmpty else { return "empty object" }
        let shown = keys.prefix(5).map { JSON.quote(String($0.prefix(40))) }.joined(separator: ", ")
        return "keys " + shown + (keys.count > 5 ? ", …" : "")
    }
}
