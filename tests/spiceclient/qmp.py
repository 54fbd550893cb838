#!/usr/bin/env python3
# Minimal QMP client for the SPICE tests: qmp.py SOCKET COMMAND [JSON-ARGS]
# Prints the "return" value as JSON; exits 1 on an error reply.
import json, socket, sys

def main():
    sock, cmd = sys.argv[1], sys.argv[2]
    args = json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(30)
    s.connect(sock)
    f = s.makefile("rw")
    json.loads(f.readline())  # greeting
    for c, a in (("qmp_capabilities", {}), (cmd, args)):
        f.write(json.dumps({"execute": c, "arguments": a}) + "\n")
        f.flush()
        while True:
            r = json.loads(f.readline())
            if "event" in r:
                continue
            break
        if "error" in r:
            print(r["error"].get("desc", r), file=sys.stderr)
            sys.exit(1)
    print(json.dumps(r.get("return")))

main()
