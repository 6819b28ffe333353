import Crypto
import JSONSupport

/// One CreateInvalidation request to make.
public struct PlannedInvalidation: Sendable, Equatable {
    public var distributionId: String
    /// Derived from the identity of the changes and the paths: a redelivered batch reproduces it (CloudFront then
    /// returns the earlier invalidation instead of invalidating twice); two different batches cannot share it.
    public var callerReference: String
    /// Sorted, de-duplicated, encoded.
    public var paths: [String]
    /// The SQS message ids whose changes this request carries (to hand back if it cannot be submitted).
    public var messageIds: [String]
    /// The delivery units (as logs name them) whose changes this request carries.
    public var unitLabels: [String]
    /// The changes this request covers.
    public var changes: Int = 0

    /// What CloudFront bills for this request: one per path, a wildcard counting as one.
    public var billablePaths: Int { paths.count }
}

/// What an event asks for: the requests to make, and the records that cannot be served.
public struct InvalidationPlan: Sendable {
    public var invalidations: [PlannedInvalidation]
    /// Records whose bucket has no distribution.
    public var notes: [RecordNote]
    /// Changes left out by `INCLUDE` / `EXCLUDE`.
    public var excludedChanges = 0
    /// Changes that at least one planned request covers (each counted once, however many distributions serve it).
    public var coveredChanges = 0

    public init(invalidations: [PlannedInvalidation], notes: [RecordNote], excludedChanges: Int = 0) {
        self.invalidations = invalidations
        self.notes = notes
        self.excludedChanges = excludedChanges
    }
}

/// How changes become paths.
public struct PlannerSettings: Sendable, Equatable {
    /// The object CloudFront or S3 serves for a directory URL; a change to `docs/<indexDocument>` also invalidates
    /// `/docs/`. nil disables.
    public var indexDocument: String?
    /// File paths one request may carry (CloudFront's in-progress limit per distribution).
    public var maximumPathsPerRequest: Int
    /// Wildcard paths one request may carry (CloudFront's in-progress limit per distribution).
    public var maximumWildcardsPerRequest: Int
    /// `MAX_PATHS` and `MAX_WILDCARDS`: when directories replace exact paths. nil: always exact.
    public var budget: PathBudget?
    public var forms: URLForms
    /// `INCLUDE` / `EXCLUDE`, applied to keys before planning.
    public var filter = KeyFilter()

    public init(
        indexDocument: String? = "index.html", maximumPathsPerRequest: Int = 3000,
        maximumWildcardsPerRequest: Int = 15, budget: PathBudget? = PathBudget(), forms: URLForms = URLForms()
    ) {
        self.indexDocument = indexDocument
        self.maximumPathsPerRequest = maximumPathsPerRequest
        self.maximumWildcardsPerRequest = maximumWildcardsPerRequest
        self.budget = budget
        self.forms = forms
    }
}

/// Turns the changes of one invocation into one request per distribution (more only where CloudFront's limits
/// force a split).
public enum Planner {
    /// S3's limit on a key's length, in UTF-8 bytes.
    public static let maximumKeyBytes = 1024

    /// - Parameter distributions: the distributions serving a bucket; an empty answer leaves that bucket's records
    ///   unserved, with a note each.
    public static func plan(
        _ event: DecodedEvent, settings: PlannerSettings = PlannerSettings(),
        distributions: (_ bucket: String) -> [String]
    ) -> InvalidationPlan {
        plan(
            event, settings: settings,
            targets: { bucket in distributions(bucket).map { DistributionTarget(distributionId: $0) } })
    }

