// HeadOptions: the arguments of fastai's `create_head` (0.7's `fc_model`) that a config can set.

public struct HeadOptions: Equatable, Sendable {
    /// Widths of the hidden Linear layers; fastai's default is one of 512.
    public var linFtrs: [Int]
    /// Dropout: nil for the version's default, one value (halved for hidden blocks in v1/v2,
    /// repeated unchanged in 0.7), or one value per block.
    public var ps: [Float]?
    public var concatPool: Bool
    public var bnFinal: Bool
    /// fastai2 only: false drops the first block's BatchNorm (its Linear then has a bias).
    public var firstBN: Bool
    /// fastai2 only: Linear before BatchNorm and Dropout in each block.
    public var linFirst: Bool

    public init(linFtrs: [Int] = [512], ps: [Float]? = nil, concatPool: Bool = true, bnFinal: Bool = false,
                firstBN: Bool = true, linFirst: Bool = false) {
        self.linFtrs = linFtrs
        self.ps = ps
        self.concatPool = concatPool
        self.bnFinal = bnFinal
        self.firstBN = firstBN
        self.linFirst = linFirst
    }

    /// The dropout of each block as the version computes it.
    func dropouts(blocks: Int, version: FastaiVersion) throws -> [Float] {
        guard let ps else { return [Float](repeating: 0.25, count: blocks - 1) + [0.5] }
        if ps.count == 1 {
            return version == .v07 ? [Float](repeating: ps[0], count: blocks)
                                   : [Float](repeating: ps[0] / 2, count: blocks - 1) + [ps[0]]
        }
        guard ps.count == blocks else {
            throw TransferError.badHead(reason: "ps has \(ps.count) values but the head has \(blocks) blocks"
                                        + " (lin_ftrs \(linFtrs) + the output layer); give one value or \(blocks)")
        }
        guard ps.allSatisfy({ $0 >= 0 && $0 < 1 }) else {
            throw TransferError.badHead(reason: "dropout probabilities \(ps) must be in [0, 1)")
        }
        return ps
    }
}
