/// The static table of RFC 7541 Appendix A: indices 1–61, shared by every connection.
///
/// Names and values are string literals, so a field decoded from an index into this table costs
/// no allocation. The encoder's byte-level lookup is in `HPACKStaticTable+Lookup.swift`.
enum HPACKStaticTable {
    /// Number of entries; dynamic table indices start right after (RFC 7541 §2.3.3).
    static let count = 61

    /// `names[i - 1]` is the name of static index `i`.
    static let names: [String] = [
        ":authority", ":method", ":method", ":path", ":path",  // 1–5
        ":scheme", ":scheme", ":status", ":status", ":status",  // 6–10
        ":status", ":status", ":status", ":status", "accept-charset",  // 11–15
        "accept-encoding", "accept-language", "accept-ranges", "accept", "access-control-allow-origin",  // 16–20
        "age", "allow", "authorization", "cache-control", "content-disposition",  // 21–25
        "content-encoding", "content-language", "content-length", "content-location", "content-range",  // 26–30
        "content-type", "cookie", "date", "etag", "expect",  // 31–35
        "expires", "from", "host", "if-match", "if-modified-since",  // 36–40
        "if-none-match", "if-range", "if-unmodified-since", "last-modified", "link",  // 41–45
        "location", "max-forwards", "proxy-authenticate", "proxy-authorization", "range",  // 46–50
        "referer", "refresh", "retry-after", "server", "set-cookie",  // 51–55
        "strict-transport-security", "transfer-encoding", "user-agent", "vary", "via",  // 56–60
        "www-authenticate",  // 61
    ]

    /// `values[i - 1]` is the value of static index `i`; empty for name-only entries.
    static let values: [String] = [
        "", "GET", "POST", "/", "/index.html",  // 1–5
        "http", "https", "200", "204", "206",  // 6–10
        "304", "400", "404", "500", "",  // 11–15
        "gzip, deflate", "", "", "", "",  // 16–20
        "", "", "", "", "",  // 21–25
        "", "", "", "", "",  // 26–30
        "", "", "", "", "",  // 31–35
        "", "", "", "", "",  // 36–40
        "", "", "", "", "",  // 41–45
        "", "", "", "", "",  // 46–50
        "", "", "", "", "",  // 51–55
        "", "", "", "", "",  // 56–60
        "",  // 61
    ]

    /// `sizes[i - 1]` is the RFC 9113 §6.5.2 size of static index `i` (name + value + 32), so the
    /// decoder's list-size accounting never has to count a static string.
    static let sizes: [Int] = (0..<count).map { names[$0].utf8.count + values[$0].utf8.count + 32 }
}