    /// - Parameter targets: the distributions serving a bucket and the key prefix each serves (from OriginPath or
    ///   `DISTRIBUTION_MAP`); an empty answer leaves that bucket's records unserved, with one note per bucket. A
    ///   key outside a target's prefix is not sent to that distribution.
    public static func plan(
        _ event: DecodedEvent, settings: PlannerSettings = PlannerSettings(),
        targets resolve: (_ bucket: String) -> [DistributionTarget]
    ) -> InvalidationPlan {
        /// One distribution's share of the event. Paths are numbered in order of first appearance; units arrive in
        /// increasing order, so "is this unit already listed" is a look at the last one.
        struct Target {
            var id: String
            var pathNumbers: [String: Int] = [:]
            var paths: [String] = []
            /// (path number, unit index) for every path a change asks for.
            var pathUnits: [(path: Int, unit: Int)] = []
            /// The units with at least one path here, ascending.
            var units: [Int] = []
            var identities: [String] = []

            init(id: String, expectedChanges: Int) {
                self.id = id
                pathNumbers.reserveCapacity(expectedChanges)
                paths.reserveCapacity(expectedChanges)
                pathUnits.reserveCapacity(expectedChanges)
                identities.reserveCapacity(expectedChanges)
            }
        }
        let changeCount = event.units.reduce(0) { $0 + $1.changes.count }
        var targets: [Target] = []
        var targetNumbers: [String: Int] = [:]
        var notes: [RecordNote] = []
        /// Per bucket: its targets, and each target's number in `targets`.
        var resolved: [String: [(target: DistributionTarget, number: Int)]] = [:]
        /// Batches are mostly one bucket: its targets without hashing its name per change.
        var lastBucket: (bucket: String, targets: [(target: DistributionTarget, number: Int)])?
        var unservedBuckets: Set<String> = []
        var excluded = 0
        var covered = 0
        for (unitIndex, unit) in event.units.enumerated() {
            for change in unit.changes {
                if !settings.filter.isEmpty && !settings.filter.keeps(change.key) {
                    excluded += 1
                    continue
                }
                // S3 keys are at most 1,024 bytes: a longer one is a forged or corrupted event, and its path would
                // pass CloudFront's 4,000 characters only as a wildcard.
                if change.key.utf8.count > Self.maximumKeyBytes {
                    notes.append(
                        RecordNote(
                            record: unit.label,
                            reason: "key of \(change.key.utf8.count) bytes is longer than S3 allows (1,024): not an "
                                + "object key", severity: .rejected, bucket: nil))
                    continue
                }
                // A key chooses its path, and anyone who can write to the bucket chooses keys: a key must never
                // widen into a wildcard, and CloudFront cannot invalidate a raw `*` exactly (`%2A` is a different
                // path to it: CloudFront's "Specifying the objects to invalidate" page).
                if change.key.utf8.contains(UInt8(ascii: "*")) {
                    notes.append(
                        RecordNote(
                            record: unit.label,
                            reason: "key \(JSON.quote(change.key)) holds *, CloudFront's wildcard: it cannot be "
                                + "invalidated exactly and is never sent as a wildcard; invalidate it by hand "
                                + "(invalidator invalidate) if it is cached",
                            severity: .rejected, bucket: nil))
                    continue
                }
                let bucketTargets: [(target: DistributionTarget, number: Int)]
                if let last = lastBucket, last.bucket == change.bucket {
                    bucketTargets = last.targets
                } else if let known = resolved[change.bucket] {
                    bucketTargets = known
                } else {
                    bucketTargets = resolve(change.bucket).map { target in
                        if let number = targetNumbers[target.distributionId] { return (target, number) }
                        targetNumbers[target.distributionId] = targets.count
                        targets.append(Target(id: target.distributionId, expectedChanges: changeCount))
                        return (target, targets.count - 1)
                    }
                    resolved[change.bucket] = bucketTargets
                }
                lastBucket = (change.bucket, bucketTargets)
                guard !bucketTargets.isEmpty else {
                    if unservedBuckets.insert(change.bucket).inserted {
                        notes.append(
                            RecordNote(
                                record: unit.label,
                                reason: "no CloudFront distribution serves bucket \(change.bucket)",
                                severity: .rejected, bucket: change.bucket))
                    }
                    continue
                }
                var served = false
                for (target, number) in bucketTargets {
                    // Without a prefix the key is served as it is: no copy of it.
                    let key: String
                    if target.keyPrefix.isEmpty {
                        key = change.key
                    } else {
                        guard let part = target.servedKey(change.key) else { continue }
                        key = String(part)
                    }
                    served = true
                    let paths = CloudFrontPath.paths(
                        forKey: key, indexDocument: settings.indexDocument, forms: settings.forms)
                    // Mutated in place: a copy taken out and stored back would copy the whole target per change.
                    targets[number].identities.append(change.identity)
                    if targets[number].units.last != unitIndex { targets[number].units.append(unitIndex) }
                    for path in paths {
                        let pathNumber: Int
                        if let known = targets[number].pathNumbers[path] {
                            pathNumber = known
                        } else {
                            pathNumber = targets[number].paths.count
                            targets[number].pathNumbers[path] = pathNumber
                            targets[number].paths.append(path)
                        }
                        targets[number].pathUnits.append((pathNumber, unitIndex))
                    }
                }
                if served { covered += 1 }

                if !served {
                    notes.append(
                        RecordNote(
                            record: unit.label,
                            reason: "key \(JSON.quote(change.key)) in bucket \(change.bucket) is outside every origin "
                                + "path of its distributions (\(bucketTargets.map { "/" + $0.target.keyPrefix }.joined(separator: ", ")))",
                            severity: .ignored))
                }
            }
        }
        var invalidations: [PlannedInvalidation] = []
        for target in targets.sorted(by: { $0.id < $1.id }) where !target.units.isEmpty {
            let id = target.id
            let identities = sortedUnique(target.identities)
            let identityDigest = digest(identities)
            let exact = sortedStrings(target.paths)
            let paths = settings.budget.map { PathCollapser.collapse(exact, budget: $0) } ?? exact
            let chunks = split(paths, settings: settings)
            for (chunkIndex, chunk) in chunks.enumerated() {
                var unitIndexes: [Int]
                if chunks.count == 1 {
                    unitIndexes = target.units
                } else {
                    // Which units' paths this part covers: exact paths by lookup, wildcards by prefix.
                    let exactPaths = Set(chunk.filter { !CloudFrontPath.isWildcard($0) })
                    let prefixes = chunk.filter(CloudFrontPath.isWildcard).map { String($0.utf8.dropLast())! }
                    let inChunk = target.paths.map { path in
                        exactPaths.contains(path) || prefixes.contains(where: { CloudFrontPath.hasPrefix(path, $0) })
                    }
                    var seen = Set<Int>()
                    unitIndexes = []
                    for (path, unit) in target.pathUnits where inChunk[path] && seen.insert(unit).inserted {
                        unitIndexes.append(unit)
                    }
                    unitIndexes.sort()
                }
                let units = unitIndexes.map { event.units[$0] }
                let reference = callerReference(
                    identityDigest: identityDigest, distributionId: id, paths: chunk, chunk: chunkIndex,
                    of: chunks.count)
                invalidations.append(
                    PlannedInvalidation(
                        distributionId: id, callerReference: reference, paths: chunk,
                        messageIds: units.compactMap(\.messageId), unitLabels: units.map(\.label),
                        changes: identities.count))
            }
        }
        var plan = InvalidationPlan(invalidations: invalidations, notes: notes, excludedChanges: excluded)
        plan.coveredChanges = covered
        return plan
    }

