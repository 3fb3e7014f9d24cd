#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Documentation that cannot drift.

1. Rendered man pages: every page under man/ is rendered with mandoc and
   the text is searched for the marks of broken markup that -Tlint lets
   through (nested quotes, macro names shown as words, escapes left in the
   text, empty parentheses, displays wider than 80 columns).  Every .Xr
   that names a page of this project (pb_*, portbind*) names a page of
   man/, or a name one of them documents with .Nm, in that section.

2. Example output: every literal display of the man pages (.Bd -literal)
   and every indented block of the README that shows what the library or
   a tool prints is preceded by a marker naming a scenario below:

       .\\" output: NAME             (man page, the line before .Bd)
       <!-- output: NAME -->         (README, the line before the block)

   A display that looks like output (a "$ command" followed by what it
   printed, or the words of a diagnosis) and has no marker is a failure,
   so a new example cannot drift unseen.  As root, each marked display is
   played in a private network namespace: the scenario makes the state the
   page describes (listeners, TIME_WAIT sockets left by a real close,
   connections, sysctls), runs the display's own "$" commands with the
   built tools (or, for a display without commands, the scenario's), and
   compares what they print with the display.  Only the numbers that vary
   from run to run may differ (process ids, inodes, the source ports the
   kernel picks, times left: see VARIES); counts, ranges, errno values,
   sysctl values and fixed ports are compared as they are, and so are
   words; an exit status shown after "echo $?" is compared as is.  A display may fold a long line anywhere (the pages say
   so), and a line "..." stands for lines left out.  Not as root, the
   displays are counted as skipped with the reason.

Run from the top of the tree after the build: python3 tests/docoutput.py
[--only NAME].  PB_TEST_SLOW=1 also plays the displays that take a minute.
"""

import concurrent.futures
import ctypes
import difflib
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAN_DIR = os.path.join(TOP, "man")
README = os.path.join(TOP, "README")
TOOL_PATHS = ("tools/portbind-why", "examples/portbind-why")
BUILD = os.getcwd()    # where make runs: the built files, else in TOP


def built(rel):
    for d in (BUILD, TOP):
        if os.path.exists(os.path.join(d, rel)):
            return os.path.join(d, rel)
    return os.path.join(TOP, rel)
SHIM = "libportbind-preload.so"
USER = 1000            # the unprivileged user of the examples
# Holders of another uid run this script again: with the system's python3
# where there is one, since another user may not reach the caller's.
PYTHON = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) \
    else sys.executable

# ---------------------------------------------------------------- scenarios
#
# Each scenario is the state one or more displays describe.  `setup(s)`
# builds it with the Scene below (in a fresh network namespace, as root);
# `user` runs the commands as that uid; `run` is the command for a display
# without "$" lines; `slow` needs PB_TEST_SLOW=1.

SCENARIOS = {}


def scenario(name, user=0, run=None, slow=False, varies=()):
    """varies: regular expressions (group 1 kept, the digits after it
    masked) for numbers of this scenario's output that vary from run to
    run and that VARIES below cannot tell by their context."""
    def add(fn):
        SCENARIOS[name] = dict(setup=fn, user=user, run=run, slow=slow,
                               varies=[re.compile(v, re.M) for v in varies])
        return fn
    return add


@scenario("why-listener")
def _(s):
    # A root server on 127.0.0.1:8080 that set SO_REUSEADDR.
    s.holder("127.0.0.1", 8080, comm="restart-server")


@scenario("why-reuseport", user=USER)
def _(s):
    s.holder("0.0.0.0", 8080, comm="server", uid=USER, reuseport=True)


@scenario("why-time-wait")
def _(s):
    s.time_wait("127.0.0.1", 8080, 3, reuseaddr=True)


@scenario("why-wait", slow=True)
def _(s):
    s.time_wait("127.0.0.1", 8080, 3, reuseaddr=True)


@scenario("why-time-wait-plain")
def _(s):
    s.time_wait("127.0.0.1", 8080, 3, reuseaddr=False)


@scenario("why-privileged", user=USER)
def _(s):
    s.sysctl("net.ipv4.ip_unprivileged_port_start", 1024)


@scenario("why-free")
def _(s):
    pass


@scenario("why-json-time-wait", varies=[r"^(time-wait\n)\d+$"])
def _(s):
    s.time_wait("127.0.0.1", 8080, 3, reuseaddr=True)


@scenario("budget-web")
def _(s):
    # Towards 192.0.2.1:443: three connections open, two closed by this
    # side (TIME_WAIT here), and a service listening inside the range.
    s.sysctl("net.ipv4.ip_local_port_range", "32768 60999")
    s.sysctl("net.ipv4.tcp_tw_reuse", 2)
    s.address("192.0.2.1")
    s.holder("0.0.0.0", 40000, comm="service")
    s.connections("192.0.2.1", 443, open_=3, closed=2)


@scenario("budget-spent")
def _(s):
    # Ten ports, all spent on connections to one loopback destination.
    s.sysctl("net.ipv4.ip_local_port_range", "60990 60999")
    s.sysctl("net.ipv4.tcp_tw_reuse", 2)
    s.connections("127.0.0.1", 6001, open_=10, closed=0)


@scenario("diag-listener-other-user", run="doc-diag -p 127.0.0.1:8080")
def _(s):
    s.holder("0.0.0.0", 8080, comm="nginx", uid=33)


@scenario("diag-bad-spec", run="doc-diag -l 127.0.0.1:99999")
def _(s):
    pass


@scenario("diag-time-wait-author", run="doc-diag 127.0.0.1:8080")
def _(s):
    s.time_wait("127.0.0.1", 8080, 1, reuseaddr=False)


@scenario("diag-time-wait-operator-fix", run="doc-diag -o -f 127.0.0.1:8080")
def _(s):
    s.time_wait("127.0.0.1", 8080, 1, reuseaddr=False)


@scenario("preload-listener")
def _(s):
    s.holder("127.0.0.1", 8000, comm="restart-server")


@scenario("preload-listener-line", run="LD_PRELOAD=%s python3 -c '%s'" % (
    SHIM, "import socket\ntry: socket.socket().bind((\"127.0.0.1\", 8000))\n"
          "except OSError: pass"))
def _(s):
    s.holder("127.0.0.1", 8000, comm="restart-server")


@scenario("preload-time-wait-line", run="LD_PRELOAD=%s python3 -c '%s'" % (
    SHIM, "import socket\ntry: socket.socket().bind((\"127.0.0.1\", 8000))\n"
          "except OSError: pass"))
def _(s):
    s.time_wait("127.0.0.1", 8000, 1, reuseaddr=False)


@scenario("client-churn", run="doc-diag -c 127.0.0.1:0 127.0.0.1:6001 "
          "127.0.0.1:6002")
def _(s):
    s.sysctl("net.ipv4.ip_local_port_range", "40000 40009")
    s.listener_only("127.0.0.1", 6001)
    s.listener_only("127.0.0.1", 6002)


# --audit (portbind-why(1), README): services of their own, each a
# process named as it is shown; "cgi" is a process outside the service
# that keeps its connections.
AUDIT_VARIES = [r'(\(at )\d\d:\d\d:\d\d', r'("until_ms":)\d+',
                r'("until":")[0-9T:Z-]+', r'("(?:outliving|shared)_pid":)\d+',
                r'("fd":)\d+']


def audit_host(s, netns=None):
    s.serve("cgi", "0.0.0.0", 8081, "api", netns=netns)
    s.serve("plain", "127.0.0.1", 8080, "legacy", uid=65534, netns=netns)
    # Its TCP and UDP sockets in one process: the order of services with
    # the same verdict is by pid, which may wrap between two of them.
    s.serve("web", "::", 8443, "web", netns=netns)


@scenario("audit-host", varies=AUDIT_VARIES)
def _(s):
    audit_host(s)


@scenario("audit-not-root", user=USER, varies=AUDIT_VARIES)
def _(s):
    s.serve("plain", "127.0.0.1", 8080, "legacy", uid=65534)


@scenario("audit-json", varies=AUDIT_VARIES)
def _(s):
    s.serve("plain", "127.0.0.1", 8080, "legacy", uid=65534)


@scenario("audit-netns", varies=AUDIT_VARIES)
def _(s):
    s.serve("reuse", "::", 8443, "web")
    s.netns("blue")
    s.serve("plain", "127.0.0.1", 8080, "legacy", netns="blue")


@scenario("audit-empty")
def _(s):
    pass


class Scene:
    """The state of one scenario, in this process's network namespace."""

    def __init__(self, bindir):
        self.bindir = bindir    # a copy of this script is there, for holders
        self.keep = []          # sockets that must stay open
        self.children = []

    def sysctl(self, name, value):
        with open("/proc/sys/" + name.replace(".", "/"), "w") as f:
            f.write("%s\n" % value)

    def address(self, ip):
        subprocess.run(["ip", "addr", "add", ip + "/32", "dev", "lo"],
                       check=True)

    def listener_only(self, ip, port, backlog=64):
        l = socket.socket()
        l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        l.bind((ip, port))
        l.listen(backlog)
        self.keep.append(l)
        return l

    def holder(self, ip, port, comm, uid=0, reuseport=False):
        """A listener held by a process of its own, named comm, of uid."""
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(r)
                os.set_inheritable(w, True)
                if uid:
                    os.setgroups([])
                    os.setgid(uid)
                    os.setuid(uid)
                # A new program: the kernel makes it dumpable again after
                # setuid, so its own user can read its /proc/PID/fd.
                os.execv(PYTHON, [
                    PYTHON, os.path.join(self.bindir, "docoutput.py"), "--hold", ip,
                    str(port), comm, "1" if reuseport else "0", str(w)])
            except BaseException as e:
                os.write(2, ("holder: %r\n" % e).encode())
            finally:
                os._exit(1)
        os.close(w)
        ok = os.read(r, 1)
        os.close(r)
        self.children.append(pid)
        if ok != b"1":
            raise RuntimeError("holder of %s:%d did not start" % (ip, port))

    def netns(self, name):
        """A network namespace named as ip-netns(8) names one, under a
        /run/netns of this scenario's own (a tmpfs in its private mount
        namespace: two runs never see each other's names)."""
        os.makedirs("/run/netns", exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "tmpfs", "/run/netns"],
                       check=True)
        subprocess.run(["ip", "netns", "add", name], check=True)
        subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"],
                       check=True)

    def serve(self, mode, ip, port, comm, uid=0, netns=None):
        """A service in a process of its own, named comm, of uid, in this
        namespace or the one named netns (see serve_main for mode)."""
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(r)
                os.set_inheritable(w, True)
                if uid:
                    os.setgroups([])
                    os.setgid(uid)
                    os.setuid(uid)
                argv = [PYTHON, os.path.join(self.bindir, "docoutput.py"),
                        "--serve", mode, ip, str(port), comm, str(w)]
                if netns:
                    argv = ["ip", "netns", "exec", netns] + argv
                os.execvp(argv[0], argv)
            except BaseException as e:
                os.write(2, ("service: %r\n" % e).encode())
            finally:
                os._exit(1)
        os.close(w)
        self.children.append(pid)
        # One write of a few bytes: read once, not to the end (a
        # process the service leaves behind may hold the pipe too).
        got = os.read(r, 64).split()
        os.close(r)
        if not got or got[0] != b"1":
            raise RuntimeError("service %s on %s:%d did not start"
                               % (comm, ip, port))
        # The outside holder of "cgi": a child of this process (a
        # subreaper) once the service's child has gone.
        if int(got[1]):
            self.children.append(int(got[1]))

    def time_wait(self, ip, port, n, reuseaddr):
        """n TIME_WAIT sockets on ip:port, left by a server that closed
        its connections first, then stopped."""
        l = socket.socket()
        if reuseaddr:
            l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        l.bind((ip, port))
        l.listen(n)
        pairs = []
        for _ in range(n):
            c = socket.socket()
            c.connect((ip, port))
            a, _ = l.accept()
            pairs.append((c, a))
        for c, a in pairs:
            a.close()
        for c, a in pairs:
            c.recv(1)           # the server's FIN
            c.close()
        l.close()
        self.settle("TIME_WAIT sockets on %s:%d" % (ip, port),
                    lambda: count_states(port, "06") >= n)

    def connections(self, ip, port, open_, closed):
        """open_ + closed connections from this host to ip:port; this side
        closes `closed` of them first (they wait in TIME_WAIT here)."""
        l = self.listener_only(ip, port)
        pairs = []
        for _ in range(open_ + closed):
            c = socket.socket()
            c.connect((ip, port))
            a, _ = l.accept()
            pairs.append((c, a))
            self.keep += [c, a]
        for c, a in pairs[open_:]:
            c.close()
            a.recv(1)
            a.close()
        self.settle("TIME_WAIT towards %s:%d" % (ip, port),
                    lambda: count_states(None, "06", rport=port) >= closed)

    @staticmethod
    def settle(what, cond):
        """Wait for cond(), at most 10 s (a loaded machine is slow)."""
        end = time.monotonic() + 10
        while not cond():
            if time.monotonic() > end:
                raise RuntimeError("not reached in 10 s: " + what)
            time.sleep(0.01)

    def stop(self):
        for pid in self.children:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        for x in self.keep:
            x.close()


