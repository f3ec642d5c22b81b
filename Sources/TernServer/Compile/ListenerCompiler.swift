import NIOCore
import TernConfig
import TernNetwork

/// Compiles one `envoy.config.listener.v3.Listener` into a `ListenerConfig`: addresses, stat
/// prefix, filter chains and the two fingerprints that decide what a reload does with it.
struct ListenerCompiler {
    let context: CompileContext
    let extensions: ExtensionSet

    /// `nameTaken` tells whether a name is already used by an earlier listener, so an unnamed
    /// listener's address-derived name can be made unique.
    func compile(_ l: Envoy_Config_Listener_V3_Listener, path: String,
                 nameTaken: (String) -> Bool = { _ in false }) throws -> ListenerConfig {
        guard l.hasAddress else { throw CompileError("\(path).address", "a listener address is required") }
        var addresses = [try AddressCompiler.bindAddress(l.address, path: "\(path).address")]
        for (i, extra) in l.additionalAddresses.enumerated() {
            let p = "\(path).additional_addresses[\(i)].address"
            guard extra.hasAddress else { throw CompileError(p, "an address is required") }
            addresses.append(try AddressCompiler.bindAddress(extra.address, path: p))
        }
        guard !l.filterChains.isEmpty || l.hasDefaultFilterChain else {
            throw CompileError("\(path).filter_chains", "a listener needs at least one filter chain")
        }
        warnUnimplemented(l, path: path)

        let statPrefix = l.statPrefix.isEmpty ? AddressCompiler.statName(addresses[0]) : l.statPrefix
        let chains = FilterChainCompiler(context: context, extensions: extensions, statPrefix: statPrefix)
        var compiled: [FilterChainConfig] = []
        for (i, chain) in l.filterChains.enumerated() {
            let p = "\(path).filter_chains[\(i)]"
            let config = try chains.compile(chain, path: p)
            // Envoy refuses two chains with equal matches, and two that share any combination
            // of match values (with its two messages).
            if let twin = compiled.firstIndex(where: { $0.match == config.match }) {
                throw CompileError("\(p).filter_chain_match",
                                   "filter chain has the same matching rules defined as filter_chains[\(twin)]")
            }
            if let twin = compiled.firstIndex(where: { $0.match.overlaps(config.match) }) {
                throw CompileError("\(p).filter_chain_match",
                                   "multiple filter chains with overlapping matching rules are defined (filter_chains[\(twin)])")
            }
            compiled.append(config)
        }
        let fallback = l.hasDefaultFilterChain
            ? try chains.compile(l.defaultFilterChain, path: "\(path).default_filter_chain") : nil
        let listenerFilters = try ListenerFilterCompiler(context: context, extensions: extensions).compile(l, path: path)

        var name = Self.name(l, address: addresses[0])
        if l.name.isEmpty, nameTaken(name), let index = path.split(separator: "[").last?.dropLast() {
            name += "_\(index)"
        }
        var socketOnly = l
        socketOnly.filterChains = []
        socketOnly.clearDefaultFilterChain()
        return ListenerConfig(
            name: name, addresses: addresses, statPrefix: statPrefix, filterChains: compiled,
            defaultFilterChain: fallback,
            enableReusePort: l.hasEnableReusePort ? l.enableReusePort.value : true,
            perConnectionBufferLimitBytes: l.hasPerConnectionBufferLimitBytes
                ? Int(l.perConnectionBufferLimitBytes.value) : 1_048_576,
            stats: ListenerStats(root: context.stats.root, statPrefix: statPrefix),
            fingerprint: try Fingerprint.of(l, path: path)
                + TLSContextCompiler.sourceDigest(compiled + (fallback.map { [$0] } ?? [])),
            socketFingerprint: try Fingerprint.of(socketOnly, path: path),
            listenerFilters: listenerFilters.filters, listenerFiltersTimeout: listenerFilters.timeout,
            continueOnListenerFiltersTimeout: listenerFilters.continueOnTimeout)
    }

    /// The listener's name, or (unnamed, as Envoy allows) its address, so reloads can match it
    /// (Envoy makes up a UUID, which would make every reload replace the listener).
    static func name(_ l: Envoy_Config_Listener_V3_Listener, address: SocketAddress) -> String {
        l.name.isEmpty ? AddressCompiler.statName(address) : l.name
    }

    private func warnUnimplemented(_ l: Envoy_Config_Listener_V3_Listener, path: String) {
        if l.hasUseOriginalDst, l.useOriginalDst.value {
            context.warn("\(path).use_original_dst", "not implemented by Tern yet; ignored")
        }
        if l.hasTransparent, l.transparent.value {
            context.warn("\(path).transparent", "not implemented by Tern yet; ignored")
        }
        if l.hasFreebind, l.freebind.value {
            context.warn("\(path).freebind", "not implemented by Tern yet; ignored")
        }
        if !l.socketOptions.isEmpty {
            context.warn("\(path).socket_options", "not implemented by Tern yet; ignored")
        }
        if l.hasTcpFastOpenQueueLength {
            context.warn("\(path).tcp_fast_open_queue_length", "not implemented by Tern yet; ignored")
        }
        if l.hasConnectionBalanceConfig {
            context.warn("\(path).connection_balance_config", "not implemented by Tern yet; the kernel balances (SO_REUSEPORT)")
        }
        if l.hasBindToPort, !l.bindToPort.value {
            context.warn("\(path).bind_to_port", "false is not implemented by Tern yet; the listener binds its port")
        }
        if !l.accessLog.isEmpty {
            context.warn("\(path).access_log", "listener access logs are not implemented by Tern yet; ignored")
        }
    }
}
