import NightjarCore

/// Every operator the engine runs, keyed by (domain, op type, opset range). Loading a model looks
/// each node up here, so an unsupported node is refused at load time, never at request time.
struct OperatorTable {
    typealias Factory = @Sendable (NodeAttributes) throws(NightjarError) -> any Kernel

    struct Entry: Sendable {
        let domain: String
        let opType: String
        let opsets: ClosedRange<Int>
        let make: Factory
    }

    static let onnx = "ai.onnx"
    static let ml = "ai.onnx.ml"

    static let entries: [Entry] = [
        Entry(domain: onnx, opType: "Identity", opsets: 1...23) { (_) throws(NightjarError) -> any Kernel in IdentityKernel() },
        Entry(domain: onnx, opType: "Cast", opsets: 6...23) { (a) throws(NightjarError) -> any Kernel in try CastKernel(a) },
        Entry(domain: onnx, opType: "ArgMax", opsets: 1...23) { (a) throws(NightjarError) -> any Kernel in try ArgMaxKernel(a) },
        Entry(domain: onnx, opType: "MatMul", opsets: 1...23) { (_) throws(NightjarError) -> any Kernel in MatMulKernel() },
        Entry(domain: onnx, opType: "Gemm", opsets: 1...23) { (a) throws(NightjarError) -> any Kernel in try GemmKernel(a) },
        Entry(domain: onnx, opType: "Softmax", opsets: 1...12) { (a) throws(NightjarError) -> any Kernel in try SoftmaxKernel(a, opset: 12, log: false) },
        Entry(domain: onnx, opType: "Softmax", opsets: 13...23) { (a) throws(NightjarError) -> any Kernel in try SoftmaxKernel(a, opset: 13, log: false) },
        Entry(domain: onnx, opType: "LogSoftmax", opsets: 1...12) { (a) throws(NightjarError) -> any Kernel in try SoftmaxKernel(a, opset: 12, log: true) },
        Entry(domain: onnx, opType: "LogSoftmax", opsets: 13...23) { (a) throws(NightjarError) -> any Kernel in try SoftmaxKernel(a, opset: 13, log: true) },
        Entry(domain: onnx, opType: "Reshape", opsets: 5...23) { (a) throws(NightjarError) -> any Kernel in try ReshapeKernel(a) },
        Entry(domain: onnx, opType: "Flatten", opsets: 1...23) { (a) throws(NightjarError) -> any Kernel in try FlattenKernel(a) },
        Entry(domain: onnx, opType: "Squeeze", opsets: 1...12) { (a) throws(NightjarError) -> any Kernel in try SqueezeKernel(a, opset: 12, unsqueeze: false) },
        Entry(domain: onnx, opType: "Squeeze", opsets: 13...23) { (a) throws(NightjarError) -> any Kernel in try SqueezeKernel(a, opset: 13, unsqueeze: false) },
        Entry(domain: onnx, opType: "Unsqueeze", opsets: 1...12) { (a) throws(NightjarError) -> any Kernel in try SqueezeKernel(a, opset: 12, unsqueeze: true) },
        Entry(domain: onnx, opType: "Unsqueeze", opsets: 13...23) { (a) throws(NightjarError) -> any Kernel in try SqueezeKernel(a, opset: 13, unsqueeze: true) },
        Entry(domain: onnx, opType: "Concat", opsets: 4...23) { (a) throws(NightjarError) -> any Kernel in try ConcatKernel(a) },
        Entry(domain: onnx, opType: "Transpose", opsets: 1...23) { (a) throws(NightjarError) -> any Kernel in try TransposeKernel(a) },
        Entry(domain: onnx, opType: "Shape", opsets: 1...23) { (a) throws(NightjarError) -> any Kernel in try ShapeKernel(a) },
        Entry(domain: ml, opType: "ArrayFeatureExtractor", opsets: 1...5) { (_) throws(NightjarError) -> any Kernel in ArrayFeatureExtractorKernel() },
        Entry(domain: onnx, opType: "ArgMin", opsets: 1...23) { (a) throws(NightjarError) -> any Kernel in try ArgMaxKernel(a, minimum: true) },
        Entry(domain: onnx, opType: "Constant", opsets: 1...23) { (a) throws(NightjarError) -> any Kernel in try ConstantKernel(a) },
        Entry(domain: onnx, opType: "ConstantOfShape", opsets: 9...23) { (a) throws(NightjarError) -> any Kernel in try ConstantOfShapeKernel(a) },
        Entry(domain: onnx, opType: "Gather", opsets: 1...23) { (a) throws(NightjarError) -> any Kernel in try GatherKernel(a) },
        Entry(domain: onnx, opType: "Slice", opsets: 1...9) { (a) throws(NightjarError) -> any Kernel in try SliceKernel(a, opset: 9) },
        Entry(domain: onnx, opType: "Slice", opsets: 10...23) { (a) throws(NightjarError) -> any Kernel in try SliceKernel(a, opset: 10) },
        Entry(domain: onnx, opType: "Split", opsets: 2...12) { (a) throws(NightjarError) -> any Kernel in try SplitKernel(a, opset: 12) },
        Entry(domain: onnx, opType: "Split", opsets: 13...23) { (a) throws(NightjarError) -> any Kernel in try SplitKernel(a, opset: 13) },
        Entry(domain: onnx, opType: "Expand", opsets: 8...23) { (_) throws(NightjarError) -> any Kernel in ExpandKernel() },
        Entry(domain: onnx, opType: "Tile", opsets: 6...23) { (_) throws(NightjarError) -> any Kernel in TileKernel() },
        Entry(domain: onnx, opType: "Range", opsets: 11...23) { (_) throws(NightjarError) -> any Kernel in RangeKernel() },
        Entry(domain: onnx, opType: "Size", opsets: 1...23) { (_) throws(NightjarError) -> any Kernel in SizeKernel() },
        Entry(domain: onnx, opType: "Dropout", opsets: 1...23) { (_) throws(NightjarError) -> any Kernel in DropoutKernel() },
        Entry(domain: onnx, opType: "CastLike", opsets: 15...23) { (_) throws(NightjarError) -> any Kernel in CastLikeKernel() },
        Entry(domain: onnx, opType: "IsNaN", opsets: 9...23) { (a) throws(NightjarError) -> any Kernel in try ClassifyKernel(nan: true, a) },
        Entry(domain: onnx, opType: "IsInf", opsets: 10...23) { (a) throws(NightjarError) -> any Kernel in try ClassifyKernel(nan: false, a) },
        Entry(domain: onnx, opType: "Clip", opsets: 6...10) { (a) throws(NightjarError) -> any Kernel in try ClipKernel(a, opset: 10) },
        Entry(domain: onnx, opType: "Clip", opsets: 11...23) { (a) throws(NightjarError) -> any Kernel in try ClipKernel(a, opset: 11) },
        Entry(domain: onnx, opType: "Mod", opsets: 10...23) { (a) throws(NightjarError) -> any Kernel in try ModKernel(a) },
        Entry(domain: onnx, opType: "Where", opsets: 9...23) { (_) throws(NightjarError) -> any Kernel in WhereKernel() },
        Entry(domain: onnx, opType: "Not", opsets: 1...23) { (_) throws(NightjarError) -> any Kernel in LogicalKernel(op: .not) },
        Entry(domain: ml, opType: "SVMClassifier", opsets: 1...5) { (a) throws(NightjarError) -> any Kernel in try SVMClassifierKernel(a) },
        Entry(domain: ml, opType: "SVMRegressor", opsets: 1...5) { (a) throws(NightjarError) -> any Kernel in try SVMRegressorKernel(a) },
        Entry(domain: ml, opType: "Imputer", opsets: 1...5) { (a) throws(NightjarError) -> any Kernel in try ImputerKernel(a) },
        Entry(domain: ml, opType: "OneHotEncoder", opsets: 1...5) { (a) throws(NightjarError) -> any Kernel in try OneHotEncoderKernel(a) },
        Entry(domain: ml, opType: "Binarizer", opsets: 1...5) { (a) throws(NightjarError) -> any Kernel in try BinarizerKernel(a) },
        Entry(domain: ml, opType: "LabelEncoder", opsets: 1...1) { (a) throws(NightjarError) -> any Kernel in try LabelEncoderKernel(a, opset: 1) },
        Entry(domain: ml, opType: "LabelEncoder", opsets: 2...5) { (a) throws(NightjarError) -> any Kernel in try LabelEncoderKernel(a, opset: 2) },
        Entry(domain: ml, opType: "FeatureVectorizer", opsets: 1...5) { (a) throws(NightjarError) -> any Kernel in try FeatureVectorizerKernel(a) },
        Entry(domain: ml, opType: "Scaler", opsets: 1...5) { (a) throws(NightjarError) -> any Kernel in try ScalerKernel(a) },
        Entry(domain: ml, opType: "Normalizer", opsets: 1...5) { (a) throws(NightjarError) -> any Kernel in try NormalizerKernel(a) },
        Entry(domain: ml, opType: "LinearClassifier", opsets: 1...5) { (a) throws(NightjarError) -> any Kernel in try LinearClassifierKernel(a) },
        Entry(domain: ml, opType: "LinearRegressor", opsets: 1...5) { (a) throws(NightjarError) -> any Kernel in try LinearRegressorKernel(a) },
        Entry(domain: ml, opType: "ZipMap", opsets: 1...5) { (a) throws(NightjarError) -> any Kernel in try ZipMapKernel(a) },
        Entry(domain: ml, opType: "TreeEnsembleClassifier", opsets: 1...4) { (a) throws(NightjarError) -> any Kernel in try TreeEnsembleFactory.classifier(a) },
        Entry(domain: ml, opType: "TreeEnsembleRegressor", opsets: 1...4) { (a) throws(NightjarError) -> any Kernel in try TreeEnsembleFactory.regressor(a) },
        Entry(domain: ml, opType: "TreeEnsemble", opsets: 5...5) { (a) throws(NightjarError) -> any Kernel in try TreeEnsembleFactory.ensemble(a) },
    ]

