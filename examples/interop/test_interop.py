"""Interop: a Python grpcio client against the Rust example server.

Generates the Python stubs from proto/ with grpcio-tools at test time, starts
the server binary on a free port, and runs the CRUD flow, a server stream
and a client stream, with the JWT the `client token` command issues.

Usage: .ci/venv/bin/python examples/interop/test_interop.py (the venv .ci/run makes)
       (SERVER_BIN and CLIENT_BIN default to target/debug/{server,client})
"""

import hashlib
import os
import pathlib
import subprocess
import sys
import tempfile
import unittest

import grpc
from grpc_tools import protoc

ROOT = pathlib.Path(__file__).resolve().parents[2]
SECRET = "interop-secret"
STUBS = tempfile.mkdtemp(prefix="protoforge-stubs-")


def generate_stubs():
    protos = sorted(str(p.relative_to(ROOT / "proto")) for p in (ROOT / "proto").rglob("*.proto"))
    include = pathlib.Path(protoc.__file__).parent / "_proto"
    code = protoc.main(
        ["grpc_tools.protoc", f"-I{ROOT / 'proto'}", f"-I{include}", f"--python_out={STUBS}", f"--grpc_python_out={STUBS}", *protos]
    )
    if code != 0:
        raise RuntimeError(f"grpc_tools.protoc failed with {code}")
    sys.path.insert(0, STUBS)


generate_stubs()

from file.v1 import file_pb2, file_pb2_grpc  # noqa: E402
from notification.v1 import notification_pb2, notification_pb2_grpc  # noqa: E402
from user.v1 import user_pb2, user_pb2_grpc  # noqa: E402


class Interop(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        server = os.environ.get("SERVER_BIN", str(ROOT / "target/debug/server"))
        client = os.environ.get("CLIENT_BIN", str(ROOT / "target/debug/client"))
        cls.storage = tempfile.mkdtemp(prefix="protoforge-uploads-")
        cls.server = subprocess.Popen(
            [server, "--addr", "127.0.0.1:0", "--jwt-secret", SECRET, "--storage", cls.storage],
            stdout=subprocess.PIPE,
            text=True,
        )
        line = cls.server.stdout.readline().strip()
        if not line.startswith("listening on "):
            cls.server.kill()
            raise RuntimeError(f"the server did not start: {line!r}")
        cls.address = line.removeprefix("listening on ")
        token = subprocess.run(
            [client, "--jwt-secret", SECRET, "token", "--user-id", "1"], check=True, capture_output=True, text=True
        ).stdout.strip()
        cls.metadata = (("authorization", token),)  # bare, as the article's client sends it
        cls.channel = grpc.insecure_channel(cls.address)
        grpc.channel_ready_future(cls.channel).result(timeout=10)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        cls.server.terminate()
        cls.server.wait(timeout=10)

    def test_crud_flow(self):
        users = user_pb2_grpc.UserServiceStub(self.channel)
        created = users.CreateUser(
            user_pb2.CreateUserRequest(name="Py Thon", email="py@example.com", age=33), metadata=self.metadata
        )
        self.assertTrue(created.success)
        user_id = created.user.id
        got = users.GetUser(user_pb2.GetUserRequest(user_id=user_id), metadata=self.metadata)
        self.assertEqual(got.user.name, "Py Thon")
        updated = users.UpdateUser(user_pb2.UpdateUserRequest(user_id=user_id, age=34), metadata=self.metadata)
        self.assertEqual((updated.user.name, updated.user.age), ("Py Thon", 34))
        users.DeleteUser(user_pb2.DeleteUserRequest(user_id=user_id), metadata=self.metadata)
        with self.assertRaises(grpc.RpcError) as gone:
            users.GetUser(user_pb2.GetUserRequest(user_id=user_id), metadata=self.metadata)
        self.assertEqual(gone.exception.code(), grpc.StatusCode.NOT_FOUND)
        with self.assertRaises(grpc.RpcError) as invalid:
            users.CreateUser(user_pb2.CreateUserRequest(name="", email="x@example.com"), metadata=self.metadata)
        self.assertEqual(invalid.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)

    def test_no_token_is_unauthenticated(self):
        users = user_pb2_grpc.UserServiceStub(self.channel)
        with self.assertRaises(grpc.RpcError) as refused:
            users.GetUser(user_pb2.GetUserRequest(user_id=1))
        self.assertEqual(refused.exception.code(), grpc.StatusCode.UNAUTHENTICATED)
        self.assertEqual(refused.exception.details(), "no token")

    def test_server_stream(self):
        notifications = notification_pb2_grpc.NotificationServiceStub(self.channel)
        for title in ("one", "two", "three"):
            notifications.SendNotification(
                notification_pb2.SendNotificationRequest(user_id=77, title=title), metadata=self.metadata
            )
        stream = notifications.GetNotifications(
            notification_pb2.GetNotificationsRequest(user_id=77, limit=2), metadata=self.metadata, timeout=10
        )
        titles = [next(stream).title for _ in range(2)]
        stream.cancel()
        self.assertEqual(titles, ["two", "three"])

    def test_client_stream(self):
        files = file_pb2_grpc.FileServiceStub(self.channel)
        parts = [b"interop ", b"from ", b"python"]
        chunks = (
            file_pb2.FileChunk(data=part, filename="py.txt" if i == 0 else "", chunk_index=i, is_last=i == len(parts) - 1)
            for i, part in enumerate(parts)
        )
        response = files.UploadFile(chunks, metadata=self.metadata)
        content = b"".join(parts)
        self.assertEqual((response.size, response.status), (len(content), "stored"))
        self.assertEqual(response.sha256, hashlib.sha256(content).hexdigest())
        self.assertEqual((pathlib.Path(self.storage) / response.file_id).read_bytes(), content)


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    failed = len(result.failures) + len(result.errors)
    print(f"{result.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
