"""A small SMTP server for fault tests: it records what it accepts and can hold its answer.

The mail server is outside the machine, so a test may stand in for it. On
``hold_first`` it records the first message and then waits before saying
"250 OK": the window in which a worker can die after the server has the
message but before the worker marks it sent.
"""

from __future__ import annotations

import email
import email.policy
import socketserver
import threading


class FakeSMTPServer:
    def __init__(self, *, hold_first: bool = False) -> None:
        self.messages: list[email.message.Message] = []
        self.hold_first = hold_first
        self.first_received = threading.Event()
        self.release = threading.Event()
        owner = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write(line.encode() + b"\r\n")
                self.wfile.flush()

            def handle(self) -> None:
                try:
                    self.reply("220 fake.smtp.test ESMTP")
                    while True:
                        line = self.rfile.readline()
                        if not line:
                            return
                        command = line.decode(errors="replace").strip().upper()
                        if command.startswith("EHLO"):
                            self.wfile.write(b"250-fake.smtp.test\r\n250 8BITMIME\r\n")
                            self.wfile.flush()
                        elif command.startswith("DATA"):
                            self.reply("354 End data with <CR><LF>.<CR><LF>")
                            lines = []
                            while True:
                                data = self.rfile.readline()
                                if not data or data in (b".\r\n", b".\n"):
                                    break
                                lines.append(data[1:] if data.startswith(b"..") else data)
                            owner._accepted(b"".join(lines))
                            self.reply("250 OK queued")
                        elif command.startswith("QUIT"):
                            self.reply("221 Bye")
                            return
                        else:  # HELO, MAIL FROM, RCPT TO, RSET, NOOP
                            self.reply("250 OK")
                except OSError:
                    return  # the client went away (killed)

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _accepted(self, raw: bytes) -> None:
        self.messages.append(email.message_from_bytes(raw, policy=email.policy.default))
        if self.hold_first and len(self.messages) == 1:
            self.first_received.set()
            self.release.wait(timeout=60)

    def start(self) -> FakeSMTPServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
