/// A log level as Envoy's `/logging` spells it (spdlog's names).
public enum AdminLogLevel: String, Sendable, CaseIterable {
    case trace, debug, info, warning, error, critical, off
}
