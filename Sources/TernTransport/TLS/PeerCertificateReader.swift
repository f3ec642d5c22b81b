import NIOCore
internal import NIOSSL

/// Reads what Envoy exposes of a peer certificate: its subject alternative names by type and
/// its subject in RFC 2253 form. Runs once per handshake, never per request.
enum PeerCertificateReader {
    static func subjectAltNames(_ certificate: NIOSSLCertificate) -> PeerSubjectAltNames {
        var names = PeerSubjectAltNames()
        for san in certificate._subjectAlternativeNames() {
            let bytes = Array(san.contents)
            switch san.nameType {
            case .dnsName: names.dns.append(String(decoding: bytes, as: UTF8.self))
            case .uri: names.uri.append(String(decoding: bytes, as: UTF8.self))
            case .email: names.email.append(String(decoding: bytes, as: UTF8.self))
            case .ipAddress:
                var buffer = ByteBuffer(bytes: bytes)
                if let address = try? SocketAddress(packedIPAddress: buffer.readSlice(length: bytes.count)!, port: 0),
                   let ip = address.ipAddress {
                    names.ipAddress.append(ip)
                }
            default: break
            }
        }
        return names
    }

    /// `CN=client,OU=mesh,O=Example`: RFC 2253 lists the most specific attribute first, the
    /// reverse of the certificate's encoding order.
    static func subject(_ certificate: NIOSSLCertificate) -> String {
        certificate.subjectName.reversed().map { "\(shortName($0.type))=\(escaped($0.value))" }.joined(separator: ",")
    }

    private static func shortName(_ type: SSLCertificateNameType) -> String {
        switch type {
        case .commonName: "CN"
        case .organization: "O"
        case .organizationalUnit: "OU"
        case .country: "C"
        case .state: "ST"
        case .city: "L"
        case .emailAddress: "emailAddress"
        case .userId: "UID"
        default: "OID"
        }
    }

    /// RFC 2253 escaping of the characters that would change the name's structure.
    private static func escaped(_ value: String) -> String {
        var out = ""
        for (i, ch) in value.enumerated() {
            if ",+\"\\<>;".contains(ch) || (i == 0 && (ch == "#" || ch == " ")) { out.append("\\") }
            out.append(ch)
        }
        return out
    }
}
