"""The demo's front door: one URL space split by path, as nginx does it in production.

    python -m onboarding.front --port 8000 --wsgi 127.0.0.1:8601 --asgi 127.0.0.1:8602

`/v1/contacts/<user>/stream` goes to the ASGI process (uvicorn: long-lived streams),
`/static/` is served from STATIC_ROOT, everything else goes to the WSGI process
(gunicorn: the event API, the admin, webhooks). docs/deploy.md has the nginx version.
Each request gets its own upstream connection (`Connection: close`), and a stream's bytes
are passed on as they come. Small on purpose: it is for `make demo`, not for the internet.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import mimetypes
import re
from pathlib import Path

STREAM_PATH = re.compile(rb"^/v1/contacts/[^/?]+/stream(?:\?|$)")
HOP_HEADERS = {b"connection", b"keep-alive", b"proxy-connection", b"upgrade", b"te"}
MAX_HEAD = 64 * 1024
MAX_BODY = 6 * 1024 * 1024


def _address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host or "127.0.0.1", int(port)


class Front:
    def __init__(self, wsgi: tuple[str, int], asgi: tuple[str, int], static_root: Path) -> None:
        self.wsgi, self.asgi, self.static_root = wsgi, asgi, static_root.resolve()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await self._one(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        if len(head) > MAX_HEAD:
            return await self._answer(writer, 431, b"Request headers too large")
        request_line, *header_lines = head[:-4].split(b"\r\n")
        method, target, _ = request_line.split(b" ", 2)
        headers = [line.split(b":", 1) for line in header_lines if b":" in line]
        length = next((int(v) for k, v in headers if k.strip().lower() == b"content-length"), 0)
        if length > MAX_BODY:
            return await self._answer(writer, 413, b"Request body too large")
        body = await reader.readexactly(length) if length else b""
        if target.startswith(b"/static/") and method in (b"GET", b"HEAD"):
            return await self._static(writer, target, method == b"HEAD")
        upstream = self.asgi if STREAM_PATH.match(target) else self.wsgi
        client = writer.get_extra_info("peername") or ("127.0.0.1", 0)
        forwarded = [(k, v) for k, v in headers if k.strip().lower() not in HOP_HEADERS] + [
            (b"X-Forwarded-For", f" {client[0]}".encode()),
            (b"Connection", b" close"),
        ]
        try:
            up_reader, up_writer = await asyncio.open_connection(*upstream)
        except OSError:
            return await self._answer(writer, 502, b"The app is not answering yet")
        up_writer.write(request_line + b"\r\n")
        up_writer.write(b"".join(k + b":" + v + b"\r\n" for k, v in forwarded) + b"\r\n" + body)
        await up_writer.drain()
        await self._pipe(up_reader, up_writer, reader, writer)

    async def _pipe(self, up_reader, up_writer, reader, writer) -> None:  # noqa: ANN001
        """Copy the answer to the client until the app ends it or the client leaves."""

        async def copy() -> None:
            while chunk := await up_reader.read(65536):
                writer.write(chunk)
                await writer.drain()

        async def client_gone() -> None:
            while await reader.read(65536):
                pass

        tasks = [asyncio.ensure_future(copy()), asyncio.ensure_future(client_gone())]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            up_writer.close()

    async def _static(self, writer: asyncio.StreamWriter, target: bytes, head_only: bool) -> None:
        relative = target.split(b"?", 1)[0][len(b"/static/") :].decode(errors="replace")
        path = (self.static_root / relative).resolve()
        if not path.is_file() or self.static_root not in path.parents:
            return await self._answer(writer, 404, b"Not found")
        data = path.read_bytes()
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript", "text/javascript"):
            kind += "; charset=utf-8"
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: "
            + kind.encode()
            + b"\r\nContent-Length: "
            + str(len(data)).encode()
            + b"\r\nCache-Control: public, max-age=300\r\nConnection: close\r\n\r\n"
        )
        if not head_only:
            writer.write(data)
        await writer.drain()

    async def _answer(self, writer: asyncio.StreamWriter, status: int, text: bytes) -> None:
        writer.write(
            f"HTTP/1.1 {status} X\r\nContent-Type: text/plain\r\nContent-Length: {len(text)}"
            "\r\nConnection: close\r\n\r\n".encode()
            + text
        )
        await writer.drain()


async def serve(port: int, front: Front) -> None:
    server = await asyncio.start_server(front.handle, "127.0.0.1", port, limit=MAX_HEAD)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--wsgi", required=True, help="host:port of the WSGI process")
    parser.add_argument("--asgi", required=True, help="host:port of the ASGI (streams) process")
    parser.add_argument("--static-root", required=True)
    args = parser.parse_args()
    front = Front(_address(args.wsgi), _address(args.asgi), Path(args.static_root))
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.port, front))


if __name__ == "__main__":
    main()
