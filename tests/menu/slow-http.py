# SPDX-License-Identifier: GPL-2.0-only
"""A static HTTP server on loopback that sends file bodies slowly (RATE bytes
a second), so a test can watch a download in progress.
usage: slow-http.py DIR PORT RATE"""
import http.server
import os
import sys
import time

root, port, rate = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])


class Slow(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        path = os.path.join(root, self.path.lstrip('/').split('?')[0])
        if '..' in self.path or not os.path.isfile(path):
            self.send_error(404)
            return
        data = open(path, 'rb').read()
        self.send_response(200)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        step = max(1, rate // 10)
        for i in range(0, len(data), step):
            try:
                self.wfile.write(data[i:i + step])
                self.wfile.flush()
            except OSError:
                return
            time.sleep(0.1)

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(('127.0.0.1', port), Slow).serve_forever()
