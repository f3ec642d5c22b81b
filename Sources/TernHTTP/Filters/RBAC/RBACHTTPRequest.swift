import NIOHTTP1
import TernNetwork

/// The HTTP request as RBAC rules see it.
struct RBACHTTPRequest: RBACHTTPAttributes {
    let head: HTTPRequestHead
}

/// A `header` permission or principal. Pseudo-headers read the request line as Envoy's header
/// map would hold them (`:method`, `:path` with its query, `:authority`, `:scheme`).
struct RBACHeaderRule: RBACRequestRule {
    let match: HeaderMatch

    func matches(_ request: RBACRequest) -> Bool {
        guard let head = (request.http as? RBACHTTPRequest)?.head else { return match.matches(HTTPHeaders()) }
        guard match.name.hasPrefix(":") else { return match.matches(head.headers) }
        let value: String?
        switch match.name {
        case ":method": value = head.method.rawValue
        case ":path": value = head.uri
        case ":authority": value = head.headers.first(name: "host")
        case ":scheme": value = "http"
        default: value = nil
        }
        return match.matches(value.map { HTTPHeaders([(match.name, $0)]) } ?? HTTPHeaders())
    }
}

/// A `url_path` permission or principal: the path without query and fragment, as in Envoy.
struct RBACPathRule: RBACRequestRule {
    let match: StringMatch

    func matches(_ request: RBACRequest) -> Bool {
        guard let head = (request.http as? RBACHTTPRequest)?.head else { return false }
        let uri = head.uri
        let end = uri.firstIndex { $0 == "?" || $0 == "#" } ?? uri.endIndex
        return match.matches(String(uri[..<end]))
    }
}
