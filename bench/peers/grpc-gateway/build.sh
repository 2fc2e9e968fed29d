#!/bin/sh
# build.sh - builds grpc-gateway-peer offline from Debian packages (scripts/deps/bench.packages):
# protoc with protoc-gen-go (golang-goprotobuf-dev) and protoc-gen-grpc-gateway
# (golang-grpc-gateway 1.6.4) generate the Go code of proto/hangar/resources/v1/ktrlplane.proto
# and of its HTTP rules (ktrlplane.yaml) into the build tree, then `go build` in GOPATH mode
# (GO111MODULE=off) against /usr/share/gocode, so no module proxy is ever asked.
#
# Usage: bench/peers/grpc-gateway/build.sh OUT_DIR   -> OUT_DIR/grpc-gateway-peer
# Generated code and the Go build cache stay under OUT_DIR; nothing is written to the source tree.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
out=$(mkdir -p "$1" && cd "$1" && pwd)
gopath=$out/gopath
src=$gopath/src

# Up to date: the binary is newer than every input.
if [ -x "$out/grpc-gateway-peer" ] &&
  [ -z "$(find "$here" "$repo/proto/hangar/resources/v1/ktrlplane.proto" \
    "$repo/proto/hangar/json/v1/json.proto" "$repo/proto/hangar/rpc/v1/violations.proto" -newer "$out/grpc-gateway-peer" -type f)" ]; then
  exit 0
fi

rm -rf "$src/hangar" "$src/grpc-gateway-peer"
mkdir -p "$src/grpc-gateway-peer"
# Our protos carry no go_package: name each Go import path here, and map field_mask to the
# genproto package of Debian's APIv1 protobuf (its .proto names the APIv2 one, not packaged).
map="Mhangar/json/v1/json.proto=hangar/json/v1,Mhangar/rpc/v1/violations.proto=hangar/rpc/v1"
map="$map,Mhangar/resources/v1/ktrlplane.proto=hangar/resources/v1"
map="$map,Mgoogle/protobuf/field_mask.proto=google.golang.org/genproto/protobuf/field_mask"
# protoc-gen-go 1.3 takes one Go package per run.
protoc -I"$repo/proto" -I/usr/include --go_out="$map:$src" "$repo/proto/hangar/json/v1/json.proto"
protoc -I"$repo/proto" --go_out="$map:$src" "$repo/proto/hangar/rpc/v1/violations.proto"
protoc -I"$repo/proto" -I/usr/include \
  --go_out="plugins=grpc,$map:$src" \
  --grpc-gateway_out="logtostderr=true,grpc_api_configuration=$here/ktrlplane.yaml,$map:$src" \
  "$repo/proto/hangar/resources/v1/ktrlplane.proto"
cp "$here/main.go" "$src/grpc-gateway-peer/main.go"

cd "$src/grpc-gateway-peer"
GO111MODULE=off GOPATH="$gopath:/usr/share/gocode" GOCACHE="$out/go-cache" GOFLAGS= \
  GOPROXY=off go build -o "$out/grpc-gateway-peer" .
