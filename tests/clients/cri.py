#!/usr/bin/python3
"""A minimal CRI client (Kubernetes runtime API runtime.v1) for the
containerd tests: drives containerd's CRI plugin the way the kubelet does,
so that a pod runs with the runtime handler of contrib/containerd/config.toml
(the runc shim v2 with BinaryName = oci-rt).

Only the messages and fields used here are declared, built at run time
(no protoc): proto3 readers skip the fields they do not know.  Needs Debian's
python3-grpcio and python3-protobuf.

  cri.py SOCK version
  cri.py SOCK runp NAME CGROUP_PARENT LOGDIR HANDLER       -> pod sandbox id
  cri.py SOCK create POD NAME CGROUP_PARENT LOGDIR IMAGE CMD...  -> container id
  cri.py SOCK start|rm CID
  cri.py SOCK status CID                                   -> JSON
  cri.py SOCK exec CID CMD...                              -> JSON
  cri.py SOCK stop CID TIMEOUT
  cri.py SOCK stopp|rmp POD
Each call times out after $CRI_TIMEOUT seconds (default 30).  With
$CRI_SECCOMP set (e.g. runtime/default), runp and create ask for that seccomp
profile (seccomp_profile_path), as the kubelet does for a pod whose
seccompProfile is RuntimeDefault.
"""
import json
import os
import sys

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

PKG = "runtime.v1"
ENUMS = {
    "NamespaceMode": ["POD", "CONTAINER", "NODE", "TARGET"],
    "ContainerState": ["CONTAINER_CREATED", "CONTAINER_RUNNING", "CONTAINER_EXITED",
                       "CONTAINER_UNKNOWN"],
}
# message: [(field, number, type)], type: string bytes int32 int64 uint32,
# enum:NAME, msg:NAME, with "rep " in front for a repeated field.
MESSAGES = {
    "VersionRequest": [("version", 1, "string")],
    "VersionResponse": [("version", 1, "string"), ("runtime_name", 2, "string"),
                        ("runtime_version", 3, "string"), ("runtime_api_version", 4, "string")],
    "NamespaceOption": [("network", 1, "enum:NamespaceMode"), ("pid", 2, "enum:NamespaceMode"),
                        ("ipc", 3, "enum:NamespaceMode")],
    "LinuxSandboxSecurityContext": [("namespace_options", 1, "msg:NamespaceOption"),
                                    ("seccomp_profile_path", 7, "string")],
    "LinuxContainerSecurityContext": [("seccomp_profile_path", 10, "string")],
    "LinuxContainerConfig": [("security_context", 2, "msg:LinuxContainerSecurityContext")],
    "LinuxPodSandboxConfig": [("cgroup_parent", 1, "string"),
                              ("security_context", 2, "msg:LinuxSandboxSecurityContext")],
    "PodSandboxMetadata": [("name", 1, "string"), ("uid", 2, "string"),
                           ("namespace", 3, "string"), ("attempt", 4, "uint32")],
    "PodSandboxConfig": [("metadata", 1, "msg:PodSandboxMetadata"), ("hostname", 2, "string"),
                         ("log_directory", 3, "string"), ("linux", 8, "msg:LinuxPodSandboxConfig")],
    "RunPodSandboxRequest": [("config", 1, "msg:PodSandboxConfig"),
                             ("runtime_handler", 2, "string")],
    "RunPodSandboxResponse": [("pod_sandbox_id", 1, "string")],
    "StopPodSandboxRequest": [("pod_sandbox_id", 1, "string")],
    "StopPodSandboxResponse": [],
    "RemovePodSandboxRequest": [("pod_sandbox_id", 1, "string")],
    "RemovePodSandboxResponse": [],
    "ContainerMetadata": [("name", 1, "string"), ("attempt", 2, "uint32")],
    "ImageSpec": [("image", 1, "string")],
    "ContainerConfig": [("metadata", 1, "msg:ContainerMetadata"), ("image", 2, "msg:ImageSpec"),
                        ("command", 3, "rep string"), ("args", 4, "rep string"),
                        ("working_dir", 5, "string"), ("log_path", 11, "string"),
                        ("linux", 15, "msg:LinuxContainerConfig")],
    "CreateContainerRequest": [("pod_sandbox_id", 1, "string"),
                               ("config", 2, "msg:ContainerConfig"),
                               ("sandbox_config", 3, "msg:PodSandboxConfig")],
    "CreateContainerResponse": [("container_id", 1, "string")],
    "StartContainerRequest": [("container_id", 1, "string")],
    "StartContainerResponse": [],
    "StopContainerRequest": [("container_id", 1, "string"), ("timeout", 2, "int64")],
    "StopContainerResponse": [],
    "RemoveContainerRequest": [("container_id", 1, "string")],
    "RemoveContainerResponse": [],
    "ContainerStatusRequest": [("container_id", 1, "string")],
    "ContainerStatus": [("id", 1, "string"), ("state", 3, "enum:ContainerState"),
                        ("exit_code", 7, "int32"), ("reason", 10, "string"),
                        ("message", 11, "string")],
    "ContainerStatusResponse": [("status", 1, "msg:ContainerStatus")],
    "ExecSyncRequest": [("container_id", 1, "string"), ("cmd", 2, "rep string"),
                        ("timeout", 3, "int64")],
    "ExecSyncResponse": [("stdout", 1, "bytes"), ("stderr", 2, "bytes"), ("exit_code", 3, "int32")],
}

