import JSONSupport

extension EventDecoder {
    /// One S3 notification record delivered directly.
    static func s3Unit(_ record: JSONNode, index: Int, notes: inout [RecordNote]) -> DeliveryUnit {
        let label = "record \(index)"
        var changes: [ObjectChange] = []
        s3RecordChanges(record, label: label, identityPrefix: "", into: &changes, notes: &notes)
        return DeliveryUnit(messageId: nil, label: label, changes: changes)
    }

    /// Appends the record's change, if it has one, to `changes`.
    static func s3RecordChanges(
        _ record: JSONNode, label: String, identityPrefix: String, into changes: inout [ObjectChange],
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

    static func testEventNote(_ json: JSONNode, record: String) -> RecordNote {
        let bucket = json["Bucket"]?.scalarText.map { " for bucket \($0)" } ?? ""
        return RecordNote(record: record, reason: "s3:TestEvent\(bucket), nothing to invalidate", severity: .ignored)
    }
}
