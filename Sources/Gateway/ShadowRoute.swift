import NightjarCore

/// A version that receives copies of an endpoint's traffic without answering anyone: its answers are
/// compared with the primary's and kept as `ShadowStats`, never returned to the client.
public struct ShadowRoute: Sendable, Equatable {
    public var version: SemVer
    /// Share of the endpoint's OIP inference requests mirrored to the shadow, 0 to 100.
    public var percent: Int

    public init(version: SemVer, percent: Int) {
        self.version = version
        self.percent = percent
    }
}