    /// The requests for a CodePipeline job: the job's paths on each distribution. The CallerReference derives from
    /// the job id, so Lambda's retries of the same job never create a second invalidation.
    public static func plan(
        job: PipelineJob, distributionIds: [String], paths: [String], settings: PlannerSettings = PlannerSettings()
    ) -> [PlannedInvalidation] {
        requests(
            chunks: split(Array(Set(paths)).sorted(), settings: settings), distributionIds: distributionIds,
            identityDigest: digest(["codepipeline", job.id]), label: "job \(job.id)", changes: 0)
    }

    /// The same chunks on each distribution, each request with its own CallerReference.
    static func requests(
        chunks: [[String]], distributionIds: [String], identityDigest: SHA256.Digest, label: String, changes: Int
    ) -> [PlannedInvalidation] {
        var invalidations: [PlannedInvalidation] = []
        for id in distributionIds {
            for (chunkIndex, chunk) in chunks.enumerated() {
                invalidations.append(
                    PlannedInvalidation(
                        distributionId: id,
                        callerReference: callerReference(
                            identityDigest: identityDigest, distributionId: id, paths: chunk, chunk: chunkIndex,
                            of: chunks.count),
                        paths: chunk, messageIds: [], unitLabels: [label], changes: changes))
            }
        }
        return invalidations
    }

