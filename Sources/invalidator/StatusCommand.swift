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

    @OptionGroup var distributions: DistributionOptions

    @Option(name: .long, help: ArgumentHelp("How many invalidations to list per distribution.", valueName: "n"))
    var limit: Int = 10

    @Flag(name: .long, help: "Print one JSON object instead of a table.")
    var json = false

    func validate() throws {
        guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be 1 to 10000") }
    }

    func run() async throws {
        let environment = try awsEnvironment()
        let configuration = try commandConfiguration(environment)
        let ids = try await commandDistributionIds(
            distributions.values, configuration: configuration, environment: environment)
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