def count_states(port, state, rport=None, v6=False):
    """TCP sockets in a state (hex, as /proc/net/tcp writes it) whose local
    port, or remote port, is the one given (IPv6 ones: /proc/net/tcp6)."""
    n = 0
    with open("/proc/net/tcp6" if v6 else "/proc/net/tcp") as f:
        next(f)
        for line in f:
            fields = line.split()
            lport = int(fields[1].split(":")[1], 16)
            rp = int(fields[2].split(":")[1], 16)
            if fields[3] != state:
                continue
            if (port is not None and lport == port) or \
               (rport is not None and rp == rport):
                n += 1
    return n


# ------------------------------------------------------- reading displays

def unroff(line):
    """A line of a literal display as mandoc shows it."""
    out = []
    i = 0
    while i < len(line):
        ch = line[i]
        if ch != "\\" or i + 1 == len(line):
            out.append(ch)
            i += 1
            continue
        nxt = line[i + 1]
        if nxt == "e":
            out.append("\\")
            i += 2
        elif nxt == "&":
            i += 2
        elif nxt in "-.":
            out.append(nxt)
            i += 2
        elif nxt == "(":
            name = line[i + 2:i + 4]
            out.append({"dq": '"', "aq": "'", "ti": "~", "ha": "^",
                        "rs": "\\", "em": "--"}.get(name, "?" + name))
            i += 4
        else:
            out.append("\\" + nxt)
            i += 2
    return "".join(out)


