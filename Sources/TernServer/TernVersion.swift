/// Tern's version, and the strings that carry it where Envoy prints its own.
public enum TernVersion {
    public static let version = "0.1.0"
    /// Envoy's `<revision>/<version>/<status>/<build type>/<ssl>` shape, for `/server_info`.
    public static var envoyStyle: String {
        #if DEBUG
        "0/\(version)/Clean/DEBUG/NoSSL"
        #else
        "0/\(version)/Clean/RELEASE/NoSSL"
        #endif
    }
}
