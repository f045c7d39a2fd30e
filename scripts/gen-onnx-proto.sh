#!/usr/bin/env bash
# Regenerates Sources/ONNXProto/onnx-ml.pb.swift from the onnx-ml.proto that ships with the `onnx`
# Python package. The result is committed; the normal build never runs protoc.
#
# Needs: Debian's protobuf-compiler (protoc), python3 with `onnx` installed, and a Swift toolchain to
# build protoc-gen-swift from swift-protobuf at the version Package.swift resolves.
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFT_PROTOBUF_VERSION="${SWIFT_PROTOBUF_VERSION:-1.39.0}"
command -v protoc >/dev/null || { echo "protoc missing: apt-get install protobuf-compiler" >&2; exit 1; }
proto_dir="$(python3 -c 'import onnx, os; print(os.path.dirname(onnx.__file__))')"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git clone -q --branch "$SWIFT_PROTOBUF_VERSION" https://github.com/apple/swift-protobuf "$work/swift-protobuf"
(cd "$work/swift-protobuf" && swift build -c release --product protoc-gen-swift >/dev/null)
plugin="$work/swift-protobuf/.build/release/protoc-gen-swift"

mkdir -p "$work/out"
protoc --plugin=protoc-gen-swift="$plugin" \
    --swift_opt=Visibility=Public \
    --swift_out="$work/out" \
    -I "$proto_dir" "$proto_dir/onnx-ml.proto"
cp "$work/out/onnx-ml.pb.swift" Sources/ONNXProto/onnx-ml.pb.swift
echo "wrote Sources/ONNXProto/onnx-ml.pb.swift from $proto_dir/onnx-ml.proto ($(python3 -c 'import onnx; print(onnx.__version__)'))"
