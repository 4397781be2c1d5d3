"""C++ code generation for protos with Debian's protoc and grpc_cpp_plugin.

Bazel's native proto rules would need @com_google_protobuf built from source;
offline we run the system protoc in a genrule instead.
"""

def entente_cc_proto(name, srcs, proto_deps = [], deps = [], grpc = False, visibility = None):
    """Generates and compiles C++ code for `srcs`.

    Args:
      name: name of the resulting cc_library.
      srcs: .proto files of this package.
      proto_deps: other .proto files that `srcs` import (their code comes from `deps`).
      deps: cc_library targets for the imported protos.
      grpc: also generate gRPC service stubs.
      visibility: visibility of the cc_library.
    """
    hdrs = []
    cc_srcs = []
    for src in srcs:
        base = src[:-len(".proto")]
        hdrs.append(base + ".pb.h")
        cc_srcs.append(base + ".pb.cc")
        if grpc:
            hdrs.append(base + ".grpc.pb.h")
            cc_srcs.append(base + ".grpc.pb.cc")

    cmd = "/usr/bin/protoc -I. --cpp_out=$(GENDIR)"
    if grpc:
        cmd += " --plugin=protoc-gen-grpc=/usr/bin/grpc_cpp_plugin --grpc_out=$(GENDIR)"
    cmd += " " + " ".join(["$(location %s)" % s for s in srcs])

    native.genrule(
        name = name + "_gen",
        srcs = srcs + proto_deps,
        outs = hdrs + cc_srcs,
        cmd = cmd,
    )
    lib_deps = deps + ["@com_google_protobuf//:protobuf"]
    if grpc:
        lib_deps.append("@com_github_grpc_grpc//:grpc++")
    native.cc_library(
        name = name,
        srcs = cc_srcs,
        hdrs = hdrs,
        deps = lib_deps,
        visibility = visibility,
    )
