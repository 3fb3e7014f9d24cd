#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""mutate.py - mutation testing of lib/ and the shim (make mutate).

Plants one small plausible bug at a time in a copy of the sources, rebuilds,
and runs the tests: a mutant the tests fail on is killed, one they pass is a
survivor.  The score is killed / (mutants - stillborn - equivalent), where a
stillborn mutant does not compile and an equivalent one is listed, with the
reason no behaviour can tell it apart, in tests/mutants-equivalent/<file>.txt.

The mutants, one operator on one line each:
  relational   <  <=  >  >=  (each to its neighbour: the off-by-one)
  equality     ==  !=        (each to the other)
  logical      &&  ||        (each to the other)
  arithmetic   binary + and - (each to the other)
  bitwise      binary | and & (each to the other: a flag dropped or merged)
  negation     a unary ! removed
  constant     an integer compared with a relational operator, +1 and -1
  return       return 0 / -1 / 1 / true / false changed to the opposite
  check        if (COND) with COND on one line replaced by 0: the check removed

Each mutant has an ID made from the file, the text of its line, the
operator's place in the line and the change, so that it stays the same while
other lines move; equivalent lists and survivors are named by it.

The tests: for lib/*.c and lib/*.h, the Check runner (first only the suite
named after the file, when there is one, then every suite), then
tests/why.sh; for lib/preload/preload.c, tests/preload.sh and, if present,
tests/preload-more.sh.  The first failure kills; a run that outlasts its
time limit kills too (the suite caught an endless loop).  As root each run is
in a private network namespace, so that two jobs never share ports.

  tests/mutate.py [--files F...] [--sample N] [--seed S] [--jobs J]
  tests/mutate.py --list [--files F...]
  tests/mutate.py --run ID [ID...]
"""
import argparse
import hashlib
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EQUIV_DIR = os.path.join(TOP, 'tests', 'mutants-equivalent')
SHIM = 'lib/preload/preload.c'

# ---- finding the code in a line: comments, strings and directives blanked


def code_masks(lines):
    """For each line, the line with comments, string and character literals
    and preprocessor directives replaced by spaces (same length)."""
    out = []
    in_comment = False
    in_directive = False
    for line in lines:
        body = line.rstrip('\n')
        if in_directive or (not in_comment and body.lstrip().startswith('#')):
            in_directive = body.endswith('\\')
            out.append(' ' * len(body))
            continue
        m = []
        i = 0
        n = len(body)
        while i < n:
            c = body[i]
            if in_comment:
                if body.startswith('*/', i):
                    in_comment = False
                    m.append('  ')
                    i += 2
                else:
                    m.append(' ')
                    i += 1
                continue
            if body.startswith('/*', i):
                in_comment = True
                m.append('  ')
                i += 2
            elif body.startswith('//', i):
                m.append(' ' * (n - i))
                i = n
            elif c in '"\'':
                j = i + 1
                while j < n and body[j] != c:
                    j += 2 if body[j] == '\\' else 1
                j = min(j + 1, n)
                m.append(' ' * (j - i))
                i = j
            else:
                m.append(c)
                i += 1
        out.append(''.join(m))
    return out


TOKEN = re.compile(r'->|<<=|>>=|<<|>>|<=|>=|==|!=|&&|\|\||\+\+|--|'
                   r'[-+*/%&|^]=|[A-Za-z_]\w*|0[xX][0-9a-fA-F]+[uUlL]*|'
                   r'\d+[uUlL]*|[<>!+\-&|()\[\];,?:=~*/%^{}.]')

SWAP = {'<': ['<='], '<=': ['<'], '>': ['>='], '>=': ['>'],
        '==': ['!='], '!=': ['=='], '&&': ['||'], '||': ['&&'],
        '+': ['-'], '-': ['+'], '|': ['&'], '&': ['|']}
RELATIONAL = {'<', '<=', '>', '>=', '==', '!='}
RETURNS = {'0': '-1', '-1': '0', '1': '0', 'true': 'false', 'false': 'true'}


KEYWORDS = {'return', 'case', 'if', 'while', 'else', 'do', 'sizeof', 'for',
            'switch', 'goto'}


def is_operand_end(tok):
    """Whether a token can end an operand (so that a following + - & |
    is binary)."""
    if tok in KEYWORDS:
        return False
    return bool(re.match(r'[A-Za-z_0-9]', tok)) or tok in (')', ']')


