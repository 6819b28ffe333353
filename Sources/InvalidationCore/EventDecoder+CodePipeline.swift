import JSONSupport

extension EventDecoder {
    /// A CodePipeline job (`CodePipeline.job`, a key with a dot): recognised here, once; its `UserParameters` are
    /// read by `PipelineRequest`, its artifact credentials never.
    static func pipelineEvent(_ json: JSONNode) -> DecodedEvent {
        guard let job = PipelineJob(event: json.value) else {
            return DecodedEvent(
                source: .codePipeline, units: [],
                notes: [RecordNote(record: "event", reason: "CodePipeline job without an id", severity: .rejected)])
        }
        return DecodedEvent(source: .codePipeline, units: [], notes: [], pipelineJob: job)
    }
}
