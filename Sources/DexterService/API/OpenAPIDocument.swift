import OpenAPIRuntime

/// The document decoded once into the runtime's free-form object, for the route that serves it.
struct OpenAPIObjectContainerBox: Decodable {
    typealias Value = OpenAPIObjectContainer
    let value: Value
    init(from decoder: any Decoder) throws { value = try Value(from: decoder) }
}
