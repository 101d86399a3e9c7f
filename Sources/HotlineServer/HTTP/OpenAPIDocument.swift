public import Foundation

/// The OpenAPI 3 document of the HTTP API (`openapi.json`, a resource of this module), served at
/// `/openapi.json` and checked against the router by the tests.
public enum OpenAPIDocument {
    /// The document's bytes.
    /// - Throws: If the resource is missing from the bundle.
    public static func data() throws -> Data {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "openapi.json is missing from the HotlineServer bundle"])
        }
        return try Data(contentsOf: url)
    }

    /// The documented operations as `"METHOD /path/{param}"`, e.g. `"GET /api/v1/workorders/{id}"`.
    /// - Throws: If the document is missing or not JSON with `paths`.
    public static func operations() throws -> Set<String> {
        guard let root = try JSONSerialization.jsonObject(with: data()) as? [String: Any],
              let paths = root["paths"] as? [String: Any] else {
            throw CocoaError(.coderReadCorrupt, userInfo: [NSLocalizedDescriptionKey: "openapi.json has no 'paths' object"])
        }
        var operations = Set<String>()
        let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options"]
        for (path, item) in paths {
            guard let item = item as? [String: Any] else { continue }
            for key in item.keys where methods.contains(key) { operations.insert("\(key.uppercased()) \(path)") }
        }
        return operations
    }
}

/// The documented paths as templates, to tell "no such path" (404) from "other method" (405).
struct DocumentedRoutes: Sendable {
    private let templates: [(components: [Substring], methods: [String])]

    init(operations: Set<String>) {
        var byPath: [String: [String]] = [:]
        for operation in operations {
            let parts = operation.split(separator: " ", maxSplits: 1)
            guard parts.count == 2 else { continue }
            byPath[String(parts[1]), default: []].append(String(parts[0]))
        }
        templates = byPath.map { (path, methods) in (path.split(separator: "/"), methods.sorted()) }
    }

    func methods(forPath path: String) -> [String] {
        let components = path.split(separator: "/")
        for template in templates where template.components.count == components.count {
            let matches = zip(template.components, components).allSatisfy { pattern, component in
                pattern.hasPrefix("{") || pattern == component
            }
            if matches { return template.methods }
        }
        return []
    }
}