class Display:
    def __init__(self, where, lines, marker):
        self.where = where      # "man/x.1:123"
        self.lines = lines
        self.marker = marker    # scenario name, "" for none


MARK_MAN = re.compile(r'^\.\\"\s*output:\s*(\S+)\s*$')
MARK_README = re.compile(r'^<!--\s*output:\s*(\S+)\s*-->\s*$')


def marker_above(src, i):
    """The output marker among the comments right above line i."""
    j = i - 1
    while j >= 0 and src[j].startswith('.\\"'):
        m = MARK_MAN.match(src[j])
        if m:
            return m.group(1)
        j -= 1
    return ""


def man_displays(path):
    rel = os.path.relpath(path, TOP)
    src = open(path, encoding="utf-8").read().split("\n")
    out = []
    i = 0
    while i < len(src):
        if src[i].startswith(".Dl "):
            # A one-line display: "$ command" alone is no output.
            out.append(Display("%s:%d" % (rel, i + 1), [unroff(src[i][4:])],
                               marker_above(src, i)))
        elif src[i].startswith(".Bd ") and re.search(r"-literal|-unfilled",
                                                     src[i]):
            marker = marker_above(src, i)
            start = i + 1
            k = start
            while k < len(src) and src[k] != ".Ed":
                k += 1
            body = [unroff(x) for x in src[start:k]
                    if not x.startswith('.\\"')]
            out.append(Display("%s:%d" % (rel, i + 1), body, marker))
            i = k
        i += 1
    return out


