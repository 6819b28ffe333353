import AWSClient
import Formats
import InvalidationCore

/// The coalescing table's layout, in one place. Per target (partition key `pk`, `CloudFrontTarget.key`: a
/// distribution's id, `tenant:<id>`, with `|<role ARN>` for one reached through a role):
/// - `HEAD`: the open window's number (`window`), when its first and latest changes were recorded (`first`, `last`,
///   in milliseconds) and when its scheduled flush is due (`flushAt`). It is never deleted: window numbers only grow,
///   so a flushed window's number is never reused.
/// - `W#<window>#<batch digest>#<part>`: the exact paths one batch recorded (newline-separated, at most
///   `Coalescer.maximumPartBytes` an item, far under DynamoDB's 400 KB) and its change count; the key derives from
///   the content, so a redelivered batch overwrites its own items.
/// - `D#<window>`: the window was flushed, and by which invalidations; written only after they were created.
///
/// And one item per month for the whole function (partition key `M#<YYYY-MM>`, never a distribution id, which has no
/// `#`; sort key `PATHS`): the month's billable paths submitted (`paths`, added to atomically; `MonthlyPathTally`).
///
/// `expires` (epoch seconds) on every item but `HEAD` lets DynamoDB's TTL remove what a flush left; correctness
/// never depends on it.
enum CoalesceWindow {
    static let head = "HEAD"

    /// The sort-key prefix of a window's recorded items.
    static func recordPrefix(_ window: Int64) -> String { "W#" + padded(window) + "#" }

    static func recordKey(window: Int64, digest: String, part: Int) -> String {
        recordPrefix(window) + digest + "#" + String(part)
    }

    static func doneKey(_ window: Int64) -> String { "D#" + padded(window) }

    /// Twelve digits, so that keys sort by window.
    static func padded(_ window: Int64) -> String {
        let digits = String(window)
        return String(repeating: "0", count: max(0, 12 - digits.count)) + digits
    }

    /// The month's billable-paths item.
    static func monthKey(_ month: BillingMonth) -> DynamoDBItem {
        ["pk": .string("M#\(month)"), "sk": .string("PATHS")]
    }

    /// The partition is the target's key: a distribution's id, as before targets could be tenants or roles.
    static func key(_ target: CloudFrontTarget, _ sortKey: String) -> DynamoDBItem {
        ["pk": .string(target.key), "sk": .string(sortKey)]
    }

    /// The attribute names every expression uses, as placeholders (DynamoDB reserves words such as `window`).
    static let names = [
        "#pk": "pk", "#sk": "sk", "#window": "window", "#first": "first", "#last": "last", "#flushAt": "flushAt",
        "#expires": "expires",
    ]

    /// A distribution's `HEAD`, read.
    struct Head: Equatable {
        /// Whether the item exists (a distribution's first change creates it).
        var exists = false
        var window: Int64 = 0
        var first: Int64?
        var last: Int64?
        var flushAt: Int64?

        init() {}

        init(_ item: DynamoDBItem?) {
            guard let item else { return }
            exists = true
            window = item["window"]?.int64Value ?? 0
            first = item["first"]?.int64Value
            last = item["last"]?.int64Value
            flushAt = item["flushAt"]?.int64Value
        }
    }
}
