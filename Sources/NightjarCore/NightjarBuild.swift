/// The product's own version, reported by `nightjar --version` and in server metadata.
public enum NightjarBuild {
    public static let version = "0.1.0"
}