def readme_displays(path):
    """The README's blocks: runs of lines indented four spaces (blank lines
    inside), after a blank line."""
    src = open(path, encoding="utf-8").read().split("\n")
    out = []
    i = 0
    while i < len(src):
        if src[i].startswith("    ") and (i == 0 or src[i - 1].strip() == ""
                                          or MARK_README.match(src[i - 1])):
            marker = ""
            j = i - 1
            while j >= 0 and src[j].strip() == "":
                j -= 1
            if j >= 0:
                m = MARK_README.match(src[j])
                if m:
                    marker = m.group(1)
            k = i
            while k < len(src) and (src[k].startswith("    ") or
                                    (src[k].strip() == "" and k + 1 < len(src)
                                     and src[k + 1].startswith("    "))):
                k += 1
            body = [x[4:] for x in src[i:k]]
            out.append(Display("README:%d" % (i + 1), body, marker))
            i = k
        i += 1
    return out


# What a diagnosis or a tool of this project prints, whatever the display.
OUTPUT_WORDS = re.compile(
    r"\b(E[A-Z]+ \(\d+, |held (only )?by \d|nothing holds it|"
    r"port budget towards|LISTEN {2,}|TIME_WAIT {2,}|expires in \d+ s|"
    r"Fix: )|^\{\"")


def transcript(lines):
    """[(command, [output lines])] of a display with "$ " lines, or None."""
    cmds = []
    cur = None
    cont = False
    for line in lines:
        if cont:
            cur[0] += "\n" + line
            cont = line.endswith("\\")
            continue
        if line.startswith("$ "):
            cur = [line[2:], []]
            cmds.append(cur)
            cont = line.endswith("\\")
        elif cur is not None:
            cur[1].append(line)
        elif line.strip():
            return None         # text before the first command
    return cmds or None


def looks_like_output(d):
    t = transcript(d.lines)
    if t and any(any(x.strip() for x in out) for _, out in t):
        return True
    return any(OUTPUT_WORDS.search(x) for x in d.lines)


# ---------------------------------------------------------------- comparing

# What varies from run to run, and only that, is masked as N: process ids,
# inodes, source ports the kernel picks (32768 up, after an address),
# times left (seconds, milliseconds).  Every other number (counts, ranges,
# errno values, sysctl values, fixed ports, uids the scenarios set) is
# compared as it is.  A space in these may be a fold of the display.
VARIES = [
    re.compile(r'(\bpid[ \n]|"pid":|\binode[ \n]|"inode":)\d+'),
    re.compile(r'(\b(?:\d{1,3}\.){3}\d{1,3}:|\]:)'
               r'(?:3276[89]|327[7-9]\d|32[89]\d\d|3[3-9]\d{3}|[45]\d{4}'
               r'|6[0-4]\d{3}|65[0-4]\d\d|655[0-2]\d|6553[0-5])\b'),
    re.compile(r'("(?:time_wait|expires)_ms":)\d+'),
    re.compile(r'(\b)\d+(?= ?ms\b|[ \n]?s\b|[ \n]seconds?\b)'),
]


def norm_lines(lines, extra=()):
    """The lines, spacing collapsed and what varies masked as N."""
    text = "\n".join(" ".join(x.split()) for x in lines)
    for rx in list(VARIES) + list(extra):
        text = rx.sub(lambda m: m.group(1) + "N", text)
    return text.split("\n") if lines else []


def norm(line):
    return norm_lines([line])[0]


def pattern(doc):
    """A regular expression for what the display shows: its lines folded
    anywhere (a fold is a line break, a space or nothing in the output),
    "..." lines for any lines, "..." in a line for any text."""
    parts = []
    prev = "start"              # start, line or elided
    for line in doc:
        n = norm(line)
        if n == "...":
            parts.append(r"(?:.*\n)*?" if prev == "start" else r"(?:\n.*)*?")
            prev = "start" if prev == "start" else "elided"
            continue
        body = ".*?".join(re.escape(p) for p in n.split("..."))
        if prev == "line":
            parts.append(r"(?:\n| )?")
        elif prev == "elided":
            parts.append(r"\n")
        parts.append(body)
        prev = "line"
    return "".join(parts)


def matches(doc, real, extra=()):
    doc = norm_lines([x for x in doc if x.strip()], extra)
    real = norm_lines([x for x in real if x.strip()], extra)
    if not doc:
        return not real
    if all(norm(x) == "..." for x in doc):
        return True
    return re.fullmatch(pattern(doc), "\n".join(real)) is not None


def status_line(cmd):
    return re.search(r"echo \$\?\s*$", cmd) is not None