def line_mutants(text, mask):
    """(column, old, new, kind) for one line."""
    toks = [(m.start(), m.group()) for m in TOKEN.finditer(mask)]
    res = []
    for k, (col, tok) in enumerate(toks):
        prev = toks[k - 1][1] if k else ''
        nxt = toks[k + 1][1] if k + 1 < len(toks) else ''
        if tok in SWAP:
            if tok in ('+', '-', '&', '|') and not is_operand_end(prev):
                pass
            elif prev in ('#', 'include'):
                pass
            else:
                for new in SWAP[tok]:
                    res.append((col, tok, new, 'operator'))
        if tok == '!' and nxt not in ('=',):
            res.append((col, '!', '', 'negation'))
        if re.fullmatch(r'\d+', tok) and (prev in RELATIONAL or nxt in RELATIONAL):
            v = int(tok)
            res.append((col, tok, str(v + 1), 'constant'))
            if v > 0:
                res.append((col, tok, str(v - 1), 'constant'))
        if tok == 'return':
            rest = mask[col + len('return'):].strip()
            m = re.fullmatch(r'(-?\s*\w+)\s*;\s*(\}?)\s*', rest)
            if m and m.group(1).replace(' ', '') in RETURNS:
                old = m.group(1)
                at = mask.index(old, col + len('return'))
                res.append((at, old, RETURNS[old.replace(' ', '')], 'return'))
        if tok == 'if' and nxt == '(':
            start = mask.index('(', col)
            depth = 0
            for j in range(start, len(mask)):
                if mask[j] == '(':
                    depth += 1
                elif mask[j] == ')':
                    depth -= 1
                    if depth == 0:
                        cond = text[start + 1:j]
                        if cond.strip() not in ('0', '1'):
                            res.append((start + 1, cond, '0', 'check'))
                        break
    return res


class Mutant:
    __slots__ = ('path', 'line', 'col', 'old', 'new', 'kind', 'id', 'text')

    def __init__(self, path, line, col, old, new, kind, text, occurrence):
        self.path, self.line, self.col = path, line, col
        self.old, self.new, self.kind, self.text = old, new, kind, text
        key = '%s|%s|%d|%s|%s' % (os.path.basename(path), text.strip(),
                                  occurrence, old, new)
        self.id = hashlib.sha1(key.encode()).hexdigest()[:10]

    def describe(self):
        old = self.old if len(self.old) <= 40 else self.old[:37] + '...'
        ctx_l = self.text[max(0, self.col - 12):self.col].lstrip()
        ctx_r = self.text[self.col + len(self.old):self.col + len(self.old) + 12].rstrip()
        if self.kind == 'check':
            return "'if (%s)' -> 'if (0)'" % old
        return "'%s%s%s' -> '%s%s%s'" % (ctx_l, old, ctx_r, ctx_l, self.new, ctx_r)

    def row(self):
        return '%s  %s:%d  %s' % (self.id, self.path, self.line, self.describe())

    def apply(self, lines):
        t = lines[self.line - 1]
        assert t[self.col:self.col + len(self.old)] == self.old
        out = list(lines)
        out[self.line - 1] = t[:self.col] + self.new + t[self.col + len(self.old):]
        return out


def default_files():
    lib = os.path.join(TOP, 'lib')
    files = sorted('lib/' + f for f in os.listdir(lib)
                   if f.endswith('.c') or f == 'internal.h')
    return files + [SHIM]


def mutants_of(path):
    with open(os.path.join(TOP, path)) as f:
        lines = f.readlines()
    masks = code_masks(lines)
    res = []
    for i, (text, mask) in enumerate(zip(lines, masks)):
        text = text.rstrip('\n')
        if 'assert(' in mask or 'PB_STATIC_ASSERT' in mask:
            continue
        seen = {}
        for col, old, new, kind in line_mutants(text, mask):
            key = (old, new)
            seen[key] = seen.get(key, 0) + 1
            res.append(Mutant(path, i + 1, col, old, new, kind, text, seen[key]))
    return res


def load_equivalent():
    """{id: reason} from tests/mutants-equivalent/*.txt."""
    eq = {}
    if not os.path.isdir(EQUIV_DIR):
        return eq
    for name in sorted(os.listdir(EQUIV_DIR)):
        if not name.endswith('.txt'):
            continue
        with open(os.path.join(EQUIV_DIR, name)) as f:
            for n, line in enumerate(f, 1):
                line = line.strip()
                if not line or line.startswith('#'):
                    continue
                if ' -- ' not in line or not line.split(' -- ', 1)[1].strip():
                    sys.exit('%s:%d: an equivalent mutant needs " -- reason"'
                             % (name, n))
                eq[line.split()[0]] = line.split(' -- ', 1)[1].strip()
    return eq

# ---- running


def source_files():
    if os.path.isdir(os.path.join(TOP, '.git')):
        out = subprocess.run(['git', '-C', TOP, 'ls-files', '-z', '--cached',
                              '--others', '--exclude-standard'],
                             capture_output=True, check=True).stdout
        return [p for p in out.decode().split('\0')
                if p and os.path.isfile(os.path.join(TOP, p))]
    with open(os.path.join(TOP, 'MANIFEST')) as f:
        return [l.strip() for l in f if l.strip()]


