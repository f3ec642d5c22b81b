/// Walks a JSON-shaped document against the proto schema before swift-protobuf sees it.
///
/// swift-protobuf's own JSON errors carry no location, and it only checks the inside of an `Any`
/// when the `Any` is unpacked; this walk gives every problem a path (including inside
/// `typed_config`), explains common mistakes (Go-style durations, YAML 1.1 booleans, misspelt
/// names), collects warnings, and returns the document cleaned for decoding: unknown fields
/// dropped when allowed, nulls removed, integers in canonical form.
package struct SchemaValidator {
    /// The schema documents are checked against.
    package let schema: ProtoSchema
    /// Envoy's `--allow-unknown-static-fields`: unknown fields warn and are dropped.
    package let allowUnknownFields: Bool
    /// Fully qualified names of known fields that are not implemented.
    package let unimplementedFields: Set<String>
    /// Warnings found so far.
    package internal(set) var warnings: [ConfigWarning] = []

    /// What the walk carries from a value to the values inside it.
    struct Context {
        /// False below a field that already produced a not-implemented warning.
        var reportUnimplemented = true
        /// True for the `typed_config` of an HTTP filter marked `is_optional`: an unknown type
        /// there is a warning (the filter is skipped) rather than an error, as in Envoy.
        var optionalExtension = false
    }

    static let httpFilterType = "envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter"

    /// Creates a validator.
    package init(
        schema: ProtoSchema = .envoy,
        allowUnknownFields: Bool = false,
        unimplementedFields: Set<String> = UnimplementedFields.all
    ) {
        self.schema = schema
        self.allowUnknownFields = allowUnknownFields
        self.unimplementedFields = unimplementedFields
    }

    /// Validates `document` as the message `typeName` and returns it ready for the JSON decoder.
    package mutating func validate(_ document: ConfigValue, as typeName: String) throws(ConfigError) -> ConfigValue {
        try message(document, type: typeName, at: .root, Context())
    }

    // MARK: - Messages

    mutating func message(_ value: ConfigValue, type: String, at path: ConfigPath, _ context: Context) throws(ConfigError) -> ConfigValue {
        if WellKnownType(rawValue: type) != nil {
            return try wellKnown(value, type: type, at: path, context)
        }
        guard let descriptor = schema.messages[type] else {
            throw ConfigError(path, "internal error: no schema for message \(type)")
        }
        guard case .object(let members) = value else {
            throw ConfigError(path, "expected an object (\(type)), got \(value.shortDescription)")
        }
        var out: [ConfigMember] = []
        out.reserveCapacity(members.count)
        var keyForField: [Int32: String] = [:]
        var keyForOneof: [String: String] = [:]
        let optionalFilter = type == Self.httpFilterType && isOptionalFilter(members)

        for member in members {
            let fieldPath = path.appending(field: member.key)
            guard let field = descriptor.field(named: member.key) else {
                let problem = unknownFieldMessage(member.key, in: descriptor)
                if allowUnknownFields {
                    warnings.append(ConfigWarning(fieldPath, problem + "; ignored"))
                    continue
                }
                throw ConfigError(fieldPath, problem)
            }
            if let earlier = keyForField[field.number] {
                throw ConfigError(fieldPath, "field given twice (also as '\(earlier)')")
            }
            keyForField[field.number] = member.key
            // proto3 JSON: null means "not set", except where a google.protobuf.Value takes it.
            if case .null = member.value, !field.isRepeated, field.kind != .message(WellKnownType.value.rawValue) {
                continue
            }
            if let oneof = field.oneof {
                if let other = keyForOneof[oneof] {
                    throw ConfigError(fieldPath, "'\(other)' is already set; only one field of oneof '\(oneof)' may be")
                }
                keyForOneof[oneof] = member.key
            }
            var inner = Context(reportUnimplemented: context.reportUnimplemented)
            inner.optionalExtension = optionalFilter && field.name == "typed_config"
            if context.reportUnimplemented, unimplementedFields.contains(field.fullName), isSet(member.value, field) {
                warnings.append(.notImplemented(at: fieldPath))
                inner.reportUnimplemented = false
            }
            out.append(ConfigMember(member.key, try fieldValue(member.value, field, at: fieldPath, inner)))
        }
        return .object(out)
    }

    private mutating func fieldValue(_ value: ConfigValue, _ field: ProtoSchema.Field, at path: ConfigPath, _ context: Context) throws(ConfigError) -> ConfigValue {
        if let map = field.map {
            if case .null = value { return .object([]) }
            guard case .object(let entries) = value else {
                throw ConfigError(path, "expected an object (a map), got \(value.shortDescription)")
            }
            var out: [ConfigMember] = []
            for entry in entries {
                let entryPath = path.appending(key: entry.key)
                try checkMapKey(entry.key, kind: map.key, at: entryPath)
                out.append(ConfigMember(entry.key, try singular(entry.value, kind: map.value, at: entryPath, context)))
            }
            return .object(out)
        }
        if field.isRepeated {
            if case .null = value { return .array([]) }
            guard case .array(let elements) = value else {
                throw ConfigError(path, "expected a list, got \(value.shortDescription)")
            }
            var out: [ConfigValue] = []
            out.reserveCapacity(elements.count)
            for (index, element) in elements.enumerated() {
                out.append(try singular(element, kind: field.kind, at: path.appending(index: index), context))
            }
            return .array(out)
        }
        return try singular(value, kind: field.kind, at: path, context)
    }

    mutating func singular(_ value: ConfigValue, kind: ProtoSchema.Kind, at path: ConfigPath, _ context: Context) throws(ConfigError) -> ConfigValue {
        if case .null = value, kind != .message(WellKnownType.value.rawValue), kind != .enumeration("google.protobuf.NullValue") {
            throw ConfigError(path, "null is not allowed here")
        }
        switch kind {
        case .message(let type): return try message(value, type: type, at: path, context)
        case .enumeration(let type): return try enumValue(value, type: type, at: path)
        case .string: return try stringValue(value, at: path)
        case .bool: return try boolValue(value, at: path)
        case .int32, .int64, .uint32, .uint64: return try integerValue(value, kind: kind, at: path)
        case .double, .float: return try floatValue(value, kind: kind, at: path)
        case .bytes: return try bytesValue(value, at: path)
        }
    }

    // MARK: - Field presence and names

    /// Whether a field counts as set for the not-implemented warning: a message (or oneof member)
    /// that is present, a non-empty list or map, or a scalar other than its default.
    private func isSet(_ value: ConfigValue, _ field: ProtoSchema.Field) -> Bool {
        switch value {
        case .null: return false
        case .array(let elements): return !elements.isEmpty
        case .object(let members): return field.map == nil || !members.isEmpty
        default: break
        }
        if field.oneof != nil { return true }
        switch (field.kind, value) {
        case (.message, _): return true
        case (.enumeration(let type), .string(let name)): return schema.enums[type]?.numbers[name] != 0
        case (_, .string(let string)): return !string.isEmpty
        case (_, .bool(let flag)): return flag
        case (_, .number(let number)): return number.doubleValue != 0
        default: return true
        }
    }

    private func isOptionalFilter(_ members: [ConfigMember]) -> Bool {
        members.contains { ($0.key == "is_optional" || $0.key == "isOptional") && $0.value == .bool(true) }
    }

    private func unknownFieldMessage(_ key: String, in descriptor: ProtoSchema.Message) -> String {
        var text = "unknown field (\(descriptor.fullName) has no field '\(key)' in Tern's schema)"
        if let suggestion = closestFieldName(to: key, in: descriptor) {
            text += "; did you mean '\(suggestion)'?"
        }
        return text
    }

    private func closestFieldName(to key: String, in descriptor: ProtoSchema.Message) -> String? {
        let camel = key.contains(where: \.isUppercase)
        var best: (name: String, distance: Int)?
        for field in descriptor.fields {
            let distance = min(
                Self.editDistance(key.lowercased(), field.name),
                Self.editDistance(key.lowercased(), field.jsonName.lowercased()))
            if distance < (best?.distance ?? Int.max) {
                best = (camel ? field.jsonName : field.name, distance)
            }
        }
        guard let best, best.distance <= max(1, min(3, key.count / 3)) else { return nil }
        return best.name
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
