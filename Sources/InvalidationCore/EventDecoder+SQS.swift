import JSONSupport

extension EventDecoder {
    /// One SQS message: its body is a JSON document (an S3 notification, an EventBridge event, or an SNS
    /// envelope around a notification).
    static func sqsUnit(
        body: JSONNode?, messageId messageIdValue: JSONNode?, index: Int, notes: inout [RecordNote]
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

    /// Decodes a JSON document found inside a string (an SQS body, an SNS Message), given as its UTF-8 bytes.
    static func documentChanges(
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
}
