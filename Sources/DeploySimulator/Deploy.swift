import AWSTestSupport
import FoundationEssentials
import JSONSupport

/// A static-site deploy: the files, the client that uploads them, and the EventBridge event each upload becomes.
public struct Deploy: Sendable {
    /// One finished upload: its key, and when its S3 -> EventBridge -> SQS message was sent (seconds from the deploy's
    /// start).
    public struct Upload: Sendable {
        public var key: String
        public var finished: Double
        public var sent: Double
    }

    public var uploads: [Upload]
    /// When the last upload finished (seconds from the start).
    public var lastUpload: Double { uploads.map(\.finished).max() ?? 0 }

    /// The site's files, as a static-site generator writes them (the README's worked example, scaled): hashed
    /// images, script chunks and stylesheets under `assets/`, four fonts, one `index.html` per documentation page
    /// (`docs/section-S/page-P/index.html`, ten pages a section) and five files at the top.
    public static func siteKeys(count: Int) -> [String] {
        let top = ["index.html", "favicon.ico", "robots.txt", "about/index.html", "blog/2026/post.html"]
        let fonts = (0..<4).map { "assets/fonts/font-\($0).woff2" }
        let rest = count - top.count - fonts.count
        let pages = rest / 2
        let images = rest / 4
        let scripts = rest * 3 / 20
        let styles = rest - pages - images - scripts
        var keys = top + fonts
        keys += (0..<pages).map { "docs/section-\($0 / 10)/page-\($0 % 10)/index.html" }
        keys += (0..<images).map { "assets/img/photo-\(hex($0, salt: 1)).jpg" }
        keys += (0..<scripts).map { "assets/js/chunk-\(hex($0, salt: 2)).js" }
        keys += (0..<styles).map { "assets/css/style-\(hex($0, salt: 3)).css" }
        return keys
    }

    /// Issue 16's standard deploy: 3,000 pages rewritten in 200 folders (20 in each of 10 sections; each folder's
    /// `index.html` is also its URL), 20 stylesheets and scripts changed in the first 20 folders; unchanged, 5,000
    /// images in the same folders.
    public static func standardTagSite() -> (changed: [String], unchanged: [String]) {
        func folder(_ index: Int) -> String { "s\(index % 200 % 10)/f\(index % 200)/" }
        let pages = (0..<3000).map { folder($0) + ($0 < 200 ? "index.html" : "page-\($0).html") }
        let assets = (0..<20).map { folder($0) + ($0 % 2 == 0 ? "style-\($0).css" : "app-\($0).js") }
        return (pages + assets, (0..<5000).map { folder($0) + "img-\($0).png" })
    }

    /// `count` files uploaded in key order (as `aws s3 sync` walks them) by `transfers` concurrent transfers over
    /// about `seconds`: each transfer takes 0.5 to 1.5 times the mean, and its message is sent 0.1 to 1 s after it
    /// finishes (S3 -> EventBridge -> SQS).
    public static func make(count: Int, seconds: Double, transfers: Int, random: inout SeededRandom) -> Deploy {
        make(keys: siteKeys(count: count), seconds: seconds, transfers: transfers, random: &random)
    }

    /// These keys uploaded as `make(count:seconds:transfers:random:)` uploads a site's.
    public static func make(keys unsorted: [String], seconds: Double, transfers: Int, random: inout SeededRandom)
        -> Deploy
    {
        let keys = unsorted.sorted()
        let count = keys.count
        let mean = seconds * Double(transfers) / Double(count)
        var free = [Double](repeating: 0, count: transfers)
        var uploads: [Upload] = []
        uploads.reserveCapacity(keys.count)
        for key in keys {
            let lane = free.indices.min { free[$0] < free[$1] }!
            let finished = free[lane] + mean * Double.random(in: 0.5..<1.5, using: &random)
            free[lane] = finished
            let sent = finished + Double.random(in: 0.1..<1, using: &random)
            // On a microsecond grid, as the simulation's clock.
            uploads.append(Upload(key: key, finished: finished, sent: (sent * 1_000_000).rounded() / 1_000_000))
        }
        return Deploy(uploads: uploads.sorted { ($0.sent, $0.key) < ($1.sent, $1.key) })
    }

    /// The EventBridge "Object Created" event for an upload, as the queue receives it (the shape in the S3 user
    /// guide's EventBridge event examples).
    static func eventBridgeBody(bucket: String, key: String, index: Int, time: String) -> String {
        let etag = hex(index, salt: 7) + hex(index, salt: 8) + hex(index, salt: 9) + hex(index, salt: 10)
        return "{\"version\":\"0\",\"id\":\(JSON.quote(uuid(index, salt: 11))),\"detail-type\":\"Object Created\","
            + "\"source\":\"aws.s3\",\"account\":\"123456789012\",\"time\":\"\(time)\",\"region\":\"us-east-1\","
            + "\"resources\":[\"arn:aws:s3:::\(bucket)\"],\"detail\":{\"version\":\"0\",\"bucket\":{\"name\":"
            + "\(JSON.quote(bucket))},\"object\":{\"key\":\(JSON.quote(key)),\"size\":\(1024 + index % 50_000),"
            + "\"etag\":\"\(etag)\",\"sequencer\":\"\(hex(index, salt: 12, uppercase: true))"
            + "\(hex(index, salt: 13, uppercase: true))00\"},\"request-id\":\"\(hex(index, salt: 14, uppercase: true))"
            + "\(hex(index, salt: 15, uppercase: true))\",\"requester\":\"123456789012\","
            + "\"source-ip-address\":\"203.0.113.10\",\"reason\":\"PutObject\"}}"
    }

    /// Eight hex digits that look random, the same for the same index and salt.
    static func hex(_ index: Int, salt: UInt64, uppercase: Bool = false) -> String {
        var value = UInt64(index) &* 0x9E37_79B9_7F4A_7C15 &+ salt &* 0xBF58_476D_1CE4_E5B9
        value ^= value >> 31
        value = value &* 0x94D0_49BB_1331_11EB
        let text = String(value >> 32, radix: 16, uppercase: uppercase)
        return String(repeating: "0", count: 8 - text.count) + text
    }

    /// A version-4-shaped UUID, the same for the same index and salt.
    static func uuid(_ index: Int, salt: UInt64) -> String {
        let digits = Array(hex(index, salt: salt) + hex(index, salt: salt + 100) + hex(index, salt: salt + 200))
        return String(digits[0..<8]) + "-" + String(digits[8..<12]) + "-4" + String(digits[13..<16]) + "-a"
            + String(digits[17..<20]) + "-" + String(digits[12..<13]) + String(digits[20..<24])
            + hex(index, salt: salt + 300).prefix(7)
    }
}
