import JSONSupport

extension EventDecoder {
    static func isEventBridgeS3(_ json: JSONNode) -> Bool {
        json["source"]?.isString("aws.s3") == true && json["detail-type"] != nil
    }

    static func eventBridgeChanges(
        _ event: JSONNode, label: String, identityPrefix: String, notes: inout [RecordNote]
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
}
