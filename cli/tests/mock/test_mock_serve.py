"""End to end: a Python grpcio client against `protoforge mock serve`.

Generates the Python stubs from proto/ with grpcio-tools at test time,
starts `protoforge mock serve proto --stubs cli/tests/mock/stubs` on free
ports, and drives all four kinds of rpc, the admin API (add a stub, read the
journal, verify, reset), server reflection and health checks, then stops the
server with SIGTERM. A second server serves the editions schema of
examples/editions: protoc's Python code for it and the mock must read and
write delimited, packed, expanded and required fields alike.

Usage: python3 cli/tests/mock/test_mock_serve.py
       (PROTOFORGE_BIN defaults to target/debug/protoforge)
"""

import json
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

import grpc
from grpc_tools import protoc

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[2]
STUBS = tempfile.mkdtemp(prefix="protoforge-mock-stubs-")


EDITIONS = ROOT / "examples/editions/proto"


def generate_stubs():
    include = pathlib.Path(protoc.__file__).parent / "_proto"
    protos = sorted(str(p.relative_to(ROOT / "proto")) for p in (ROOT / "proto").rglob("*.proto"))
    roots = ((ROOT / "proto", protos), (HERE, ["reflection.proto", "health.proto"]), (EDITIONS, ["wire.proto", "echo.proto"]))
    for root, files in roots:
        code = protoc.main(
            ["grpc_tools.protoc", f"-I{root}", f"-I{include}", f"--python_out={STUBS}", f"--grpc_python_out={STUBS}", *files]
        )
        if code != 0:
            raise RuntimeError(f"grpc_tools.protoc failed with {code}")
    sys.path.insert(0, STUBS)


generate_stubs()

from chat.v1 import chat_pb2, chat_pb2_grpc  # noqa: E402
from file.v1 import file_pb2, file_pb2_grpc  # noqa: E402
from notification.v1 import notification_pb2, notification_pb2_grpc  # noqa: E402
from user.v1 import user_pb2, user_pb2_grpc  # noqa: E402

import health_pb2  # noqa: E402
import health_pb2_grpc  # noqa: E402
import reflection_pb2  # noqa: E402
import reflection_pb2_grpc  # noqa: E402
import echo_pb2  # noqa: E402
import echo_pb2_grpc  # noqa: E402
import wire_pb2  # noqa: E402

AUTH = (("authorization", "Bearer test-token"),)


