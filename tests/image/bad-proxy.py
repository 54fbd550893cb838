# SPDX-License-Identifier: GPL-2.0-only
"""A tiny HTTP proxy on loopback that damages what it passes on.
usage: bad-proxy.py PORT UPSTREAM-PORT MODE
MODE: flip:OFFSET  flips the byte at file offset OFFSET of .img answers
      html         answers .img requests with a 200 HTML error page
      redirect:N   /hopN/... redirects to /hop(N-1)/..., /hop0/ to upstream"""
import http.client
import http.server
import sys

port, upstream, mode = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def do_GET(self):
        path = self.path
        if mode.startswith('redirect:') and path.startswith('/hop'):
            n = int(path[4:path.index('/', 1)])
            rest = path[path.index('/', 1):]
            self.send_response(302)
            self.send_header('Location', rest if n == 0 else '/hop%d%s' % (n - 1, rest))
            self.send_header('Content-Length', '0')
            self.end_headers()
            return
        if mode == 'html' and path.endswith('.img'):
            body = b'<html><body>Please log in to the portal</body></html>\n'
            self.send_response(200)
            self.send_header('Content-Type', 'text/html')
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        up = http.client.HTTPConnection('127.0.0.1', upstream)
        headers = {k: v for k, v in self.headers.items() if k.lower() == 'range'}
        up.request('GET', path, headers=headers)
        r = up.getresponse()
        self.send_response(r.status)
        start = 0
        for k, v in r.getheaders():
            if k.lower() in ('content-length', 'content-range', 'location'):
                self.send_header(k, v)
            if k.lower() == 'content-range':
                start = int(v.split()[1].split('-')[0])
        self.end_headers()
        pos = start
        while True:
            data = r.read(65536)
            if not data:
                break
            if mode.startswith('flip:') and path.endswith('.img'):
                off = int(mode[5:])
                if pos <= off < pos + len(data):
                    b = bytearray(data)
                    b[off - pos] ^= 0x40
                    data = bytes(b)
            self.wfile.write(data)
            pos += len(data)

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(('127.0.0.1', port), Proxy).serve_forever()