def compare(d, result):
    """Failures of display d against the scenario's result."""
    t = transcript(d.lines)
    if t is None:
        pairs = [(None, d.lines, result[0]["output"])]
    else:
        if len(result) != len(t):
            return ["%s: %d commands shown, %d run" % (d.where, len(t),
                                                       len(result))]
        pairs = [(cmd, out, r["output"]) for (cmd, out), r in zip(t, result)]
    fails = []
    for cmd, doc, real in pairs:
        doc = [x for x in doc if x.strip()]
        real = [x for x in real.split("\n") if x.strip()]
        if cmd is not None and status_line(cmd):
            # The exit status is a word here: compared as is.
            shown = doc[-1].strip() if doc else "(none)"
            got = real[-1] if real else "(none)"
            if shown != got:
                fails.append("%s: $ %s: exit status %s shown, %s printed"
                             % (d.where, cmd, shown, got))
            doc, real = doc[:-1], real[:-1]
        if not matches(doc, real, SCENARIOS[d.marker]["varies"]):
            head = "$ " + cmd if cmd is not None else "(" + d.marker + ")"
            diff = difflib.unified_diff(
                norm_lines(doc, SCENARIOS[d.marker]["varies"]),
                norm_lines(real, SCENARIOS[d.marker]["varies"]),
                "shown", "printed", lineterm="", n=20)
            fails.append("%s: %s: the display differs from the output "
                         "(what varies as N; a fold may join lines):\n%s\n"
                         "printed:\n%s" % (d.where, head, "\n".join(diff),
                                           "\n".join(real)))
    return fails


def selftest():
    """The comparison itself: what it lets pass and what it must not."""
    shown = ["tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use):",
             "held by 1 listening socket.", "  LISTEN  127.0.0.1:8080  pid 42"]
    real = ["tcp 127.0.0.1:8080: EADDRINUSE (98, Address already in use): "
            "held by 1 listening socket.", "  LISTEN     127.0.0.1:8080  pid 7"]
    budget = ["ports 32768-60999: 28232 usable, 10 established, 0 time-wait,",
              "28226 available; TIME_WAIT ends in 59 s"]
    bgot = ["ports 32768-60999: 28232 usable, 10 established, 0 time-wait, "
            "28226 available; TIME_WAIT ends in 17 s"]
    cases = [
        (shown, real, True),                                 # folded, pid
        (shown, [real[0].replace("held", "kept"), real[1]], False),  # a word
        (shown, [real[0].replace("127.0.0.1", "192.0.2.1"), real[1]], False),
        (shown, real[:1], False),                            # a line missing
        ([shown[0] + " " + shown[1] + " " + shown[2]], real, False),  # one
        (shown, [real[0] + " " + real[1]], True),            # a fold
        (shown, real + ["more"], False),                     # a line added
        (['{"a":1,', '"b":2}'], ['{"a":1,"b":2}'], True),    # JSON folded
        (['{"a":1,', '"b":2}'], ['{"a":17,"b":2}'], False),  # a count
        ([shown[0], shown[1], "..."], real, True),           # lines left out
        ([shown[0], "..."], real, False),                    # not a line
        (["...", shown[2]], real, True),
        (["tcp ... held by ..."], ["tcp x: held by y"], True),
        (["..."], ["anything", "at all"], True),
        ([" ...", "x"], ["x"], True),
        # What varies: pids (also folded after "pid"), inodes, kernel-picked
        # source ports, times left.
        (["stop pid", "3310 (server)"], ["stop pid 77 (server)"], True),
        (['{"inode":123,"pid":9}'], ['{"inode":456,"pid":10}'], True),
        (["127.0.0.1:40123 -> 127.0.0.1:6001"],
         ["127.0.0.1:51234 -> 127.0.0.1:6001"], True),
        # The range's first ports too (a fresh namespace picks 32778).
        (["127.0.0.1:8080 -> 127.0.0.1:40123"],
         ["127.0.0.1:8080 -> 127.0.0.1:32778"], True),
        (["127.0.0.1:8080 -> 127.0.0.1:40123"],
         ["127.0.0.1:8080 -> 127.0.0.1:32767"], False),
        (['{"time_wait_ms":58792}'], ['{"time_wait_ms":59988}'], True),
        (budget, bgot, True),
        # What does not: counts, ranges, errno values, fixed ports, uids.
        (budget, [bgot[0].replace("28226", "28227")], False),
        (budget, [bgot[0].replace("10 established, 0",
                                  "7 established, 9")], False),
        (budget, [bgot[0].replace("32768-60999", "32768-61000")], False),
        (shown, [real[0].replace("held by 1", "held by 3"), real[1]], False),
        (shown, [real[0].replace("(98,", "(99,"), real[1]], False),
        (shown, [x.replace(":8080", ":8081") for x in real], False),
        (["127.0.0.1:40123 -> 127.0.0.1:6001"],
         ["127.0.0.1:40123 -> 127.0.0.1:6002"], False),
        (["uid 1000"], ["uid 33"], False),
        (['{"tw_reuse_delay_ms":1000}'], ['{"tw_reuse_delay_ms":1001}'],
         False),
        (["time-wait", "58792"], ["time-wait", "59988"], False),
    ]
    bad = [i for i, (d, r, want) in enumerate(cases) if matches(d, r) != want]
    tw = SCENARIOS["why-json-time-wait"]["varies"]
    if not matches(["time-wait", "58792"], ["time-wait", "59988"], tw) or \
            matches(["time-wait", "58792"], ["listener", "59988"], tw):
        bad.append("varies")
    if bad:
        return ["tests/docoutput.py: the comparison is wrong in case %s" % bad]
    return []


# ------------------------------------------------------ playing a scenario

