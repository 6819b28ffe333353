import ArgumentParser

/// `--event`, as plan and invoke take it: the event the function would receive, from a file or standard input.
struct EventOption: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp("The event, as the function receives it (- for standard input).", valueName: "file"))
    var event: String

    func payload() throws -> [UInt8] {
        try readEvent(event)
    }
}
