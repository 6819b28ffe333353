import JSONSupport

extension EventDecoder {
    /// One SNS delivery of an S3 notification: the notification is the `Message` string.
    static func snsUnit(_ sns: JSONNode, index: Int, notes: inout [RecordNote]) -> DeliveryUnit {
        let label = "record \(index) (SNS message \(sns["MessageId"]?.scalarText ?? "without id"))"
        var changes: [ObjectChange] = []
        if let message = sns["Message"]?.stringBytes {
            let prefix = "sns:\(sns["MessageId"]?.scalarText ?? "")|"
            if let document = parse(message, label: label, notes: &notes) {
                changes = documentChanges(
                    document.root, label: label, identityPrefix: prefix, allowEnvelope: false, notes: &notes)
            }
        } else {
            notes.append(RecordNote(record: label, reason: "SNS record has no Message", severity: .rejected))
        }
        return DeliveryUnit(messageId: nil, label: label, changes: changes)
    }
}
