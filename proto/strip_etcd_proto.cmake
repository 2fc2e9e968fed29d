# Copies one of etcd's .proto files (as Debian's golang-etcd-server-dev ships it) with what
# only Go's toolchain reads taken out, so protoc-c compiles it with no other package's
# .proto files (proto/etcd.cmake says why):
#   - gogoproto: `import "gogoproto/gogo.proto"` and every file-level `option (gogoproto.x)`
#     (etcd 3.4 sets no field-level gogoproto options in rpc.proto, kv.proto or auth.proto;
#     one would fail protoc here, naming the option, rather than pass unnoticed);
#   - grpc-gateway: `import "google/api/annotations.proto"` and each method's
#     `option (google.api.http) = {...};` block.
# Messages, fields, numbers and services are left byte for byte as etcd wrote them. Besides the
# copy it writes a depfile (OUT.d) naming the original, which scripts/check-deps reads to
# find the package the .proto came from.
#
#   cmake -DSRC=/usr/share/gocode/src/go.etcd.io/etcd/mvcc/mvccpb/kv.proto -DOUT=.../kv.proto
#         -P strip_etcd_proto.cmake
file(READ ${SRC} text)
string(REGEX REPLACE "import \"gogoproto/gogo.proto\";\n" "" text "${text}")
string(REGEX REPLACE "import \"google/api/annotations.proto\";\n" "" text "${text}")
string(REGEX REPLACE "option \\(gogoproto\\.[a-z_]+\\) = [a-z]+;\n" "" text "${text}")
# One level of nested braces: some methods add additional_bindings { ... }.
string(REGEX REPLACE "option \\(google\\.api\\.http\\) = {([^{}]|{[^{}]*})*};" "" text "${text}")
foreach(left gogoproto google.api)
  string(FIND "${text}" "(${left}." at)
  if(NOT at EQUAL -1)
    message(FATAL_ERROR "strip_etcd_proto: ${SRC} still uses (${left}.*) after stripping")
  endif()
endforeach()
file(WRITE ${OUT} "${text}")
file(WRITE ${OUT}.d "${OUT}: ${SRC}\n")
