# etcd's v3 API as protobuf-c, for storage/etcd_client.c: generated at build time from the
# .proto files Debian's golang-etcd-server-dev (3.4) ships, never committed.
#
# Those files import gogoproto/gogo.proto (Go code-generation options) and
# google/api/annotations.proto (grpc-gateway's HTTP routes). Neither changes a byte on the
# wire and protoc-c keeps no options, so strip_etcd_proto.cmake copies each file without
# them into the build tree, keeping etcd's own import paths ("etcd/mvcc/mvccpb/kv.proto"),
# and protoc-c compiles the copies. Generated headers are included as
# "etcd/etcdserver/etcdserverpb/rpc.pb-c.h".
set(ETCD_PROTO_ROOT /usr/share/gocode/src/go.etcd.io)
set(ETCD_PROTO_SRC ${CMAKE_CURRENT_BINARY_DIR}/gen-etcd-src)
set(GEN_ETCD ${CMAKE_CURRENT_BINARY_DIR}/gen-etcd)
file(MAKE_DIRECTORY ${ETCD_PROTO_SRC} ${GEN_ETCD})
set(ETCD_PROTOS etcd/auth/authpb/auth etcd/mvcc/mvccpb/kv etcd/etcdserver/etcdserverpb/rpc)

set(ETCD_STRIPPED)
foreach(p ${ETCD_PROTOS})
  add_custom_command(
    OUTPUT ${ETCD_PROTO_SRC}/${p}.proto
    COMMAND ${CMAKE_COMMAND} -DSRC=${ETCD_PROTO_ROOT}/${p}.proto -DOUT=${ETCD_PROTO_SRC}/${p}.proto
            -P ${CMAKE_CURRENT_SOURCE_DIR}/strip_etcd_proto.cmake
    DEPENDS ${ETCD_PROTO_ROOT}/${p}.proto ${CMAKE_CURRENT_SOURCE_DIR}/strip_etcd_proto.cmake
    COMMENT "strip gogoproto and google.api options from ${p}.proto")
  list(APPEND ETCD_STRIPPED ${ETCD_PROTO_SRC}/${p}.proto)
endforeach()

set(ETCD_PBC_SRCS)
foreach(p ${ETCD_PROTOS})
  get_filename_component(name ${p} NAME)
  get_filename_component(dir ${p} DIRECTORY)
  add_custom_command(
    OUTPUT ${GEN_ETCD}/${p}.pb-c.c ${GEN_ETCD}/${p}.pb-c.h
    COMMAND protoc -I${ETCD_PROTO_SRC} --c_out=${GEN_ETCD}
            --dependency_out=${GEN_ETCD}/${dir}/${name}.d ${ETCD_PROTO_SRC}/${p}.proto
    DEPENDS ${ETCD_STRIPPED}
    COMMENT "protoc-c ${p}.proto")
  list(APPEND ETCD_PBC_SRCS ${GEN_ETCD}/${p}.pb-c.c)
endforeach()

add_library(hangar_etcd_proto STATIC ${ETCD_PBC_SRCS})
target_include_directories(hangar_etcd_proto PUBLIC ${GEN_ETCD})
target_link_libraries(hangar_etcd_proto PUBLIC PkgConfig::PROTOBUFC)
target_compile_options(hangar_etcd_proto PRIVATE -Wno-unused-parameter)
