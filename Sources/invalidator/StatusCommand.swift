import AWSClient
import ArgumentParser
import FoundationEssentials
import InvalidationCore
import Invalidator
import JSONSupport

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List a distribution's recent invalidations, newest first.",
        discussion: """
            Pages through ListInvalidations until --limit invalidations are listed; --items also reads each one \
            (GetInvalidation) and lists what it invalidates, paths and cache tags (#html) told apart. Distributions \
            and credentials \
            as for invalidate: --distribution-id and --tenant-id (through --role-arn), else \
            CLOUDFRONT_DISTRIBUTION_ID, else the SSM parameter named by CF_DIST_ID_LABEL; no region needed but for \
            that parameter. Exit status: 0 success, 1 failure, 64 \
            usage error.
            """)

    @OptionGroup var distributions: DistributionOptions

    @Option(name: .long, help: ArgumentHelp("How many invalidations to list per distribution.", valueName: "n"))
    var limit: Int = 10

    @Flag(name: .long, help: "Also list each invalidation's paths and cache tags (one GetInvalidation each).")
    var items = false

    @Flag(name: .long, help: "Print one JSON object instead of a table.")
    var json = false

    func validate() throws {
        guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be 1 to 10000") }
    }

    func run() async throws {
        let environment = try awsEnvironment()
        let configuration = try commandConfiguration(environment)
        let targets = try await commandTargets(distributions, configuration: configuration, environment: environment)
        let clients = try targetClients(environment: environment, externalId: distributions.externalId)
        let session = clients.roles?.sessionName(invocation: "cli") ?? "cli"
        var rows: [(CloudFrontTarget, InvalidationSummary)] = []
        for target in targets {
            var marker: String?
            var listed = 0
            repeat {
                let page: InvalidationListPage
                do {
                    let cloudFront = try await clients.client(for: target, session: session)
                    page = try await cloudFront.listInvalidations(
                        target: target, marker: marker, maxItems: min(100, limit - listed), context: AWSCallContext())
                } catch {
                    throw fail("\(target.label): \(error)")
                }
                for summary in page.invalidations.prefix(limit - listed) { rows.append((target, summary)) }
                listed += min(page.invalidations.count, limit - listed)
                marker = page.nextMarker
            } while marker != nil && listed < limit
        }
        var contents: [[String]]?
        if items {
            contents = []
            for (target, summary) in rows {
                do {
                    let cloudFront = try await clients.client(for: target, session: session)
                    contents?.append(
                        try await cloudFront.getInvalidation(target: target, id: summary.id, context: AWSCallContext())
                            .paths)
                } catch {
                    throw fail("\(target.label), invalidation \(summary.id): \(error)")
                }
            }
        }
        if json {
            printJSON(rows, contents: contents)
        } else {
            printTable(rows, contents: contents)
        }
    }

    func printJSON(_ rows: [(CloudFrontTarget, InvalidationSummary)], contents: [[String]]?) {
        let objects = rows.enumerated().map { index, row -> JSONValue in
            var object = row.0.members.merging([
                "invalidationId": .string(row.1.id), "status": .string(row.1.status),
                "createTime": .string(row.1.createTime),
            ]) { first, _ in first }
            if let items = contents?[index] {
                object["paths"] = .array(items.filter { !CacheTag.isItem($0) }.map { .string($0) })
                object["tags"] = .array(items.filter(CacheTag.isItem).map { .string($0) })
            }
            return .object(object)
        }
        print(JSON.serialize(.object(["invalidations": .array(objects)])))
    }

    /// The table; with `--items`, each invalidation's items beneath it, a tag marked as one (`tag  #html`), since a
    /// tag purges by what the origin declared, not by URL.
    func printTable(_ rows: [(CloudFrontTarget, InvalidationSummary)], contents: [[String]]?) {
        let header = ["DISTRIBUTION", "INVALIDATION", "STATUS", "CREATED"]
        let table = [header] + rows.map { [$0.0.resourceKey, $0.1.id, $0.1.status, $0.1.createTime] }
        let widths = (0..<header.count).map { column in table.map { $0[column].count }.max() ?? 0 }
        for (index, row) in table.enumerated() {
            let cells = row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }
            print(cells.joined(separator: "  "))
            guard index > 0, let items = contents?[index - 1] else { continue }
            for item in items { print((CacheTag.isItem(item) ? "  tag   " : "  path  ") + item) }
        }
        if rows.isEmpty { print("(no invalidations)") }
    }
}
