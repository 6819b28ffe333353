import AWSClient
import InvalidationCore
import Invalidator

extension Doctor {
    /// One distribution: it exists and is enabled, its origins serve the bucket under the prefix the function
    /// invalidates, it stores cache tags when `TAG_RULES` sends them, and what is in progress leaves room.
    func checkDistribution(_ expectation: Expectation, configuration: Configuration?) async -> [Finding] {
        let area = "distribution \(expectation.id)"
        let config: DistributionConfig
        do {
            config = try await clients.cloudFront.getDistributionConfig(id: expectation.id)
        } catch {
            if error.code == "NoSuchDistribution" {
                return [
                    .problem(
                        area, "exists", "no such distribution: every invalidation fails",
                        fix: "correct the id (CLOUDFRONT_DISTRIBUTION_ID, DISTRIBUTION_MAP or --distribution-id)")
                ]
            }
            return [.unchecked(area, "configuration", error, permission: "cloudfront:GetDistributionConfig")]
        }
        var findings: [Finding] = []
        if config.enabled {
            findings.append(.ok(area, "enabled", "yes"))
        } else {
            findings.append(
                .warning(
                    area, "enabled", "disabled: it serves nothing, so invalidating it is wasted",
                    fix: "enable it, or remove it from the function's configuration"))
        }
        findings += Self.originFindings(config.origins, expectation: expectation)
        if let configuration, !configuration.planner.tagRules.isEmpty {
            findings.append(Self.cacheTagFinding(config.cacheTagHeader, area: area, settings: configuration.cacheTags))
        }
        findings += await checkInProgress(expectation.id, area: area)
        return findings
    }

    /// For each bucket the distribution should serve: an origin on it (`S3OriginDomain`), whose `OriginPath` maps
    /// to the key prefix the function invalidates (`DistributionTarget`).
    static func originFindings(_ origins: [DistributionOrigin], expectation: Expectation) -> [Finding] {
        let area = "distribution \(expectation.id)"
        let listed = origins.map { $0.domainName + $0.originPath }.joined(separator: ", ")
        guard !expectation.served.isEmpty else {
            return [.ok(area, "origins", listed.isEmpty ? "none" : listed)]
        }
        var findings: [Finding] = []
        for (bucket, keyPrefix) in expectation.served {
            let matching = origins.filter { S3OriginDomain.matches($0.domainName, bucket: bucket) }
            guard !matching.isEmpty else {
                findings.append(
                    .problem(
                        area, "origin",
                        "no origin serves bucket \(bucket) (origins: \(listed.isEmpty ? "none" : listed))",
                        fix: "name the distribution that serves \(bucket), or add the bucket as its origin"))
                continue
            }
            let served = matching.map { DistributionTarget(distributionId: expectation.id, originPath: $0.originPath) }
            guard let keyPrefix else {
                let prefixes = served.map { $0.keyPrefix.isEmpty ? "the whole bucket" : $0.keyPrefix }
                findings.append(.ok(area, "origin", "serves \(bucket): \(prefixes.joined(separator: ", "))"))
                continue
            }
            if served.contains(where: { $0.keyPrefix == keyPrefix }) {
                let shown = keyPrefix.isEmpty ? "the whole bucket" : "keys under \(keyPrefix)"
                findings.append(.ok(area, "origin", "serves \(bucket), \(shown), as the function invalidates"))
            } else {
                let paths = matching.map { $0.originPath.isEmpty ? "(none)" : $0.originPath }.joined(separator: ", ")
                let wanted = keyPrefix.isEmpty ? "the whole bucket" : "keys under \(keyPrefix)"
                let servedPrefix = served[0].keyPrefix
                findings.append(
                    .problem(
                        area, "origin path",
                        "OriginPath \(paths) does not match: the function invalidates \(wanted) of \(bucket), so "
                            + "its paths miss what the distribution serves",
                        fix: servedPrefix.isEmpty
                            ? "remove KEY_PREFIX (or the map entry's prefix), or set the origin's OriginPath to /"
                                + keyPrefix.dropLast()
                            : "set KEY_PREFIX (or the map entry's prefix) to \(servedPrefix.dropLast()), or the "
                                + "OriginPath to /\(keyPrefix.dropLast())"))
            }
        }
        return findings
    }

    /// `CacheTagConfig` naming `CACHE_TAG_HEADER`, judged as the function judges it (`CacheTagCheck.verdict`).
    static func cacheTagFinding(_ header: String?, area: String, settings: CacheTagSettings) -> Finding {
        switch CacheTagCheck.verdict(header: header, expected: settings.header) {
        case .confirmed:
            return .ok(area, "cache tags", "CacheTagConfig reads \(settings.header)")
        case .unconfirmed(let reason):
            return .warning(
                area, "cache tags", "TAG_RULES is set, but \(reason); the function invalidates its changes by path",
                fix: "set the distribution's CacheTagConfig.HeaderName to \(settings.header), or drop TAG_RULES")
        }
    }

    /// The invalidations in progress against CloudFront's limits: 3,000 file paths and 15 wildcard paths at a
    /// time per distribution. The first page (100, newest first) holds every one in progress in practice.
    func checkInProgress(_ id: String, area: String) async -> [Finding] {
        let page: InvalidationListPage
        do {
            page = try await clients.cloudFront.listInvalidations(distributionId: id)
        } catch {
            return [.unchecked(area, "in progress", error, permission: "cloudfront:ListInvalidations")]
        }
        var paths = 0
        var wildcards = 0
        for summary in page.invalidations where !summary.isCompleted {
            do {
                let invalidation = try await clients.cloudFront.getInvalidation(distributionId: id, id: summary.id)
                wildcards += invalidation.paths.filter { $0.hasSuffix("*") }.count
                paths += invalidation.paths.filter { !$0.hasSuffix("*") }.count
            } catch {
                return [.unchecked(area, "in progress", error, permission: "cloudfront:GetInvalidation")]
            }
        }
        return [Self.inProgressFinding(paths: paths, wildcards: wildcards, area: area)]
    }

    static func inProgressFinding(paths: Int, wildcards: Int, area: String) -> Finding {
        let figures =
            "\(paths) of \(inProgressPathLimit) file paths, \(wildcards) of \(inProgressWildcardLimit) wildcard "
            + "paths in progress"
        if paths >= inProgressPathLimit || wildcards >= inProgressWildcardLimit {
            return .problem(
                area, "in progress",
                "\(figures): CloudFront refuses new invalidations (TooManyInvalidationsInProgress)",
                fix: "wait for them to complete; if a loop keeps adding them, find it in the function's logs")
        }
        if paths * 5 >= inProgressPathLimit * 4 || wildcards * 5 >= inProgressWildcardLimit * 4 {
            return .warning(
                area, "in progress", "\(figures): close to the limit", fix: "let them complete before a large deploy")
        }
        return .ok(area, "in progress", figures)
    }
}
