"""A scripted language model server on 127.0.0.1 that speaks the real wire protocols.

Only the model's weights are fake: the server answers OpenAI's ``POST /v1/chat/completions`` (plain JSON, or
server-sent events when the request says ``"stream": true``) and Ollama's ``POST /api/chat`` (NDJSON lines),
so llama-index's real clients talk to it over real HTTP. Each request takes the next scripted ``Reply``; every
request body is recorded for the tests to inspect.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Reply:
    text: str = ""
    status: int = 200  # anything else: an error response with this HTTP status
    delay: float = 0.0  # seconds to wait before answering
    malformed: bool = False  # a body (or stream event) that is not JSON


@dataclass(frozen=True)
class Request:
    path: str
    body: dict[str, Any]

    @property
    def messages(self) -> list[dict[str, str]]:
        return self.body["messages"]

    def content(self, role: str) -> str:
        return "\n".join(m["content"] for m in self.messages if m["role"] == role)


class FakeLLM:
    """``with FakeLLM() as server: server.script(Reply("…")); … server.requests``."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self._script: list[Reply] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def script(self, *replies: Reply | str) -> None:
        with self._lock:
            self._script.extend(r if isinstance(r, Reply) else Reply(r) for r in replies)

    def reset(self) -> None:
        """Forget the script and the recorded requests."""
        with self._lock:
            self._script.clear()
            self.requests.clear()

    def next_reply(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            return self._script.pop(0) if self._script else Reply(status=500, text="no scripted reply left")

    def __enter__(self) -> FakeLLM:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def _pieces(text: str) -> list[str]:
    """The text cut into small pieces, as a model streams tokens."""
    return [text[i : i + 7] for i in range(0, len(text), 7)] or [""]


def _handler(fake: FakeLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # quiet
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            reply = fake.next_reply(Request(self.path, body))
            try:
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.status != 200:
                    self._send(reply.status, "application/json", json.dumps({"error": {"message": reply.text}}))
                elif self.path.endswith("/chat/completions"):
                    self._openai(body, reply)
                elif self.path == "/api/chat":
                    self._ollama(body, reply)
                else:
                    self._send(404, "application/json", json.dumps({"error": f"no route {self.path}"}))
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test): nothing to do

        def _send(self, status: int, kind: str, text: str) -> None:
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _start_stream(self, kind: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True

        def _openai(self, body: dict[str, Any], reply: Reply) -> None:
            base = {"id": "chatcmpl-1", "created": int(time.time()), "model": body.get("model", "fake")}
            if not body.get("stream"):
                if reply.malformed:
                    return self._send(200, "application/json", '{"choices": [{"message": ')
                message = {"role": "assistant", "content": reply.text}
                choice = {"index": 0, "message": message, "finish_reason": "stop"}
                payload = {**base, "object": "chat.completion", "choices": [choice]}
                return self._send(200, "application/json", json.dumps(payload))
            self._start_stream("text/event-stream")
            for i, piece in enumerate(_pieces(reply.text)):
                delta = {"content": piece, **({"role": "assistant"} if i == 0 else {})}
                choice = {"index": 0, "delta": delta, "finish_reason": None}
                event = json.dumps({**base, "object": "chat.completion.chunk", "choices": [choice]})
                self.wfile.write(f"data: {event}\n\n".encode())
                self.wfile.flush()
                if reply.malformed:
                    self.wfile.write(b'data: {"choices": [{"delta": \n\n')
                    return
            last = {"index": 0, "delta": {}, "finish_reason": "stop"}
            event = json.dumps({**base, "object": "chat.completion.chunk", "choices": [last]})
            self.wfile.write(f"data: {event}\n\ndata: [DONE]\n\n".encode())
            self.wfile.flush()

        def _ollama(self, body: dict[str, Any], reply: Reply) -> None:
            base = {"model": body.get("model", "fake"), "created_at": "2026-01-01T00:00:00Z"}
            if body.get("stream") is False:
                message = {"role": "assistant", "content": reply.text}
                payload = {**base, "message": message, "done": True, "done_reason": "stop"}
                return self._send(200, "application/json", "{oops" if reply.malformed else json.dumps(payload))
            self._start_stream("application/x-ndjson")
            for piece in _pieces(reply.text):
                line = {**base, "message": {"role": "assistant", "content": piece}, "done": False}
                self.wfile.write((json.dumps(line) + "\n").encode())
                self.wfile.flush()
                if reply.malformed:
                    self.wfile.write(b"{oops\n")
                    return
            end = {**base, "message": {"role": "assistant", "content": ""}, "done": True, "done_reason": "stop"}
            end |= {"prompt_eval_count": 10, "eval_count": 10}
            self.wfile.write((json.dumps(end) + "\n").encode())
            self.wfile.flush()

    return Handler
