/// Tensor element types, named as the Open Inference Protocol v2 names them.
public enum DataType: String, Sendable, Codable, CaseIterable {
    case bool = "BOOL"
    case uint8 = "UINT8"
    case int8 = "INT8"
    case int32 = "INT32"
    case int64 = "INT64"
    case fp32 = "FP32"
    case fp64 = "FP64"
    case bytes = "BYTES"
}
