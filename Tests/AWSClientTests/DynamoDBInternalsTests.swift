import Testing

@testable import AWSClient

/// The pieces under the DynamoDB client: the CRC-32 of `x-amz-crc32` and the placeholder scan.
@Suite("DynamoDB internals")
struct DynamoDBInternalsTests {
    @Test(
        "CRC-32 as zlib computes it (the check value, and what moto sent for these bodies)",
        arguments: [
            ("", 0), ("123456789", 0xCBF4_3926), ("{}", 2_745_614_147), (#"{"Item":{"pk":{"S":"a"}}}"#, 642_333_050),
        ])
    func crc32(text: String, expected: UInt32) {
        #expect(CRC32.checksum(Array(text.utf8)) == expected)
    }

    @Test("placeholders: # and : followed by letters, digits and _, in any expression of the request")
    func placeholders() {
        let tokens = DynamoDBPlaceholders.tokens(in: [
            "SET #a = :a, #b_2.#c[0] = list_append(#b_2, :l1) ADD #n :one", nil, "attribute_not_exists(#x)AND:y<>:z",
            "# : #- :: ##d",
        ])
        #expect(tokens == ["#a", ":a", "#b_2", "#c", ":l1", "#n", ":one", "#x", ":y", ":z", "#d"])
    }
}