    /// Convolutional and normalization layers, as PyTorch exports them.
    static let layers: [Entry] = [
        Entry(domain: onnx, opType: "Conv", opsets: 1...23) { (a) throws(NightjarError) -> any Kernel in try ConvKernel(a) },
        Entry(domain: onnx, opType: "MaxPool", opsets: 1...23) { (a) throws(NightjarError) -> any Kernel in try PoolKernel(.max, a, opset: 23) },
        Entry(domain: onnx, opType: "AveragePool", opsets: 1...18) { (a) throws(NightjarError) -> any Kernel in try PoolKernel(.average, a, opset: 18) },
        Entry(domain: onnx, opType: "AveragePool", opsets: 19...23) { (a) throws(NightjarError) -> any Kernel in try PoolKernel(.average, a, opset: 19) },
        Entry(domain: onnx, opType: "GlobalAveragePool", opsets: 1...23) { (_) throws(NightjarError) -> any Kernel in GlobalPoolKernel(average: true) },
        Entry(domain: onnx, opType: "GlobalMaxPool", opsets: 1...23) { (_) throws(NightjarError) -> any Kernel in GlobalPoolKernel(average: false) },
        Entry(domain: onnx, opType: "BatchNormalization", opsets: 6...23) { (a) throws(NightjarError) -> any Kernel in try BatchNormalizationKernel(a) },
        Entry(domain: onnx, opType: "InstanceNormalization", opsets: 6...23) { (a) throws(NightjarError) -> any Kernel in try InstanceNormalizationKernel(a) },
        Entry(domain: onnx, opType: "LayerNormalization", opsets: 17...23) { (a) throws(NightjarError) -> any Kernel in try LayerNormalizationKernel(a) },
        Entry(domain: onnx, opType: "Gelu", opsets: 20...23) { (a) throws(NightjarError) -> any Kernel in try GeluKernel(a) },
    ]

