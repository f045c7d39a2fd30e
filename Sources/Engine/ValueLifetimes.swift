/// When each value of a run dies, planned once at load: after step `i` the run forgets the values
/// in `dropped[i]` and hands the buffers in `recycled[i]` back to its arena for the next ones.
///
/// Only outputs of kernels that write fresh buffers (`Kernel.writesFreshOutputs`) are recycled, and
/// only once nothing can still hold them: any other kernel's output is assumed to share its buffer
/// with any of its inputs (a Reshape does), so a fresh buffer lives as long as the longest-lived
/// value that may share it, and never returns to the arena if a graph output may share it.
struct ValueLifetimes: Sendable {
    let dropped: [[String]]
    let recycled: [[String]]
    /// Arena buffers a graph output may share: they leave with the caller, so each run draws new ones.
    let escapingArenaBuffers: Int

    /// `keptBetweenRuns`: steps (by index) whose outputs something else holds across runs; their
    /// buffers are treated like an input's, never recycled.
    init(steps: [GraphPlan.Step], graphOutputs: Set<String>, keptBetweenRuns: Set<Int> = []) {
        var lastRead: [String: Int] = [:]
        for (index, step) in steps.enumerated() {
            for name in step.inputs where !name.isEmpty { lastRead[name] = index }
        }
        // For each value, the fresh buffers (named by the value that owns them) it may share.
        var shares: [String: Set<String>] = [:]
        var owners: [(name: String, step: Int)] = []
        var arenaOwners = Set<String>()
        var end: [String: Int] = [:]  // step after which a value is no longer read
        for (index, step) in steps.enumerated() {
            let fresh = step.kernel.writesFreshOutputs && !keptBetweenRuns.contains(index)
            let inherited = fresh
                ? Set<String>()
                : step.inputs.reduce(into: Set<String>()) { $0.formUnion(shares[$1] ?? []) }
            for name in step.outputs where !name.isEmpty {
                if fresh {
                    shares[name] = [name]
                    owners.append((name, index))
                    if step.kernel is any ArenaKernel { arenaOwners.insert(name) }
                } else {
                    shares[name] = inherited
                }
                end[name] = max(lastRead[name] ?? index, index)
            }
        }
        var dropped = [[String]](repeating: [], count: steps.count)
        var recycled = [[String]](repeating: [], count: steps.count)
        var deathOfBuffer: [String: Int] = [:]
        var escapes = Set<String>()
        for (name, owned) in shares {
            for owner in owned {
                if graphOutputs.contains(name) { escapes.insert(owner) }
                deathOfBuffer[owner] = max(deathOfBuffer[owner] ?? 0, end[name] ?? 0)
            }
        }
        let ownerNames = Set(owners.map(\.name))
        for (name, last) in end where !graphOutputs.contains(name) && !ownerNames.contains(name) {
            dropped[last].append(name)
        }
        for (owner, _) in owners where !escapes.contains(owner) {
            if let death = deathOfBuffer[owner] { recycled[death].append(owner) }
        }
        self.dropped = dropped
        self.recycled = recycled
        escapingArenaBuffers = escapes.intersection(arenaOwners).count
    }
}
