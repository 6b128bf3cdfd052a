import ArgumentParser
import Stages
import Training

/// A subcommand whose parameters are a stage's `StageSpec`: each `@Option`/`@Flag` named like a spec key
/// (`batchSize` ↔ `batch_size`) takes its default and help from the spec, and `validate()` resolves the parsed
/// values through the same `StageSpec.resolve` the runner uses, so ranges and choices are checked once and an
/// error names the flag (`--batch-size`). Options that are not spec keys are the command line's plumbing (input
/// and output paths, threads, resume), listed in `plumbing` so that the spec test can tell them from drift.
protocol SpecCommand: ParsableArguments {
    static var spec: StageSpec { get }
    /// Option keys (snake_case) of this command that are not stage parameters.
    static var plumbing: [String] { get }
}

extension SpecCommand {
    static var plumbing: [String] { [] }

    /// The parsed values of the spec's parameters, resolved (defaults filled, ranges and choices checked).
    func parameters() throws -> StageParameters {
        do {
            return try Self.spec.resolve(specValues(of: self, keys: Set(Self.spec.keys)), door: .commandLine)
        } catch {
            throw ValidationError(error.description)
        }
    }

    func validate() throws { _ = try parameters() }
}

/// `"a,b,c"` on the command line, a list of strings in a config (`--runs svm-late-visual,tagprop-visual`).
struct CommaList: ExpressibleByArgument, ParameterValue, Sendable {
    var items: [String]

    init(_ items: [String]) { self.items = items }
    init?(argument: String) { items = argument.split(separator: ",").map(String.init) }
    init?(json: JSONValue) {
        guard let items = [String](json: json) else { return nil }
        self.items = items
    }
    var json: JSONValue { items.json }
    var defaultValueDescription: String { items.joined(separator: ",") }
}

/// `"0.1,1,10"` on the command line, a list of numbers in a config (`--svm-costs 0.1,1,10`).
struct NumberList: ExpressibleByArgument, ParameterValue, Sendable {
    var items: [Double]

    init(_ items: [Double]) { self.items = items }
    init?(argument: String) {
        let parsed = argument.split(separator: ",").map { Double(String($0)) }
        guard !parsed.isEmpty, parsed.allSatisfy({ $0 != nil }) else { return nil }
        items = parsed.map { $0! }
    }
    init?(json: JSONValue) {
        guard case let .array(values) = json else { return nil }
        items = values.compactMap { Double(json: $0) }
        guard items.count == values.count else { return nil }
    }
    var json: JSONValue { .array(items.map { .double($0) }) }
    var defaultValueDescription: String { items.map { "\($0)" }.joined(separator: ",") }
}

/// The values of `command`'s options whose property names are `keys` in camelCase, recursing into option groups.
/// Reflection reads the property wrappers' values after parsing; a property that is not a spec key is skipped.
func specValues(of command: Any, keys: Set<String>) -> [String: JSONValue] {
    var values: [String: JSONValue] = [:]
    for child in Mirror(reflecting: command).children {
        guard let label = child.label, label.hasPrefix("_"), let wrapper = child.value as? ParsedValue else { continue }
        let value = wrapper.parsedValue
        if wrapper is ParsedGroup {
            values.merge(specValues(of: value, keys: keys)) { a, _ in a }
            continue
        }
        let key = snakeCase(String(label.dropFirst()))
        guard keys.contains(key) else { continue }
        values[key] = json(of: value)
    }
    return values
}

/// `batchSize` → `batch_size`.
func snakeCase(_ name: String) -> String {
    var out = ""
    for c in name {
        if c.isUppercase { out += "_" + c.lowercased() } else { out.append(c) }
    }
    return out
}

private func json(of value: Any) -> JSONValue {
    if let v = value as? ParameterValue { return v.json }
    return .null  // an optional left out
}

/// The parsed value behind an ArgumentParser property wrapper.
private protocol ParsedValue { var parsedValue: Any { get } }
private protocol ParsedGroup {}

extension Option: ParsedValue { fileprivate var parsedValue: Any { wrappedValue } }
extension Flag: ParsedValue { fileprivate var parsedValue: Any { wrappedValue } }
extension OptionGroup: ParsedValue, ParsedGroup { fileprivate var parsedValue: Any { wrappedValue } }

extension TrainingOptions.Optimizer: ExpressibleByArgument {}
