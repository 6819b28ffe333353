import JSONSupport

extension Planner {
    /// One distribution's share of an event. Paths are numbered in order of first appearance; units arrive in
    /// increasing order, so "is this unit already listed" is a look at the last one.
    struct Share {
        var id: CloudFrontTarget
        var pathNumbers: [String: Int] = [:]
        var paths: [String] = []
        /// (path number, unit index) for every path a change asks for.
        var pathUnits: [(path: Int, unit: Int)] = []
        /// The units with at least one path here, ascending.
        var units: [Int] = []
        var identities: [String] = []
        /// With `TAG_RULES`: for each path number, the tag items of each change that needs it (empty: pinned).
        var carriers: [[[String]]] = []

        init(id: CloudFrontTarget, expectedChanges: Int) {
            self.id = id
            pathNumbers.reserveCapacity(expectedChanges)
            paths.reserveCapacity(expectedChanges)
            pathUnits.reserveCapacity(expectedChanges)
            identities.reserveCapacity(expectedChanges)
        }

        /// Adds one change's paths; `tags`: what its object carries (nil without `TAG_RULES`).
        mutating func add(_ newPaths: [String], identity: String, unit: Int, tags: [String]? = nil) {
            identities.append(identity)
            if units.last != unit { units.append(unit) }
            for path in newPaths {
                let number: Int
                if let known = pathNumbers[path] {
                    number = known
                } else {
                    number = paths.count
                    pathNumbers[path] = number
                    paths.append(path)
                    if tags != nil { carriers.append([]) }
                }
                if let tags { carriers[number].append(tags) }
                pathUnits.append((number, unit))
            }
        }
    }

    /// An event's changes grouped by the distributions that serve them, with a note for each change that cannot be
    /// served. Built change by change, in place: a 10,000-record batch must not copy a share per change.
    struct Grouping {
        typealias Served = [(target: DistributionTarget, share: Int)]

        var shares: [Share] = []
        var notes: [RecordNote] = []
        /// Changes left out by `INCLUDE` / `EXCLUDE`.
        var excluded = 0
        /// Changes at least one distribution serves.
        var covered = 0
        let expectedChanges: Int
        private var shareNumbers: [CloudFrontTarget: Int] = [:]
        private var resolved: [String: Served] = [:]
        /// Batches are mostly one bucket: its targets without hashing its name per change.
        private var lastBucket: (bucket: String, served: Served)?
        private var unservedBuckets: Set<String> = []

        init(expectedChanges: Int) {
            self.expectedChanges = expectedChanges
        }

        mutating func add(
            _ change: ObjectChange, of unit: DeliveryUnit, at unitIndex: Int, settings: PlannerSettings,
            resolve: (_ bucket: String) -> [DistributionTarget]
        ) {
            if !settings.filter.isEmpty && !settings.filter.keeps(change.key) {
                excluded += 1
                return
            }
            if let refusal = KeyRules.refusal(change.key) {
                notes.append(RecordNote(record: unit.label, reason: refusal, severity: .rejected, bucket: nil))
                return
            }
            let served = targets(of: change.bucket, resolve: resolve)
            guard !served.isEmpty else {
                if unservedBuckets.insert(change.bucket).inserted {
                    notes.append(
                        RecordNote(
                            record: unit.label, reason: "no CloudFront distribution serves bucket \(change.bucket)",
                            severity: .rejected, bucket: change.bucket))
                }
                return
            }
            var isServed = false
            // Only created objects carry tags: a deleted one is covered by its paths.
            let tags: [String]? =
                settings.tagRules.isEmpty
                ? nil : (change.kind == .created ? settings.tagRules.items(forKey: change.key) : [])
            for (target, number) in served {
                // Without a prefix the key is served as it is: no copy of it.
                let key: String
                if target.keyPrefix.isEmpty {
                    key = change.key
                } else {
                    guard let part = target.servedKey(change.key) else { continue }
                    key = String(part)
                }
                isServed = true
                let paths = CloudFrontPath.paths(
                    forKey: key, indexDocument: settings.indexDocument, forms: settings.forms)
                shares[number].add(paths, identity: change.identity, unit: unitIndex, tags: tags)
            }
            if isServed {
                covered += 1
            } else {
                let prefixes = served.map { "/" + $0.target.keyPrefix }.joined(separator: ", ")
                notes.append(
                    RecordNote(
                        record: unit.label,
                        reason: "key \(JSON.quote(change.key)) in bucket \(change.bucket) is outside every origin path "
                            + "of its distributions (\(prefixes))",
                        severity: .ignored))
            }
        }

        /// The bucket's targets, each with its share's number (a share made for each distribution seen first).
        private mutating func targets(
            of bucket: String, resolve: (_ bucket: String) -> [DistributionTarget]
        ) -> Served {
            if let lastBucket, lastBucket.bucket == bucket { return lastBucket.served }
            let served: Served
            if let known = resolved[bucket] {
                served = known
            } else {
                served = resolve(bucket).map { target in
                    if let number = shareNumbers[target.target] { return (target, number) }
                    shareNumbers[target.target] = shares.count
                    shares.append(Share(id: target.target, expectedChanges: expectedChanges))
                    return (target, shares.count - 1)
                }
                resolved[bucket] = served
            }
            lastBucket = (bucket, served)
            return served
        }
    }
}