def play(name, commands, bindir):
    """In this process (already in a fresh network namespace, as root):
    build the scenario, run the commands, return their outputs."""
    sc = SCENARIOS[name]
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    # Processes a scenario's services leave behind (Scene.serve's "cgi")
    # come to this process, which reaps them.
    ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)     # PR_SET_CHILD_SUBREAPER
    s = Scene(bindir)
    env = dict(os.environ)
    env["PATH"] = bindir + ":" + env.get("PATH", "/usr/bin:/bin")
    env["LD_LIBRARY_PATH"] = bindir
    env.pop("LD_PRELOAD", None)
    for k in list(env):
        if k.startswith("PORTBIND_"):
            del env[k]
    try:
        sc["setup"](s)
        # One shell for the display's commands, so that "echo $?" sees
        # the command before it; a record separator after each.
        script = ["exec 2>&1"]
        for c in commands:
            script.append(c)
            script.append("__s=$?; printf '\\036\\n'; (exit $__s)")
        argv = ["sh", "-c", "\n".join(script)]
        if sc["user"]:
            u = str(sc["user"])
            argv = ["setpriv", "--reuid=" + u, "--regid=" + u,
                    "--clear-groups"] + argv
        p = subprocess.run(argv, stdout=subprocess.PIPE, env=env,
                           cwd=bindir, timeout=150)
        outs = p.stdout.decode("utf-8", "replace").split("\036\n")
        return [{"output": o} for o in outs[:len(commands)]]
    finally:
        s.stop()


def elf_class(path):
    """1 for a 32-bit ELF file, 2 for 64-bit."""
    with open(os.path.realpath(path), "rb") as f:
        return f.read(5)[4:5]


def tool_path():
    for rel in TOOL_PATHS:
        p = built(rel)
        if os.access(p, os.X_OK):
            return p
    return None


def build_helper(bindir):
    cc = shlex.split(os.environ.get("CC", "cc"))       # "gcc -m32"
    cflags = os.environ.get("PB_DOC_CFLAGS", "-O2 -g -Iinclude -D_GNU_SOURCE").split()
    ldflags = os.environ.get("PB_DOC_LDFLAGS", "").split()
    out = os.path.join(bindir, "doc-diag")
    subprocess.run(cc + cflags + ["-o", out, "tests/doc-diag.c"] + ldflags +
                   [built("libportbind.a")], cwd=TOP, check=True)


# --------------------------------------------------------- rendered pages

PROSE_RULES = [
    (re.compile(r'""'), "nested quotes (a quoting macro inside another)"),
    (re.compile(r'"\w+, "'), "a quote opened and not closed"),
    (re.compile(r"(?:^|\s)(?:\(\s*\)|\[\s*\])"), "empty parentheses"),
    (re.compile(r"\\"), "a backslash: an escape left in the text"),
    (re.compile(r"\b(Qq|Pq|Dq|Sq|Ql|Dv|Xr|Va|Fl|Ar|Ns|Pa|Ev|Er|Fn|Fa|Vt|Sx|"
                r"Cm|Sy|Bq|Brq|Oo|Oc|Po|Pc|Dc|Qo|Qc|Ic|Li)\b"),
     "a macro name shown as a word"),
    (re.compile(r"\S\s+[,;](\s|$)|\(\s|\s\)"),
     "a space before punctuation (a delimiter outside its macro)"),
]


