import Formats
import Testing

@Suite("Searching text without Swift Regex")
struct StringSearchTests {
    @Test("containsText finds a literal anywhere, the empty one everywhere, and nothing that is not there")
    func contains() {
        #expect("arn:aws:iam::1:role/a//b".containsText("//"))
        #expect("the caller reference is in use".containsText("caller reference"))
        #expect(!"the caller refer".containsText("caller reference"))
        #expect("{{tenant}}".containsText("{{") && !"{tenant}".containsText("{{"))
        #expect("abc".containsText("") && !"".containsText("a"))
        #expect("é.s3-website".containsText(".s3"))
    }

    @Test("startIndices gives every start, overlapping ones included")
    func starts() {
        let text = "my.s3.bucket.s3.amazonaws.com"
        #expect(text.startIndices(of: ".s3").map { String(text[..<$0]) } == ["my", "my.s3.bucket"])
        #expect("aaa".startIndices(of: "aa").map { "aaa".distance(from: "aaa".startIndex, to: $0) } == [0, 1])
        #expect("abc".startIndices(of: "x").isEmpty)
    }
}
