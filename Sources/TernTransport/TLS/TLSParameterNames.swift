internal import NIOSSL

/// The BoringSSL names Envoy accepts in `tls_params`, mapped to what NIOSSL can set. Checked at
/// load: NIOSSL traps on a cipher list BoringSSL rejects, so an unknown name must never reach it.
enum TLSParameterNames {
    /// Envoy's default TLS 1.0–1.2 cipher list (non-FIPS), for servers and clients alike.
    static let defaultCipherSuites = "[ECDHE-ECDSA-AES128-GCM-SHA256|ECDHE-ECDSA-CHACHA20-POLY1305]:"
        + "[ECDHE-RSA-AES128-GCM-SHA256|ECDHE-RSA-CHACHA20-POLY1305]:"
        + "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384"

    /// Envoy's default curves (non-FIPS): X25519, P-256.
    static let defaultCurves: [NIOTLSCurve] = [.x25519, .secp256r1]

    /// TLS 1.0–1.2 cipher suites BoringSSL knows by these names.
    static let cipherSuites: Set<String> = [
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305", "ECDHE-PSK-CHACHA20-POLY1305",
        "ECDHE-ECDSA-AES128-SHA", "ECDHE-RSA-AES128-SHA", "ECDHE-PSK-AES128-CBC-SHA",
        "ECDHE-ECDSA-AES256-SHA", "ECDHE-RSA-AES256-SHA", "ECDHE-PSK-AES256-CBC-SHA",
        "AES128-GCM-SHA256", "AES256-GCM-SHA384", "AES128-SHA", "AES256-SHA",
        "PSK-AES128-CBC-SHA", "PSK-AES256-CBC-SHA", "DES-CBC3-SHA",
    ]

    /// `ecdh_curves` names (BoringSSL's, with its aliases).
    static let curves: [String: NIOTLSCurve] = [
        "X25519": .x25519, "P-256": .secp256r1, "prime256v1": .secp256r1, "secp256r1": .secp256r1,
        "P-384": .secp384r1, "secp384r1": .secp384r1, "P-521": .secp521r1, "secp521r1": .secp521r1,
        "X25519MLKEM768": .x25519_MLKEM768,
    ]

    /// `signature_algorithms` names.
    static let signatureAlgorithms: [String: SignatureAlgorithm] = [
        "rsa_pkcs1_sha1": .rsaPkcs1Sha1, "rsa_pkcs1_sha256": .rsaPkcs1Sha256,
        "rsa_pkcs1_sha384": .rsaPkcs1Sha384, "rsa_pkcs1_sha512": .rsaPkcs1Sha512,
        "ecdsa_sha1": .ecdsaSha1, "ecdsa_secp256r1_sha256": .ecdsaSecp256R1Sha256,
        "ecdsa_secp384r1_sha384": .ecdsaSecp384R1Sha384, "ecdsa_secp521r1_sha512": .ecdsaSecp521R1Sha512,
        "rsa_pss_rsae_sha256": .rsaPssRsaeSha256, "rsa_pss_rsae_sha384": .rsaPssRsaeSha384,
        "rsa_pss_rsae_sha512": .rsaPssRsaeSha512, "ed25519": .ed25519,
    ]

    /// A `cipher_suites` entry is one name or an equal-preference group `[A|B]`; true when every
    /// name in it is known.
    static func isKnownCipherEntry(_ entry: String) -> Bool {
        var s = Substring(entry)
        if s.hasPrefix("["), s.hasSuffix("]") { s = s.dropFirst().dropLast() }
        let names = s.split(separator: "|", omittingEmptySubsequences: false)
        return !names.isEmpty && names.allSatisfy { cipherSuites.contains(String($0)) }
    }
}