def render(path, drop_displays):
    src = open(path, encoding="utf-8").read()
    if drop_displays:
        src = re.sub(r"(?ms)^\.Bd -literal.*?^\.Ed$", ".Pp", src)
        src = re.sub(r"(?m)^\.Dl .*$", ".Pp", src)
    p = subprocess.run(["mandoc", "-Tascii", "-Owidth=80"], input=src.encode(),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode > 1:
        raise RuntimeError("%s: mandoc: %s" % (path, p.stderr.decode()))
    text = re.sub(r".\x08", "", p.stdout.decode("utf-8", "replace"))
    return text.split("\n")


def check_rendered(pages):
    fails = []
    for page in pages:
        rel = os.path.relpath(page, TOP)
        for n, line in enumerate(render(page, False), 1):
            if len(line.rstrip()) > 80:
                fails.append("%s: rendered line %d is %d columns wide:\n%s"
                             % (rel, n, len(line.rstrip()), line))
        for n, line in enumerate(render(page, True), 1):
            for rx, what in PROSE_RULES:
                if rx.search(line):
                    fails.append("%s: rendered line %d: %s:\n%s"
                                 % (rel, n, what, line.strip()))
    return fails


GARBLED_PAGE = r""".Dd November 29, 2026
.Dt GARBLED 1
.Os
.Sh NAME
.Nm garbled
.Nd a page with every mark the rendered check looks for
.Sh DESCRIPTION
Its members are
.Qq in_use
.Pq Qq total , Qq other .
An empty pair
.Pq
here, a lost macro .Xr bind 2 here, an escape \\e here, and
.Li word
, a delimiter on its own line.
.Bd -literal -offset indent
a display line that is much too wide for a terminal of eighty columns, by far
.Ed
"""


XR = re.compile(r"^\.Xr\s+(\S+)\s+(\S+)", re.M)
PROJECT_PAGE = re.compile(r"^(pb_|portbind)")


def page_names(pages):
    """(name, section) of every page and every .Nm it documents."""
    have = set()
    for page in pages:
        src = open(page, encoding="utf-8").read()
        sec = page.rsplit(".", 1)[1]
        have.add((os.path.basename(page).rsplit(".", 1)[0], sec))
        for m in re.finditer(r"^\.Nm\s+(\S+)", src, re.M):
            have.add((m.group(1), sec))
    return have


def check_xrefs(pages, known):
    """Every .Xr of a project page (pb_*, portbind*) names one in man/."""
    fails = []
    for page in pages:
        src = open(page, encoding="utf-8").read()
        for m in XR.finditer(src):
            name, sec = m.group(1), m.group(2)
            if PROJECT_PAGE.match(name) and (name, sec) not in known:
                line = src.count("\n", 0, m.start()) + 1
                fails.append("%s:%d: .Xr %s %s: no such page or .Nm in "
                             "man/" % (os.path.relpath(page, TOP), line,
                                       name, sec))
    return fails


def xref_selftest(pages):
    """A misspelled or mis-sectioned project page is found; real ones
    and pages of other projects are not."""
    known = page_names(pages)
    with tempfile.NamedTemporaryFile("w", suffix=".3") as f:
        f.write(".Sh SEE ALSO\n.Xr pb_listen_wiat 3 ,\n.Xr pb_listen 8 ,\n"
                ".Xr pb_listen 3 ,\n.Xr pb_bind_udp 3 ,\n.Xr bind 2\n")
        f.flush()
        found = check_xrefs([f.name], known)
    want = ["pb_listen_wiat 3", "pb_listen 8"]
    fails = ["tests/docoutput.py: the .Xr check misses %s" % w
             for w in want if not any(w in x for x in found)]
    if len(found) != len(want):
        fails.append("tests/docoutput.py: the .Xr check finds too much:\n"
                     + "\n".join(found))
    return fails


def render_selftest():
    """The rendered check finds each mark in a page made to have them."""
    with tempfile.NamedTemporaryFile("w", suffix=".1") as f:
        f.write(GARBLED_PAGE)
        f.flush()
        found = "\n".join(check_rendered([f.name]))
    want = ["columns wide"] + [what for _, what in PROSE_RULES]
    return ["tests/docoutput.py: the rendered check misses %r in a garbled "
            "page:\n%s" % (w, found) for w in want if w not in found]


# ---------------------------------------------------------------- the run

def hold_main(ip, port, comm, reuseport, w):
    """A holder: a listener in a process of its own, named comm."""
    with open("/proc/self/comm", "w") as f:
        f.write(comm)
    l = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuseport == "1":
        l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    l.bind((ip, int(port)))
    l.listen(16)
    os.write(int(w), b"1")
    os.close(int(w))
    while True:
        signal.pause()


def serve_main(mode, ip, port, comm, w):
    """A service (Scene.serve): a socket on ip:port in a process named
    comm.  mode: "plain", a TCP listener without SO_REUSEADDR whose three
    connections it closed first wait in TIME_WAIT; "reuse", the same with
    SO_REUSEADDR; "web", the same and a UDP socket on the same address
    and port (HTTP/3); "cgi", a listener without SO_REUSEADDR whose three
    accepted connections a process named "cgi" keeps, which is not its
    descendant.  IPv6 ("::") is dual-stack.
    Writes "1 G" to w (G: the cgi process, or 0), then waits."""
    with open("/proc/self/comm", "w") as f:
        f.write(comm)
    fam = socket.AF_INET6 if ":" in ip else socket.AF_INET
    port = int(port)
    g = 0
    l = socket.socket(fam, socket.SOCK_STREAM)
    if fam == socket.AF_INET6:
        l.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    if mode in ("reuse", "web"):
        l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind((ip, port))
    if mode == "web":
        u = socket.socket(fam, socket.SOCK_DGRAM)
        if fam == socket.AF_INET6:
            u.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        u.bind((ip, port))
    l.listen(16)
    dst = "::1" if fam == socket.AF_INET6 else "127.0.0.1"
    pairs = []
    for _ in range(3):
        c = socket.create_connection((dst, port))
        a, _ = l.accept()
        pairs.append((c, a))
    if mode == "cgi":
        r, wg = os.pipe()
        pid = os.fork()
        if pid == 0:
            if os.fork() == 0:
                l.close()
                os.close(int(w))
                with open("/proc/self/comm", "w") as f:
                    f.write("cgi")
                os.write(wg, b"%d" % os.getpid())
                while True:
                    signal.pause()
            os._exit(0)
        os.waitpid(pid, 0)
        g = int(os.read(r, 32))
        for c, a in pairs:
            c.close()
            a.close()
    else:
        for c, a in pairs:
            a.close()
        for c, a in pairs:
            c.recv(1)
            c.close()
        Scene.settle("TIME_WAIT on %s:%d" % (ip, port),
                     lambda: count_states(port, "06") +
                     count_states(port, "06", v6=True) >= 3)
    os.write(int(w), b"1 %d\n" % g)
    os.close(int(w))
    while True:
        signal.pause()


def finish(p, data):
    """The output of a scenario's process; killed and reaped if it hangs."""
    try:
        return p.communicate(data, timeout=180)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        return b"", b"timed out after 180 s"


def play_in_netns(req):
    """A scenario played by a child in a new network namespace: its exit
    status, output and errors."""
    p = subprocess.Popen(
        ["unshare", "--net", "--mount", sys.executable,
         os.path.abspath(__file__), "--child"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = finish(p, req)
    return p.returncode, out, err


def child_main():
    req = json.load(sys.stdin)
    json.dump(play(req["scenario"], req["commands"], req["bindir"]),
              sys.stdout)


def main():
    only = None
    if len(sys.argv) == 3 and sys.argv[1] == "--only":
        only = sys.argv[2]
    os.chdir(TOP)
    fails = selftest()
    pages = sorted(os.path.join(MAN_DIR, f) for f in os.listdir(MAN_DIR)
                   if re.match(r".*\.[1-8]$", f))

    fails += xref_selftest(pages) + check_xrefs(pages, page_names(pages))
    print("  man pages: every .Xr of a pb_/portbind page names one in man/")
    if shutil.which("mandoc"):
        fails += render_selftest() + check_rendered(pages)
        print("  man pages: %d rendered, checked for broken markup"
              % len(pages))
    else:
        print("  man pages: skipped: mandoc not found (rendered check)")

    displays = []
    for p in pages:
        displays += man_displays(p)
    displays += readme_displays(README)
    marked = []
    for d in displays:
        if d.marker:
            if d.marker not in SCENARIOS:
                fails.append("%s: no scenario %r" % (d.where, d.marker))
            else:
                marked.append(d)
        elif looks_like_output(d):
            fails.append("%s: example output without an output marker "
                         "(say which scenario of tests/docoutput.py makes "
                         "it):\n%s" % (d.where, "\n".join(d.lines)))
    used = {d.marker for d in marked}
    for name in SCENARIOS:
        if name not in used:
            fails.append("tests/docoutput.py: scenario %s shows in no display"
                         % name)
    if only:
        marked = [d for d in marked if d.marker == only]

    skipped = []
    played = 0
    tool = tool_path()
    if os.geteuid() != 0:
        skipped = [(d, "not root: scenarios need a private network namespace")
                   for d in marked]
    elif tool is None or not shutil.which("unshare") or not shutil.which("ip"):
        skipped = [(d, "portbind-why not built, or no unshare(1) or ip(8)")
                   for d in marked]
    else:
        bindir = tempfile.mkdtemp(prefix="pb-docoutput.")
        try:
            os.chmod(bindir, 0o755)
            shutil.copy(tool, os.path.join(bindir, "portbind-why"))
            shutil.copy(built(SHIM), bindir)
            shutil.copy(os.path.abspath(__file__), bindir)
            build_helper(bindir)
            slow = os.environ.get("PB_TEST_SLOW") == "1"
            ldd = subprocess.run(["ldd", built(SHIM)],
                                 stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL).stdout
            shim_skip = None
            if re.search(rb"lib(asan|ubsan|tsan)", ldd):
                shim_skip = ("the shim is built with sanitizers, whose runtime"
                             " must be preloaded first")
            elif elf_class(built(SHIM)) != \
                    elf_class(shutil.which("python3") or sys.executable):
                shim_skip = ("the shim and python3 are built for different "
                             "word sizes (CC=\"gcc -m32\"?)")
            runs = []
            for d in marked:
                sc = SCENARIOS[d.marker]
                if sc["slow"] and not slow:
                    skipped.append((d, "waits a minute for TIME_WAIT: "
                                    "PB_TEST_SLOW=1 plays it"))
                    continue
                needs = [c for c, _ in (transcript(d.lines) or [])]
                if not needs:
                    needs = [sc["run"]] if sc["run"] else []
                if not needs:
                    fails.append("%s: scenario %s has no command for a display"
                                 " without one" % (d.where, d.marker))
                    continue
                if shim_skip and any(SHIM in c for c in needs):
                    skipped.append((d, shim_skip))
                    continue
                if any(re.search(r"\bjq\b", c) for c in needs) and \
                        not shutil.which("jq"):
                    skipped.append((d, "jq not installed"))
                    continue
                req = json.dumps(dict(scenario=d.marker, commands=needs,
                                      bindir=bindir))
                runs.append((d, sc["slow"], req.encode()))
            # Each scenario in a network namespace of its own: they run
            # side by side, four at a time (they mostly wait on the
            # kernel and on processes starting), the slow ones (a minute
            # of TIME_WAIT) beside them.
            nslow = sum(1 for _, sl, _ in runs if sl)
            with concurrent.futures.ThreadPoolExecutor(4 + nslow) as pool:
                futs = [(d, pool.submit(play_in_netns, req))
                        for d, sl, req in sorted(runs, key=lambda r: not r[1])]
                results = {id(d): f.result() for d, f in futs}
            for d, _, _ in runs:
                rc, out, err = results[id(d)]
                if rc != 0:
                    fails.append("%s: scenario %s failed:\n%s" % (
                        d.where, d.marker, err.decode(errors="replace")))
                    continue
                fails += compare(d, json.loads(out))
                played += 1
        finally:
            shutil.rmtree(bindir, ignore_errors=True)

    for d, why in skipped:
        print("  %s (%s): skipped: %s" % (d.where, d.marker, why))
    for f in fails:
        print("FAIL " + f, file=sys.stderr)
    print("  example output: %d displays, %d compared with their scenario, "
          "%d skipped, %d failures" % (len(marked), played, len(skipped),
                                       len(fails)))
    return 1 if fails else 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--child"]:
        child_main()
    elif sys.argv[1:2] == ["--hold"] and len(sys.argv) == 7:
        hold_main(*sys.argv[2:])
    elif sys.argv[1:2] == ["--serve"] and len(sys.argv) == 7:
        serve_main(*sys.argv[2:])
    else:
        sys.exit(main())
