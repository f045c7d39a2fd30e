/// Files compiled into the binary (`.embedInCode` in Package.swift), so a `nightjar` copied anywhere
/// still has its themes and its demo: nothing is looked up beside the executable or in the
/// working directory. `BundledThemes` is a link to the repository's `themes/`.
enum BundledFiles {
    /// The themes in `themes/`, by name. A new theme file needs its line here; the end-to-end test
    /// `aCopiedBinaryHasItsThemesAndItsDemo` fails until it has one.
    static let themes: [String: [UInt8]] = [
        "colorblind": PackageResources.colorblind_toml,
        "default": PackageResources.default_toml,
        "high-contrast": PackageResources.high_contrast_toml,
        "light": PackageResources.light_toml,
        "mono": PackageResources.mono_toml,
    ]

    /// The demo's model versions and sample rows, by file name.
    static let demo: [String: [UInt8]] = [
        "fraud-1.0.0.onnx": PackageResources.fraud_1_0_0_onnx,
        "fraud-1.1.0.onnx": PackageResources.fraud_1_1_0_onnx,
        "fraud-sample.json": PackageResources.fraud_sample_json,
    ]
}