    /// Elementwise operators, one entry each; opset 7 brought numpy broadcasting, which is what runs.
    static let elementwise: [Entry] =
        [BinaryKernel.Op.add, .sub, .mul, .div].map { op in
            Entry(domain: onnx, opType: op.rawValue, opsets: 7...23) { (_) throws(NightjarError) -> any Kernel in BinaryKernel(op: op) }
        } + [Entry(domain: onnx, opType: "Pow", opsets: 7...23) { (_) throws(NightjarError) -> any Kernel in BinaryKernel(op: .pow) }]
        + [UnaryKernel.Op.relu, .sigmoid, .tanh, .abs, .neg, .exp, .log, .sqrt, .reciprocal, .floor, .ceil, .leakyRelu, .elu].map { op in
            Entry(domain: onnx, opType: op.rawValue, opsets: 6...23) { (a) throws(NightjarError) -> any Kernel in try UnaryKernel(op, a) }
        }
        + [UnaryKernel.Op.softplus, .softsign].map { op in
            Entry(domain: onnx, opType: op.rawValue, opsets: 1...23) { (a) throws(NightjarError) -> any Kernel in try UnaryKernel(op, a) }
        }
        + [Entry(domain: onnx, opType: "Erf", opsets: 9...23) { (a) throws(NightjarError) -> any Kernel in try UnaryKernel(.erf, a) }]
        + [UnaryKernel.Op.selu, .hardSigmoid].map { op in
            Entry(domain: onnx, opType: op.rawValue, opsets: 6...23) { (a) throws(NightjarError) -> any Kernel in try UnaryKernel(op, a) }
        }
        + [UnaryKernel.Op.tan, .asin, .acos, .atan].map { op in
            Entry(domain: onnx, opType: op.rawValue, opsets: 7...23) { (a) throws(NightjarError) -> any Kernel in try UnaryKernel(op, a) }
        }
        + [UnaryKernel.Op.sign, .sinh, .cosh, .asinh, .acosh, .atanh].map { op in
            Entry(domain: onnx, opType: op.rawValue, opsets: 9...23) { (a) throws(NightjarError) -> any Kernel in try UnaryKernel(op, a) }
        }
        + [Entry(domain: onnx, opType: "ThresholdedRelu", opsets: 10...23) { (a) throws(NightjarError) -> any Kernel in try UnaryKernel(.thresholdedRelu, a) },
           Entry(domain: onnx, opType: "Round", opsets: 11...23) { (a) throws(NightjarError) -> any Kernel in try UnaryKernel(.round, a) }]
        + [UnaryKernel.Op.sin, .cos].map { op in
            Entry(domain: onnx, opType: op.rawValue, opsets: 7...23) { (a) throws(NightjarError) -> any Kernel in try UnaryKernel(op, a) }
        }