def start_server(cls, *inputs):
    """Starts `protoforge mock serve INPUTS...` on free ports; sets the
    class's server, address, admin and channel."""
    binary = os.environ.get("PROTOFORGE_BIN", str(ROOT / "target/debug/protoforge"))
    cls.server = subprocess.Popen(
        [binary, "mock", "serve", *inputs, "--addr", "127.0.0.1:0", "--admin-addr", "127.0.0.1:0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    lines = {}
    while "admin" not in lines:
        line = cls.server.stdout.readline()
        if not line:
            cls.server.kill()
            raise RuntimeError(f"the server did not start: {lines}")
        key, _, value = line.strip().partition(" on ")
        lines[key.split()[-1]] = value
    cls.address = lines["listening"]
    cls.admin = lines["admin"]
    cls.channel = grpc.insecure_channel(cls.address)
    grpc.channel_ready_future(cls.channel).result(timeout=10)


def admin_request(admin, method, path, body=None, content_type="application/json"):
    data = body.encode() if isinstance(body, str) else body
    req = urllib.request.Request(admin + path, data=data, method=method, headers={"content-type": content_type})
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            text = response.read().decode()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read().decode())


class MockServe(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        start_server(cls, "proto", "--stubs", str(HERE / "stubs"))

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        if cls.server.poll() is None:
            cls.server.kill()
            cls.server.wait(timeout=10)

    def setUp(self):
        self.request("POST", "/reset")

    def request(self, method, path, body=None, content_type="application/json"):
        return admin_request(self.admin, method, path, body, content_type)

    # Unary.
    def test_unary_equals_and_fallback_error(self):
        users = user_pb2_grpc.UserServiceStub(self.channel)
        found = users.GetUser(user_pb2.GetUserRequest(user_id=1))
        self.assertTrue(found.success)
        self.assertEqual(found.user.name, "Ada Lovelace")
        with self.assertRaises(grpc.RpcError) as missing:
            users.GetUser(user_pb2.GetUserRequest(user_id=7))
        self.assertEqual(missing.exception.code(), grpc.StatusCode.NOT_FOUND)
        self.assertEqual(missing.exception.details(), "user 7 not found")

    def test_unary_echo_with_regex_and_metadata(self):
        users = user_pb2_grpc.UserServiceStub(self.channel)
        created = users.CreateUser(user_pb2.CreateUserRequest(name="Grace", email="grace@example.com", age=45), metadata=AUTH)
        self.assertEqual((created.user.id, created.user.name, created.user.email, created.user.age), (42, "Grace", "grace@example.com", 45))

    def test_unmatched_call_names_the_closest_stub(self):
        users = user_pb2_grpc.UserServiceStub(self.channel)
        with self.assertRaises(grpc.RpcError) as unmatched:
            users.CreateUser(user_pb2.CreateUserRequest(name="Eve", email="eve@elsewhere.org"), metadata=AUTH)
        self.assertEqual(unmatched.exception.code(), grpc.StatusCode.UNIMPLEMENTED)
        details = unmatched.exception.details()
        self.assertIn("user.v1.UserService/CreateUser", details)
        self.assertIn("closest is 'create'", details)
        self.assertIn('email: "eve@elsewhere.org" does not match', details)
        with self.assertRaises(grpc.RpcError) as no_stub:
            users.UpdateUser(user_pb2.UpdateUserRequest(user_id=1))
        self.assertEqual(no_stub.exception.code(), grpc.StatusCode.UNIMPLEMENTED)
        self.assertIn("no stub for user.v1.UserService/UpdateUser", no_stub.exception.details())

    # Server streaming: two messages, the second after a delay, then an error.
    def test_server_streaming(self):
        notifications = notification_pb2_grpc.NotificationServiceStub(self.channel)
        call = notifications.GetNotifications(notification_pb2.GetNotificationsRequest(user_id=1, limit=5))
        received = []
        with self.assertRaises(grpc.RpcError) as ended:
            for notification in call:
                received.append((notification.id, notification.message))
        self.assertEqual(received, [(1, "Hello, user 1"), (2, "Verify your email")])
        self.assertEqual(ended.exception.code(), grpc.StatusCode.UNAVAILABLE)
        self.assertEqual(ended.exception.details(), "feed closed")

    # Client streaming: the answer sees every request.
    def test_client_streaming(self):
        files = file_pb2_grpc.FileServiceStub(self.channel)
        chunks = [file_pb2.FileChunk(data=b"abc", filename="report.pdf", chunk_index=i, is_last=i == 2) for i in range(3)]
        uploaded = files.UploadFile(iter(chunks))
        self.assertEqual((uploaded.file_id, uploaded.status, uploaded.url), ("file-1", "3 chunks", "/files/report.pdf"))

    # Bidirectional: each message answered, OK when the client closes...
    def test_bidi_echo(self):
        chat = chat_pb2_grpc.ChatServiceStub(self.channel)
        messages = [chat_pb2.ChatMessage(user_id=5, message=text) for text in ("hi", "how are you")]
        replies = [(r.message, r.type) for r in chat.Chat(iter(messages))]
        self.assertEqual(replies, [("echo: hi", chat_pb2.SYSTEM), ("echo: how are you", chat_pb2.SYSTEM)])

    # ...or ended by the status of the stub a message matched.
    def test_bidi_ends_with_a_status(self):
        chat = chat_pb2_grpc.ChatServiceStub(self.channel)
        messages = [chat_pb2.ChatMessage(user_id=5, message=text) for text in ("hi", "bye", "never answered")]
        replies = []
        with self.assertRaises(grpc.RpcError) as ended:
            for reply in chat.Chat(iter(messages)):
                replies.append(reply.message)
        self.assertEqual(replies, ["echo: hi"])
        self.assertEqual(ended.exception.code(), grpc.StatusCode.CANCELLED)
        self.assertEqual(ended.exception.details(), "5 left")

    # The admin API: add a stub, call it, read the journal, verify, reset.
    def test_admin_add_journal_verify(self):
        stub = {
            "id": "delete-7",
            "method": "user.v1.UserService/DeleteUser",
            "times": 2,
            "match": {"equals": {"userId": 7}},
            "response": {"message": {"success": True}},
        }
        status, added = self.request("POST", "/stubs", json.dumps(stub))
        self.assertEqual((status, added), (201, {"ids": ["delete-7"]}))
        status, listed = self.request("GET", "/stubs")
        self.assertIn("delete-7", [s["id"] for s in listed])

        users = user_pb2_grpc.UserServiceStub(self.channel)
        self.assertTrue(users.DeleteUser(user_pb2.DeleteUserRequest(user_id=7), metadata=(("x-test", "admin"),)).success)
        status, unmet = self.request("GET", "/verify")
        self.assertEqual(status, 409)
        self.assertEqual(unmet["unmet"], [{"id": "delete-7", "method": "user.v1.UserService/DeleteUser", "expected": 2, "calls": 1}])
        self.assertTrue(users.DeleteUser(user_pb2.DeleteUserRequest(user_id=7)).success)
        self.assertEqual(self.request("GET", "/verify"), (200, {"unmet": []}))
        with self.assertRaises(grpc.RpcError) as used_up:
            users.DeleteUser(user_pb2.DeleteUserRequest(user_id=7))
        self.assertIn("used up after 2 calls", used_up.exception.details())

        status, journal = self.request("GET", "/journal")
        self.assertEqual(status, 200)
        deletes = [c for c in journal if c["method"] == "user.v1.UserService/DeleteUser"]
        self.assertEqual([c["stub"] for c in deletes], ["delete-7", "delete-7", None])
        self.assertEqual([c["code"] for c in deletes], ["OK", "OK", "UNIMPLEMENTED"])
        self.assertEqual(deletes[0]["request"], {"userId": 7})
        self.assertEqual(deletes[0]["metadata"]["x-test"], "admin")

        self.assertEqual(self.request("DELETE", "/stubs/delete-7"), (204, None))
        self.assertEqual(self.request("DELETE", "/stubs/delete-7")[0], 404)
        self.request("POST", "/reset")
        self.assertEqual(self.request("GET", "/journal"), (200, []))

    def test_admin_refuses_a_stub_the_schema_does_not_allow(self):
        body = "method: user.v1.UserService/GetUser\nresponse:\n  message: {user: {nme: x}}\n"
        status, refused = self.request("POST", "/stubs", body, content_type="application/yaml")
        self.assertEqual(status, 400)
        self.assertEqual(
            refused["errors"],
            ["request body:3:20: error: unknown field 'nme' in user.v1.User (fields: id, name, email, age, created_at, updated_at)"],
        )
        status, refused = self.request("POST", "/stubs", json.dumps({"method": "user.v1.UserService/Nope", "response": {}}))
        self.assertEqual(status, 400)
        self.assertIn("request body:1:12: error: unknown method 'Nope' in user.v1.UserService", refused["errors"][0])

    def test_reflection_lists_the_services(self):
        reflection = reflection_pb2_grpc.ServerReflectionStub(self.channel)
        responses = reflection.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
        names = {s.name for r in responses for s in r.list_services_response.service}
        for service in (
            "user.v1.UserService",
            "notification.v1.NotificationService",
            "file.v1.FileService",
            "chat.v1.ChatService",
            "order.v1.OrderService",
            "grpc.health.v1.Health",
        ):
            self.assertIn(service, names)
        responses = reflection.ServerReflectionInfo(
            iter([reflection_pb2.ServerReflectionRequest(file_containing_symbol="user.v1.UserService")])
        )
        files = [f for r in responses for f in r.file_descriptor_response.file_descriptor_proto]
        self.assertTrue(any(b"user/v1/user.proto" in f for f in files))

    def test_health(self):
        health = health_pb2_grpc.HealthStub(self.channel)
        answer = health.Check(health_pb2.HealthCheckRequest(service="user.v1.UserService"))
        self.assertEqual(answer.status, health_pb2.HealthCheckResponse.SERVING)

    # Last (unittest runs tests in name order): SIGTERM stops the server
    # gracefully, after the call in flight.
    def test_zz_graceful_shutdown(self):
        users = user_pb2_grpc.UserServiceStub(self.channel)
        in_flight = users.CreateUser.future(user_pb2.CreateUserRequest(name="Late", email="late@example.com"), metadata=AUTH)
        time.sleep(0.005)
        self.server.send_signal(signal.SIGTERM)
        self.assertEqual(in_flight.result(timeout=10).user.name, "Late")
        self.assertEqual(self.server.wait(timeout=15), 0)


class EditionsMockServe(unittest.TestCase):
    """An editions schema (2023 and 2024): protoc's Python code and the mock
    must agree on every feature that changes the wire, in the request the
    stub matches on and in the response it sends."""

    @classmethod
    def setUpClass(cls):
        start_server(cls, "examples/editions/proto")

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        cls.server.terminate()
        cls.server.wait(timeout=15)

    def test_delimited_packed_and_required_fields(self):
        stub = {
            "id": "echo",
            "method": "wire.v1.EchoService/Echo",
            "match": {"equals": {"defaults": {"inner": {"value": 7}, "values": [1, 2], "packed": [-3]}}},
            "response": {
                "message": {
                    "everything": {
                        "requiredInt": 3,
                        "delimited": {"value": 4},
                        "delimitedList": [{"value": 5}, {"note": "six"}],
                        "packedInts": [1, 2],
                        "expandedInts": [3, 4],
                        "choiceInner": {"value": 8},
                    },
                    "defaults": {"count": 2, "inner": {"value": 9}, "packed": [-1, 1]},
                }
            },
        }
        self.assertEqual(admin_request(self.admin, "POST", "/stubs", json.dumps(stub)), (201, {"ids": ["echo"]}))
        echo = echo_pb2_grpc.EchoServiceStub(self.channel)
        request = echo_pb2.EchoRequest(defaults=echo_pb2.Defaults(inner=wire_pb2.Inner(value=7), values=[1, 2], packed=[-3]))
        answer = echo.Echo(request)
        expected = echo_pb2.EchoResponse(
            everything=wire_pb2.Everything(
                required_int=3,
                delimited=wire_pb2.Inner(value=4),
                delimited_list=[wire_pb2.Inner(value=5), wire_pb2.Inner(note="six")],
                packed_ints=[1, 2],
                expanded_ints=[3, 4],
                choice_inner=wire_pb2.Inner(value=8),
            ),
            defaults=echo_pb2.Defaults(count=2, inner=wire_pb2.Inner(value=9), packed=[-1, 1]),
        )
        self.assertEqual(answer, expected)
        self.assertEqual(answer.SerializeToString(deterministic=True), expected.SerializeToString(deterministic=True))


if __name__ == "__main__":
    unittest.main(verbosity=2)