    /// Splits sorted paths so that no request exceeds CloudFront's file-path or wildcard limits.
    static func split(_ paths: [String], settings: PlannerSettings) -> [[String]] {
        var chunks: [[String]] = []
        var current: [String] = []
        var files = 0
        var wildcards = 0
        for path in paths {
            let isWildcard = CloudFrontPath.isWildcard(path)
            if (isWildcard && wildcards == settings.maximumWildcardsPerRequest)
                || (!isWildcard && files == settings.maximumPathsPerRequest)
            {
                chunks.append(current)
                current = []
                files = 0
                wildcards = 0
            }
            current.append(path)
            if isWildcard { wildcards += 1 } else { files += 1 }
        }
        if !current.isEmpty { chunks.append(current) }
        return chunks
    }

    /// `Array(Set(strings)).sorted()`, without hashing: a stable sort, then the first of each run of equal strings
    /// (the one a set would have kept).
    static func sortedUnique(_ strings: [String]) -> [String] {
        let sorted = sortedStrings(strings)
        var unique: [String] = []
        unique.reserveCapacity(sorted.count)
        for string in sorted where unique.last != string { unique.append(string) }
        return unique
    }

    /// `strings.sorted()`. ASCII strings compare as their bytes do, so when all are ASCII they are sorted by
    /// comparing bytes eight at a time in one buffer (equal strings keep their order, as the stable sort keeps it);
    /// otherwise by `<`.
    static func sortedStrings(_ strings: [String]) -> [String] {
        var bytes: [UInt8] = []
        var offsets: [Int] = [0]
        offsets.reserveCapacity(strings.count + 1)
        bytes.reserveCapacity(strings.reduce(0) { $0 + $1.utf8.count })
        for string in strings {
            bytes.append(contentsOf: string.utf8)
            offsets.append(bytes.count)
        }
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return strings.sorted() }
        let order = bytes.withUnsafeBufferPointer { buffer -> [Int] in
            guard let base = buffer.baseAddress else { return Array(strings.indices) }
            return strings.indices.sorted { first, second in
                let a = base + offsets[first]
                let b = base + offsets[second]
                let aCount = offsets[first + 1] - offsets[first]
                let bCount = offsets[second + 1] - offsets[second]
                let common = min(aCount, bCount)
                var index = 0
                while index + 8 <= common {
                    let x = UInt64(bigEndian: UnsafeRawPointer(a + index).loadUnaligned(as: UInt64.self))
                    let y = UInt64(bigEndian: UnsafeRawPointer(b + index).loadUnaligned(as: UInt64.self))
                    if x != y { return x < y }
                    index += 8
                }
                while index < common {
                    if a[index] != b[index] { return a[index] < b[index] }
                    index += 1
                }
                return aCount != bCount ? aCount < bCount : first < second
            }
        }
        return order.map { strings[$0] }
    }

    private static func digest(_ lines: [String]) -> SHA256.Digest {
        var hasher = SHA256()
        for line in lines {
            update(&hasher, line)
            withUnsafeBytes(of: UInt8(0x0A)) { hasher.update(bufferPointer: $0) }
        }
        return hasher.finalize()
    }

    /// Hashes a string's UTF-8 in place (no array per string).
    private static func update(_ hasher: inout SHA256, _ text: String) {
        var text = text
        text.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
    }

    /// `cfinv-` and 40 hex digits of SHA-256 over the changes' identities, the distribution, the paths and the
    /// chunk position. Never a clock: timestamps collide and break idempotent retries (a clock-based reference is what makes other tools invalidate a retried batch twice).
    static func callerReference(
        identityDigest: SHA256.Digest, distributionId: String, paths: [String], chunk: Int, of count: Int
    ) -> String {
        var hasher = SHA256()
        hasher.update(data: Array(identityDigest))
        hasher.update(data: Array("\n\(distributionId)\n\(chunk)/\(count)\n".utf8))
        for path in paths {
            update(&hasher, path)
            withUnsafeBytes(of: UInt8(0x0A)) { hasher.update(bufferPointer: $0) }
        }
        let hex = hasher.finalize().map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
        }
        return "cfinv-" + hex.prefix(20).joined()
    }
}