def netns_prefix():
    if os.geteuid() != 0 or not shutil.which('unshare') or not shutil.which('ip'):
        return []
    probe = subprocess.run(['unshare', '-n', 'true'], capture_output=True)
    if probe.returncode != 0:
        return []
    return ['unshare', '-n', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh']


class Job:
    def __init__(self, root, n, make_flags):
        self.dir = os.path.join(root, 'job%d' % n)
        self.make_flags = make_flags
        for p in source_files():
            d = os.path.join(self.dir, os.path.dirname(p))
            os.makedirs(d, exist_ok=True)
            shutil.copy2(os.path.join(TOP, p), os.path.join(self.dir, p))
        self.ns = netns_prefix()
        self.dirty = None
        self.limit = 600

    def make(self, targets):
        r = subprocess.run(['make', '-C', self.dir] + self.make_flags + targets,
                           capture_output=True)
        return r.returncode == 0, r.stdout.decode(errors='replace') + \
            r.stderr.decode(errors='replace')

    def env(self):
        e = dict(os.environ)
        e['PB_BUILDDIR'] = self.dir
        e['CK_DEFAULT_TIMEOUT'] = '20'
        e.pop('PB_TEST_SLOW', None)
        e.pop('CK_RUN_SUITE', None)
        e.pop('CK_RUN_CASE', None)
        return e

    def commands(self, path):
        if path == SHIM:
            cmds = [['sh', 'tests/preload.sh']]
            if os.path.exists(os.path.join(self.dir, 'tests/preload-more.sh')):
                cmds.append(['sh', 'tests/preload-more.sh'])
            return ['libportbind-preload.so'], cmds
        base = os.path.basename(path)[:-2]
        cmds = []
        if os.path.exists(os.path.join(self.dir, 'tests/check_%s.c' % base)):
            cmds.append(['env', 'CK_RUN_SUITE=' + base, './tests/check_portbind'])
        cmds.append(['./tests/check_portbind'])
        cmds.append(['sh', 'tests/why.sh'])
        return ['tests/check_portbind', 'tools/portbind-why'], cmds

    def run_tests(self, path):
        """(passed, what failed)."""
        _, cmds = self.commands(path)
        for cmd in cmds:
            try:
                r = subprocess.run(self.ns + cmd, cwd=self.dir, env=self.env(),
                                   stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL,
                                   timeout=self.limit, start_new_session=True)
            except subprocess.TimeoutExpired:
                return False, ' '.join(cmd[-2:]) + ' (time limit)'
            if r.returncode != 0:
                return False, ' '.join(cmd[-2:])
        return True, ''

    def restore(self):
        if self.dirty:
            shutil.copy2(os.path.join(TOP, self.dirty),
                         os.path.join(self.dir, self.dirty))
            os.utime(os.path.join(self.dir, self.dirty))
            self.dirty = None

    def try_mutant(self, m):
        """'stillborn', 'killed' or 'survived', and a note."""
        with open(os.path.join(TOP, m.path)) as f:
            lines = f.readlines()
        dst = os.path.join(self.dir, m.path)
        with open(dst, 'w') as f:
            f.writelines(m.apply(lines))
        self.dirty = m.path
        targets, _ = self.commands(m.path)
        ok, _ = self.make(targets)
        if not ok:
            return 'stillborn', ''
        passed, what = self.run_tests(m.path)
        return ('survived', '') if passed else ('killed', what)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--files', nargs='*', help='sources to mutate (default: lib/*.c, '
                    'lib/internal.h and the shim)')
    ap.add_argument('--list', action='store_true', help='list the mutants and stop')
    ap.add_argument('--run', nargs='+', metavar='ID', help='run just these mutants')
    ap.add_argument('--sample', type=int, default=0,
                    help='run N mutants drawn with --seed (0: all)')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--jobs', type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument('--report', help='also write the report to this file')
    ap.add_argument('--keep', action='store_true', help='keep the scratch copies')
    a = ap.parse_args()

    files = a.files or default_files()
    for f in files:
        if not os.path.isfile(os.path.join(TOP, f)):
            sys.exit('mutate: no such source: %s' % f)
    every = [m for f in files for m in mutants_of(f)]
    equivalent = load_equivalent()
    if a.list:
        for m in every:
            print(m.row() + ('  [equivalent: %s]' % equivalent[m.id]
                             if m.id in equivalent else ''))
        print('%d mutants in %d files' % (len(every), len(files)))
        return 0

    chosen = [m for m in every if m.id not in equivalent]
    n_equiv = len(every) - len(chosen)
    how = 'all %d' % len(chosen)
    if a.run:
        want = set(a.run)
        chosen = [m for m in every if m.id in want]
        missing = want - {m.id for m in chosen}
        if missing:
            sys.exit('mutate: no mutant with ID %s' % ' '.join(sorted(missing)))
        how = '%d named' % len(chosen)
    elif a.sample and a.sample < len(chosen):
        chosen = sorted(random.Random(a.seed).sample(
            sorted(chosen, key=lambda m: m.id), a.sample),
            key=lambda m: (m.path, m.line))
        how = 'a sample of %d (seed %d) of the %d' % (a.sample, a.seed,
                                                     len(every) - n_equiv)

    out = []

    def say(s=''):
        print(s, flush=True)
        out.append(s)

    say('mutate: %d mutants in %d files, %d listed as equivalent; running %s'
        % (len(every), len(files), n_equiv, how))
    root = tempfile.mkdtemp(prefix='pb-mutate.')
    make_flags = ['-j2', 'DEVELOPER=', 'CFLAGS=-O1 -g0', 'V=0']
    t0 = time.time()
    jobs = [Job(root, i, make_flags) for i in range(max(1, a.jobs))]
    # One build, copied: the jobs differ only by the mutated file.
    ok, log = jobs[0].make(['all', 'examples', 'tests/check_portbind'])
    if not ok:
        sys.stderr.write(log)
        sys.exit('mutate: the unmutated sources do not build')
    for j in jobs[1:]:
        shutil.rmtree(j.dir)
        shutil.copytree(jobs[0].dir, j.dir, symlinks=True)
    # The tests must pass without a mutant, and their time sets the limit.
    t1 = time.time()
    for kind in sorted({SHIM if m.path == SHIM else 'lib' for m in chosen}):
        passed, what = jobs[0].run_tests(SHIM if kind == SHIM else 'lib/diag.c')
        if not passed:
            sys.exit('mutate: the tests fail without a mutant (%s): fix that first'
                     % what)
    base = time.time() - t1
    for j in jobs:
        j.limit = max(120, 4 * base)
    say('mutate: unmutated tests pass in %.0f s; time limit a run %.0f s'
        % (base, jobs[0].limit))

    # Mutants of one file go to one job, in order, so that each job
    # rebuilds a file once a mutant and once when it moves on.
    queue = sorted(chosen, key=lambda m: (m.path, m.line, m.col))
    results = {}
    pending = list(queue)
    running = {}
    import threading
    lock = threading.Lock()

    def worker(job):
        while True:
            with lock:
                if not pending:
                    break
                mine = job.dirty
                pick = next((i for i, m in enumerate(pending)
                             if m.path == mine), 0)
                m = pending.pop(pick)
            if job.dirty and job.dirty != m.path:
                job.restore()
            verdict, note = job.try_mutant(m)
            with lock:
                results[m.id] = (verdict, note)
                done = len(results)
                if verdict == 'survived':
                    say('  SURVIVED  ' + m.row())
                elif done % 25 == 0:
                    say('  %d of %d run (%.0f s)' % (done, len(queue), time.time() - t0))
        job.restore()

    threads = [threading.Thread(target=worker, args=(j,)) for j in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    del running

    say('')
    say('%-26s %7s %7s %9s %8s %6s' % ('file', 'mutants', 'killed', 'survived',
                                       'stillb.', 'score'))
    tot = [0, 0, 0, 0]
    for f in files:
        ms = [m for m in queue if m.path == f]
        if not ms:
            continue
        k = sum(results[m.id][0] == 'killed' for m in ms)
        s = sum(results[m.id][0] == 'survived' for m in ms)
        b = sum(results[m.id][0] == 'stillborn' for m in ms)
        tot = [tot[0] + len(ms), tot[1] + k, tot[2] + s, tot[3] + b]
        say('%-26s %7d %7d %9d %8d %5.1f%%' % (f, len(ms), k, s, b,
                                               100.0 * k / max(1, k + s)))
    score = 100.0 * tot[1] / max(1, tot[1] + tot[2])
    say('%-26s %7d %7d %9d %8d %5.1f%%' % ('total', tot[0], tot[1], tot[2],
                                           tot[3], score))
    say('')
    survivors = [m for m in queue if results[m.id][0] == 'survived']
    if survivors:
        say('survivors (%d): kill each with a test, or list it with its reason '
            'in tests/mutants-equivalent/<file>.txt' % len(survivors))
        for m in survivors:
            say('  ' + m.row())
        say('')
    say('mutation score: %.1f%% (%d killed of %d; %s; %d equivalent listed, '
        '%d stillborn not counted) in %.0f s'
        % (score, tot[1], tot[1] + tot[2], how, n_equiv, tot[3], time.time() - t0))
    if a.report:
        with open(a.report, 'w') as f:
            f.write('\n'.join(out) + '\n')
    if not a.keep:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
