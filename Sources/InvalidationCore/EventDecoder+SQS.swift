import JSONSupport

extension EventDecoder {
    /// One SQS message: its body is a JSON document (an S3 notification, an EventBridge event, an SNS envelope
    /// around a notification, or the function's own flush of a coalescing window).
    static func sqsUnit(
        body: JSONNode?, messageId messageIdValue: JSONNode?, index: Int, notes: inout [RecordNote]
    ) -> DeliveryUnit {
        let messageId = messageIdValue?.scalarText
        let label = messageId.map { "message \($0)" } ?? "record \(index)"
        guard let body = body?.stringBytes else {
            notes.append(RecordNote(record: label, reason: "SQS message body is not a string", severity: .rejected))
            return DeliveryUnit(messageId: messageId, label: label, changes: [])
        }
        guard let parsed = parse(body, label: label, notes: &notes) else {
            return DeliveryUnit(messageId: messageId, label: label, changes: [])
        }
        if FlushMessage.isFlush(parsed.root) {
            switch FlushMessage.parse(parsed.root) {
            case .success(let flush) where messageId != nil:
                return DeliveryUnit(messageId: messageId, label: label, changes: [], flush: flush)
            case .success:
                notes.append(
                    RecordNote(record: label, reason: "flush message without a message id", severity: .rejected))
            case .failure(let error):
                notes.append(RecordNote(record: label, reason: error.message, severity: .rejected))
            }
            return DeliveryUnit(messageId: messageId, label: label, changes: [])
        }
        let changes = documentChanges(
            parsed.root, label: label, identityPrefix: "sqs:\(messageId ?? String(index))|", allowEnvelope: true,
            notes: &notes)
        return DeliveryUnit(messageId: messageId, label: label, changes: changes)
    }

    /// A JSON document found inside a string (an SQS body, an SNS Message), given as its UTF-8 bytes; nil, with a
    /// note, when it is not JSON.
    static func parse(_ text: [UInt8], label: String, notes: inout [RecordNote]) -> JSONDocument? {
        do {
            return try JSONDocument(bytes: text)
        } catch {
            notes.append(RecordNote(record: label, reason: "message is not JSON (\(error))", severity: .rejected))
            return nil
        }
    }

    /// The changes of a document found inside a string (an SQS body, an SNS Message).
    static func documentChanges(
        _ document: JSONNode, label: String, identityPrefix: String, allowEnvelope: Bool, notes: inout [RecordNote]
    ) -> [ObjectChange] {
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
            guard let inner = parse(message, label: label, notes: &notes) else { return [] }
            return documentChanges(
                inner.root, label: label, identityPrefix: prefix, allowEnvelope: false, notes: &notes)
        }
        let keys = document.isObject ? describeKeys(document) : "not an object"
        notes.append(RecordNote(record: label, reason: "not an S3 change (\(keys))", severity: .rejected))
        return []
    }
}
