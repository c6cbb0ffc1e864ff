"""A local SMTP sink for the mail tests: accepts every message and writes it, as received, to
<dir>/<time>-<id>.eml (written to a temporary name first, then renamed, so a reader never sees
half a file). Recipients at rejected.example get a permanent 550, at busy.example a transient 451,
so the tests can check how the mailer tells the two apart.

Usage: python smtp_sink.py <host> <port> <dir>
"""

import os
import signal
import sys
import threading
import time
import uuid

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory):
        self.directory = directory

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        domain = address.rsplit("@", 1)[-1].lower()
        if domain == "rejected.example":
            return "550 5.1.1 mailbox unavailable"
        if domain == "busy.example":
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        name = f"{time.time_ns()}-{uuid.uuid4().hex}.eml"
        temporary = os.path.join(self.directory, "." + name + ".part")
        with open(temporary, "wb") as file:
            file.write(envelope.original_content or envelope.content)
        os.replace(temporary, os.path.join(self.directory, name))
        return "250 Message accepted"


def main():
    host, port, directory = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    os.makedirs(directory, exist_ok=True)
    controller = Controller(Sink(directory), hostname=host, port=port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print(f"SMTP sink on {host}:{port}, writing to {directory}", flush=True)
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
