import JSONSupport

extension EventDecoder {
    /// A `Records` array: S3 notifications delivered directly, an SQS batch, or SNS deliveries, told apart per
    /// record (an SQS batch may mix bodies of every kind).
    static func decodeRecords(_ records: JSONNode) -> DecodedEvent {
        guard let list = records.array else {
            return DecodedEvent(
                source: .unrecognised, units: [],
                notes: [RecordNote(record: "event", reason: "\"Records\" is not an array", severity: .rejected)])
        }
        var source = EventSource.unrecognised
        var units: [DeliveryUnit] = []
        var notes: [RecordNote] = []
        var queueARN: String?
        units.reserveCapacity(list.count)
        for (index, record) in list.enumerated() {
            // Each member looked up once: an SQS record has a dozen.
            let body = record["body"]
            let messageId = body == nil ? nil : record["messageId"]
            if body != nil && (messageId != nil || record["eventSource"]?.isString("aws:sqs") == true) {
                source = .sqs
                if queueARN == nil { queueARN = record["eventSourceARN"]?.string }
                units.append(sqsUnit(body: body, messageId: messageId, index: index, notes: &notes))
            } else if record["s3"] != nil {
                if source == .unrecognised { source = .s3 }
                units.append(s3Unit(record, index: index, notes: &notes))
            } else if let sns = record["Sns"] {
                if source == .unrecognised { source = .sns }
                units.append(snsUnit(sns, index: index, notes: &notes))
            } else {
                notes.append(
                    RecordNote(
                        record: "record \(index)", reason: "not an S3, SQS or SNS record", severity: .rejected))
            }
        }
        if list.isEmpty {
            notes.append(RecordNote(record: "event", reason: "\"Records\" is empty", severity: .ignored))
        }
        var event = DecodedEvent(source: source, units: units, notes: notes)
        event.queueARN = queueARN
        return event
    }
}
