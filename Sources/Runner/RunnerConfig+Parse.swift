import Core
import Foundation
import Stages

// MARK: - Parsing the datasets and stages (the types are the stage contract in `Stages`)

extension RunnerDataset {
    static func parse(_ value: JSONValue, name: String, file: String) throws(RunnerConfigError) -> RunnerDataset {
        let at = "datasets.\(name)."
        var object = try value.object(file: file, key: "datasets.\(name)")
        guard let kind = try object.removeValue(forKey: "kind")?.string(file: file, key: at + "kind") else {
            throw .missingKey(file: file, key: at + "kind", hint: "one of " + (imageKinds + textKinds).joined(separator: ", "))
        }
        guard let allowed = keys[kind] else {
            throw .badValue(file: file, key: at + "kind", value: kind, rule: "must be one of " + (imageKinds + textKinds).joined(separator: ", "))
        }
        try JSONValue.checkKeys(object, allowed: ["kind"] + allowed.keys.sorted(), file: file, at: at)
        for (key, parameterKind) in allowed {
            guard let v = object[key] else { continue }
            if case let .failure(problem) = ParameterSpec(key, parameterKind, .null, "").check(v) {
                throw .parameter(ParameterError(door: .config(file: file, prefix: at), name: at + key, problem: problem))
            }
        }
        if kind == "csv" || kind == "folder" || kind == "tar", object["data"] == nil {
            throw .missingKey(file: file, key: at + "data", hint: "the \(kind == "csv" ? "CSV file" : kind == "tar" ? "archive" : "image folder")")
        }
        for key in ["limit", "count", "width", "height", "min_class_size"] {
            if case let .int(n)? = object[key], n < 1 { throw .badValue(file: file, key: at + key, value: "\(n)", rule: "must be at least 1") }
        }
        return RunnerDataset(name: name, kind: kind, parameters: object)
    }
}

extension RunnerStage {
    static func parse(_ value: JSONValue, index: Int, file: String, datasets: [String: RunnerDataset],
                      earlier: [RunnerStage], stageTypes: [RunnerStageType]) throws(RunnerConfigError) -> RunnerStage {
        let at = "stages[\(index)]"
        let object = try value.object(file: file, key: at)
        try JSONValue.checkKeys(object, allowed: keys, file: file, at: at + ".")
        guard let name = try object["name"]?.string(file: file, key: at + ".name"), !name.isEmpty else {
            throw .missingKey(file: file, key: at + ".name", hint: "a unique stage name (its folder under out)")
        }
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }), !name.hasPrefix(".") else {
            throw .badValue(file: file, key: at + ".name", value: name, rule: "use letters, digits, - _ . only (it names a folder)")
        }
        guard !earlier.contains(where: { $0.name == name }) else {
            throw .badValue(file: file, key: at + ".name", value: name, rule: "is already the name of an earlier stage")
        }
        guard let typeName = try object["type"]?.string(file: file, key: at + ".type") else {
            throw .missingKey(file: file, key: at + ".type", hint: "one of " + stageTypes.map(\.name).joined(separator: ", "))
        }
        guard let type = RunnerStageType.named(typeName, in: stageTypes) else {
            throw .badValue(file: file, key: at + ".type", value: typeName,
                            rule: "must be one of " + stageTypes.map(\.name).joined(separator: ", "))
        }
        var dataset: String?
        if let category = type.dataset {
            guard let d = try object["dataset"]?.string(file: file, key: at + ".dataset") else {
                throw .missingKey(file: file, key: at + ".dataset", hint: "the name of a \(category.rawValue) dataset under datasets")
            }
            guard let found = datasets[d] else {
                throw .badValue(file: file, key: at + ".dataset", value: d, rule: "names no dataset; define it under datasets")
            }
            guard found.category == category else {
                throw .badValue(file: file, key: at + ".dataset", value: d,
                                rule: "is a \(found.category.rawValue) dataset; stage type \(type.name) needs a \(category.rawValue) dataset")
            }
            dataset = d
        } else if object["dataset"] != nil {
            throw .unknownKey(file: file, key: at + ".dataset", allowed: keys.filter { $0 != "dataset" })
        }
        var inputs: [String: String] = [:]
        let given = try object["inputs"]?.object(file: file, key: at + ".inputs") ?? [:]
        try JSONValue.checkKeys(given, allowed: type.inputs.keys.sorted(), file: file, at: at + ".inputs.")
        for (role, producers) in type.inputs.sorted(by: { $0.key < $1.key }) {
            guard let source = try given[role]?.string(file: file, key: at + ".inputs.\(role)") else {
                if type.optionalInputs.contains(role) { continue }
                throw .missingKey(file: file, key: at + ".inputs.\(role)", hint: "the name of an earlier stage of type " + producers.joined(separator: " or "))
            }
            guard let producer = earlier.first(where: { $0.name == source }) else {
                throw .badValue(file: file, key: at + ".inputs.\(role)", value: source,
                                rule: "names no earlier stage (stages run in list order, so inputs must come first)")
            }
            guard producers.contains(producer.type.name) else {
                throw .badValue(file: file, key: at + ".inputs.\(role)", value: source,
                                rule: "is a \(producer.type.name) stage; \(type.name) needs " + producers.joined(separator: " or "))
            }
            inputs[role] = source
        }
        let params = try object["params"]?.object(file: file, key: at + ".params") ?? [:]
        let parameters: StageParameters
        do {
            parameters = try type.spec.resolve(params, door: .config(file: file, prefix: at + ".params."))
        } catch {
            throw .parameter(error)
        }
        return RunnerStage(name: name, type: type, dataset: dataset, inputs: inputs, parameters: parameters)
    }
}
