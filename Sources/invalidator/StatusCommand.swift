import AWSClient
import ArgumentParser
import FoundationEssentials
import Invalidator
import JSONSupport

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List a distribution's recent invalidations, newest first.",
        discussion: """
            Pages through ListInvalidations until --limit invalidations are listed. Distributions and credentials \
            as for invalidate: --distribution-id, else CLOUDFRONT_DISTRIBUTION_ID, else the SSM parameter named by \
            CF_DIST_ID_LABEL; no region needed but for that parameter. Exit status: 0 success, 1 failure, 64 \
            usage error.
            """)

    @Option(
        name: .customLong("distribution-id"),
        help: ArgumentHelp(
            "The distribution (repeatable, or comma-separated; default: CLOUDFRONT_DISTRIBUTION_ID, else the SSM "
                + "parameter CF_DIST_ID_LABEL names).", valueName: "id"))
    var distributionIds: [String] = []

    @Option(name: .long, help: ArgumentHelp("How many invalidations to list per distribution.", valueName: "n"))
    var limit: Int = 10

    @Flag(name: .long, help: "Print one JSON object instead of a table.")
    var json = false

    func validate() throws {
        _ = try parseIds(distributionIds)
        guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be 1 to 10000") }
    }

    func run() async throws {
        let environment = try awsEnvironment()
        let configuration: Configuration
        do {
            configuration = try Configuration(environment: environment)
        } catch {
            throw fail(error.description)
        }
        let ids = try await commandDistributionIds(
            distributionIds, configuration: configuration, environment: environment)
        let cloudFront = try cloudFrontClient(environment: environment)
        var rows: [(String, InvalidationSummary)] = []
        for id in ids {
            var marker: String?
            var listed = 0
            repeat {
                let page: InvalidationListPage
                do {
                    page = try await cloudFront.listInvalidations(
                        distributionId: id, marker: marker, maxItems: min(100, limit - listed))
                } catch {
                    throw fail("distribution \(id): \(error)")
                }
                for summary in page.invalidations.prefix(limit - listed) { rows.append((id, summary)) }
                listed += min(page.invalidations.count, limit - listed)
                marker = page.nextMarker
            } while marker != nil && listed < limit
        }
        if json {
            let items = rows.map { id, summary -> JSONValue in
                .object([
                    "distributionId": .string(id), "invalidationId": .string(summary.id),
                    "status": .string(summary.status), "createTime": .string(summary.createTime),
                ])
            }
            print(JSON.serialize(.object(["invalidations": .array(items)])))
            return
        }
        let header = ["DISTRIBUTION", "INVALIDATION", "STATUS", "CREATED"]
        let table = [header] + rows.map { [$0.0, $0.1.id, $0.1.status, $0.1.createTime] }
        let widths = (0..<header.count).map { column in table.map { $0[column].count }.max() ?? 0 }
        for row in table {
            let cells = row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }
            print(cells.joined(separator: "  "))
        }
        if rows.isEmpty { print("(no invalidations)") }
    }
}

struct Events: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Events for trying the function locally.", subcommands: [Sample.self])

    struct Sample: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a realistic event of the given kind.",
            discussion: """
                Kinds: s3 (an S3 notification delivered directly, one object: the first key), sqs-s3 (S3 -> SQS, \
                one message a key), sqs-eventbridge (S3 -> EventBridge -> SQS, one message a key), sns (S3 -> SNS \
                -> Lambda, the first key), codepipeline (a job whose \
                UserParameters name --distribution-id and the keys as paths). The same arguments give the same \
                event. Try it: invalidator events sample sqs-s3 --key 'docs/a b.html' | invalidator plan \
                --event - --distribution-id E2QWRUHAPOMQZL
                """)

        @Argument(
            help: ArgumentHelp(
                "s3, sqs-s3, sqs-eventbridge, sns or codepipeline.", valueName: "kind"))
        var kind: String

        @Option(name: .long, help: ArgumentHelp("An object key (repeatable).", valueName: "key"))
        var key: [String] = []

        @Option(name: .long, help: ArgumentHelp("The bucket.", valueName: "name"))
        var bucket = "my-site-bucket"

        @Option(
            name: .customLong("distribution-id"),
            help: ArgumentHelp("For codepipeline: the distribution in UserParameters.", valueName: "id"))
        var distributionId = "E2QWRUHAPOMQZL"

        func validate() throws {
            guard EventSamples.Kind(rawValue: kind) != nil else {
                throw ValidationError(
                    "unknown kind \(kind): use \(EventSamples.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            _ = try parseIds([distributionId])
        }

        func run() throws {
            print(
                EventSamples.event(
                    EventSamples.Kind(rawValue: kind)!, bucket: bucket,
                    keys: key.isEmpty ? ["index.html", "assets/app.js"] : key, distributionId: distributionId))
        }
    }
}
