import Foundation
@testable import Gateway
import NIOCore
import Testing

/// The sticky key read from a request body: the same client gives the same key however its request
/// is written, and a body without the input gives none (the request then takes the weighted draw).
@Suite struct StickyInputKeyTests {
    func key(_ json: String, _ call: WorkerCall = .infer, input: String = "user_id") -> String? {
        StickyInputKey.value(of: input, call: call, body: ByteBuffer(string: json), jsonLength: nil)
    }

    @Test func anOIPInputGivesItsFirstValueWhateverItsType() {
        #expect(key(#"{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]},{"name":"user_id","shape":[2,1],"datatype":"BYTES","data":[["u-7"],["u-8"]]}]}"#) == "u-7")
        #expect(key(#"{"inputs":[{"name":"user_id","shape":[1],"datatype":"INT64","data":[7]}]}"#) == "7")
        #expect(key(#"{"inputs":[{"name":"user_id","shape":[1],"datatype":"FP64","data":[7.0]}]}"#) == "7")
        #expect(key(#"{"inputs":[{"name":"user_id","shape":[1],"datatype":"FP64","data":[7.25]}]}"#) == "7.25")
    }

    @Test func aBodyWithoutTheInputOrUnreadableHasNoKey() {
        #expect(key(#"{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[1]}]}"#) == nil)
        #expect(key(#"{"inputs":[{"name":"user_id","shape":[0],"datatype":"INT64","data":[]}]}"#) == nil)
        #expect(key(#"{"inputs": 3}"#) == nil)
        #expect(key("not json") == nil)
        #expect(key("amount,user_id\n1,u-7\n", .invocations) == nil)
        #expect(key(#"{"inputs":[{"name":"user_id","data":["u"]}]}"#, .modelMetadata) == nil)
    }

    @Test func aBinaryTensorIsReadAfterTheJSONHeaderAndThePrecedingTensors() throws {
        let header = #"{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","parameters":{"binary_data_size":8}},"#
            + #"{"name":"user_id","shape":[1,1],"datatype":"BYTES","parameters":{"binary_data_size":7}},"#
            + #"{"name":"tenant","shape":[1],"datatype":"INT64","parameters":{"binary_data_size":8}}]}"#
        var body = ByteBuffer(string: header)
        body.writeInteger(Float(1).bitPattern, endianness: .little)
        body.writeInteger(Float(2).bitPattern, endianness: .little)
        body.writeInteger(UInt32(3), endianness: .little)
        body.writeString("u-7")
        body.writeInteger(Int64(42), endianness: .little)
        let length = header.utf8.count
        #expect(StickyInputKey.value(of: "user_id", call: .infer, body: body, jsonLength: length) == "u-7")
        #expect(StickyInputKey.value(of: "tenant", call: .infer, body: body, jsonLength: length) == "42")
        #expect(StickyInputKey.value(of: "x", call: .infer, body: body, jsonLength: length) == "1")
        // A tensor that claims more bytes than the body has gives no key rather than reading past it.
        let short = body.getSlice(at: 0, length: body.readableBytes - 4)!
        #expect(StickyInputKey.value(of: "tenant", call: .infer, body: short, jsonLength: length) == nil)
    }

    @Test func everyMLflowFormatGivesTheFirstRowsValue() {
        #expect(key(#"{"dataframe_split":{"columns":["amount","user_id"],"data":[[1.5,"u-7"],[2.5,"u-8"]]}}"#, .invocations) == "u-7")
        #expect(key(#"{"dataframe_records":[{"amount":1.5,"user_id":"u-7"},{"user_id":"u-8"}]}"#, .invocations) == "u-7")
        #expect(key(#"{"instances":[{"user_id":7}]}"#, .invocations) == "7")
        #expect(key(#"{"inputs":{"user_id":["u-7","u-8"],"amount":[1,2]}}"#, .invocations) == "u-7")
        #expect(key(#"{"dataframe_split":{"columns":["amount"],"data":[[1.5]]}}"#, .invocations) == nil)
        #expect(key(#"{"instances":[[1.5,2.5]]}"#, .invocations) == nil)
    }

    @Test func aBooleanKeysAlikeInOIPAndMLflowAndApartFromOne() {
        #expect(key(#"{"inputs":[{"name":"user_id","shape":[1],"datatype":"BOOL","data":[true]}]}"#) == "true")
        #expect(key(#"{"dataframe_records":[{"user_id":true}]}"#, .invocations) == "true")
        #expect(key(#"{"dataframe_split":{"columns":["user_id"],"data":[[false]]}}"#, .invocations) == "false")
        #expect(key(#"{"dataframe_records":[{"user_id":1}]}"#, .invocations) == "1")
    }
}