    static let logic: [Entry] =
        [ComparisonKernel.Op.equal, .less, .greater].map { op in
            Entry(domain: onnx, opType: op.rawValue, opsets: 7...23) { (_) throws(NightjarError) -> any Kernel in ComparisonKernel(op: op) }
        }
        + [ComparisonKernel.Op.lessOrEqual, .greaterOrEqual].map { op in
            Entry(domain: onnx, opType: op.rawValue, opsets: 12...23) { (_) throws(NightjarError) -> any Kernel in ComparisonKernel(op: op) }
        }
        + [LogicalKernel.Op.and, .or, .xor].map { op in
            Entry(domain: onnx, opType: op.rawValue, opsets: 7...23) { (_) throws(NightjarError) -> any Kernel in LogicalKernel(op: op) }
        }
        + [VariadicKernel.Op.sum, .max, .min, .mean].map { op in
            Entry(domain: onnx, opType: op.rawValue, opsets: 8...23) { (_) throws(NightjarError) -> any Kernel in VariadicKernel(op: op) }
        }

    static let reductions: [Entry] =
        [Entry(domain: onnx, opType: "ReduceSum", opsets: 1...12) { (a) throws(NightjarError) -> any Kernel in try ReduceKernel(.sum, a, axesAsInput: false) },
         Entry(domain: onnx, opType: "ReduceSum", opsets: 13...23) { (a) throws(NightjarError) -> any Kernel in try ReduceKernel(.sum, a, axesAsInput: true) }]
        + [ReduceKernel.Op.mean, .max, .min, .prod, .sumSquare, .logSum, .logSumExp, .l1, .l2].flatMap { op in [
            Entry(domain: onnx, opType: op.rawValue, opsets: 1...17) { (a) throws(NightjarError) -> any Kernel in try ReduceKernel(op, a, axesAsInput: false) },
            Entry(domain: onnx, opType: op.rawValue, opsets: 18...23) { (a) throws(NightjarError) -> any Kernel in try ReduceKernel(op, a, axesAsInput: true) },
        ] }

    static let all: [Entry] = entries + layers + elementwise + logic + reductions

    /// The ONNX default domain has two spellings.
    static func canonical(domain: String) -> String {
        domain.isEmpty ? onnx : domain
    }

    static func lookup(domain: String, opType: String, opset: Int) -> Entry? {
        let d = canonical(domain: domain)
        return all.first { $0.domain == d && $0.opType == opType && $0.opsets.contains(opset) }
    }

    static func supports(domain: String, opType: String) -> [ClosedRange<Int>] {
        let d = canonical(domain: domain)
        return all.filter { $0.domain == d && $0.opType == opType }.map(\.opsets)
    }
}
