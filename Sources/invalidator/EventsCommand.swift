import ArgumentParser

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