F = descriptor_pb2.FieldDescriptorProto
SCALARS = {"string": F.TYPE_STRING, "bytes": F.TYPE_BYTES, "int32": F.TYPE_INT32,
           "int64": F.TYPE_INT64, "uint32": F.TYPE_UINT32}


def build_classes():
    fd = descriptor_pb2.FileDescriptorProto(name="cri_subset.proto", package=PKG, syntax="proto3")
    for name, values in ENUMS.items():
        e = fd.enum_type.add(name=name)
        for i, v in enumerate(values):
            e.value.add(name=v, number=i)
    for name, fields in MESSAGES.items():
        m = fd.message_type.add(name=name)
        for fname, num, ftype in fields:
            f = m.field.add(name=fname, number=num, label=F.LABEL_OPTIONAL)
            if ftype.startswith("rep "):
                f.label = F.LABEL_REPEATED
                ftype = ftype[4:]
            if ftype.startswith("enum:"):
                f.type, f.type_name = F.TYPE_ENUM, "." + PKG + "." + ftype[5:]
            elif ftype.startswith("msg:"):
                f.type, f.type_name = F.TYPE_MESSAGE, "." + PKG + "." + ftype[4:]
            else:
                f.type = SCALARS[ftype]
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fd)
    classes = {}
    for name in MESSAGES:
        desc = pool.FindMessageTypeByName(PKG + "." + name)
        if hasattr(message_factory, "GetMessageClass"):
            classes[name] = message_factory.GetMessageClass(desc)
        else:
            classes[name] = message_factory.MessageFactory(pool).GetPrototype(desc)
    return classes


C = build_classes()


TIMEOUT = float(os.environ.get("CRI_TIMEOUT", "30"))
SECCOMP = os.environ.get("CRI_SECCOMP", "")


def call(chan, method, req, timeout=None):
    timeout = timeout or TIMEOUT
    resp_cls = C[type(req).DESCRIPTOR.name.replace("Request", "Response")]
    fn = chan.unary_unary("/%s.RuntimeService/%s" % (PKG, method),
                          request_serializer=lambda m: m.SerializeToString(),
                          response_deserializer=resp_cls.FromString)
    return fn(req, timeout=timeout)


def pod_config(name, cgroup_parent, logdir):
    return C["PodSandboxConfig"](
        metadata=C["PodSandboxMetadata"](name=name, uid="uid-" + name, namespace="ocl"),
        log_directory=logdir,
        linux=C["LinuxPodSandboxConfig"](
            cgroup_parent=cgroup_parent,
            # host network: no CNI needed; pid and ipc namespaces of the pod
            security_context=C["LinuxSandboxSecurityContext"](
                namespace_options=C["NamespaceOption"](network=2, pid=0, ipc=0),
                seccomp_profile_path=SECCOMP)))


def main(argv):
    sock, cmd, args = argv[1], argv[2], argv[3:]
    chan = grpc.insecure_channel("unix://" + sock)
    if cmd == "version":
        r = call(chan, "Version", C["VersionRequest"](version="v1"))
        print(json.dumps({"runtime_name": r.runtime_name, "runtime_version": r.runtime_version,
                          "runtime_api_version": r.runtime_api_version}))
    elif cmd == "runp":
        name, cg, logdir, handler = args
        r = call(chan, "RunPodSandbox", C["RunPodSandboxRequest"](
            config=pod_config(name, cg, logdir), runtime_handler=handler))
        print(r.pod_sandbox_id)
    elif cmd == "create":
        pod, name, cg, logdir, image = args[:5]
        cfg = C["ContainerConfig"](metadata=C["ContainerMetadata"](name="app"),
                                   image=C["ImageSpec"](image=image), command=args[5:],
                                   log_path="app.log",
                                   linux=C["LinuxContainerConfig"](
                                       security_context=C["LinuxContainerSecurityContext"](
                                           seccomp_profile_path=SECCOMP)))
        r = call(chan, "CreateContainer", C["CreateContainerRequest"](
            pod_sandbox_id=pod, config=cfg, sandbox_config=pod_config(name, cg, logdir)))
        print(r.container_id)
    elif cmd == "start":
        call(chan, "StartContainer", C["StartContainerRequest"](container_id=args[0]))
    elif cmd == "status":
        s = call(chan, "ContainerStatus", C["ContainerStatusRequest"](container_id=args[0])).status
        print(json.dumps({"state": ENUMS["ContainerState"][s.state], "exit_code": s.exit_code,
                          "reason": s.reason, "message": s.message}))
    elif cmd == "exec":
        r = call(chan, "ExecSync", C["ExecSyncRequest"](container_id=args[0], cmd=args[1:],
                                                        timeout=30))
        print(json.dumps({"stdout": r.stdout.decode(errors="replace"),
                          "stderr": r.stderr.decode(errors="replace"), "exit_code": r.exit_code}))
    elif cmd == "stop":
        call(chan, "StopContainer", C["StopContainerRequest"](container_id=args[0],
                                                              timeout=int(args[1])))
    elif cmd == "rm":
        call(chan, "RemoveContainer", C["RemoveContainerRequest"](container_id=args[0]))
    elif cmd == "stopp":
        call(chan, "StopPodSandbox", C["StopPodSandboxRequest"](pod_sandbox_id=args[0]))
    elif cmd == "rmp":
        call(chan, "RemovePodSandbox", C["RemovePodSandboxRequest"](pod_sandbox_id=args[0]))
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    try:
        main(sys.argv)
    except grpc.RpcError as e:
        sys.exit("cri: %s: %s" % (e.code().name, e.details()))
