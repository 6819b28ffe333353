extension AWSError {
    /// A failed condition: `ConditionalCheckFailedException` (PutItem, UpdateItem, DeleteItem), or a
    /// `TransactionCanceledException` whose reasons include `ConditionalCheckFailed`. The write did not happen; it is
    /// not retried (botocore's standard mode lists it nowhere), as trying again cannot change the item's state.
    public var isConditionalCheckFailure: Bool {
        guard kind == .service else { return false }
        if code == "ConditionalCheckFailedException" { return true }
        return cancellationReasons?.contains("ConditionalCheckFailed") ?? false
    }
}
