#!/usr/bin/env python3
"""Summarise libiscsi iscsi-test-cu output and check it against a list of
tests that must pass.

Usage: itc_results.py OUTPUT [--expected FILE] [--write-passed FILE]

OUTPUT is the verbose CUnit output of one or more iscsi-test-cu runs,
concatenated. run-iscsi-test-cu.sh brackets each run with marker lines
  ### itc-begin <selection>
  ### itc-end <selection> rc=<exit status>
so a test that started but never printed a result (target hung, run timed
out or crashed) is reported as "unfinished".

Test names are FAMILY.Suite.Test as in `iscsi-test-cu --list`, e.g.
SCSI.Read10.Simple or iSCSI.iSCSITMF.AbortTaskSimpleAsync; suites whose name
starts with "iSCSI" are the iSCSI family, all others SCSI.

iscsi-test-cu reports a skipped test as CUnit "passed" after logging
"[SKIPPED] ...": such a test counts as skipped here, never as passed.

The expected-pass file lists one test name per line; '#' starts a comment.
Every listed test must have run and passed, otherwise the exit status is 1.
An empty list enforces nothing (but at least one test must have run).
"""
import argparse
import re
import sys
from collections import OrderedDict

SUITE = re.compile(r'^Suite: (\S+)')
TEST = re.compile(r'^  Test: (\S+) \.\.\.(.*)$')
RESULT = re.compile(r'^(passed|FAILED)\b')
DETAIL = re.compile(r'^    \d+\. (\S+)\s+- (.*)$')
BEGIN = re.compile(r'^### itc-begin (\S+)')
END = re.compile(r'^### itc-end (\S+) rc=(\d+)')


def family(suite):
    return 'iSCSI' if suite.startswith('iSCSI') else 'SCSI'


class Test:
    def __init__(self, suite, name):
        self.suite = suite
        self.name = '%s.%s.%s' % (family(suite), suite, name)
        self.result = None      # 'passed' | 'FAILED' | None (no result seen)
        self.skipped = False
        self.why = []           # [FAILED]/[SKIPPED] log lines, assert details

    @property
    def status(self):
        if self.result is None:
            return 'unfinished'
        if self.result == 'FAILED':
            return 'failed'
        return 'skipped' if self.skipped else 'passed'


def parse(path):
    tests = OrderedDict()       # name -> Test (a rerun of a name replaces it)
    runs = []                   # (selection, rc)
    suite = None
    cur = None
    with open(path, errors='replace') as f:
        for raw in f:
            line = raw.rstrip('\n')
            m = BEGIN.match(line)
            if m:
                suite, cur = None, None
                continue
            m = END.match(line)
            if m:
                runs.append((m.group(1), int(m.group(2))))
                suite, cur = None, None
                continue
            m = SUITE.match(line)
            if m:
                suite, cur = m.group(1), None
                continue
            m = TEST.match(line)
            if m and suite:
                cur = Test(suite, m.group(1))
                tests[cur.name] = cur
                line = m.group(2)
            if cur is None:
                continue
            if cur.result is None:
                # Log lines of a running test, then its result word. Text
                # after the result word on the same line comes from the
                # suite's teardown (e.g. "passed    [SKIPPED] PERSISTENT
                # RESERVE IN is not implemented.") and is not this test's.
                text = line.strip()
                r = RESULT.match(text)
                if r:
                    cur.result = r.group(1)
                    continue
                for tag in ('[SKIPPED]', '[FAILED]'):
                    if tag in text:
                        if tag == '[SKIPPED]':
                            cur.skipped = True
                        cur.why.append(text[text.index(tag):])
                        break
            else:
                d = DETAIL.match(line)
                if d and cur.result == 'FAILED':
                    detail = re.sub(r'\s+\[(SKIPPED|FAILED)\].*$', '', d.group(2))
                    cur.why.append('%s %s' % (d.group(1), detail))
    return tests, runs


def read_expected(path):
    names = []
    with open(path) as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if line:
                names.append(line)
    return names


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('output')
    ap.add_argument('--expected')
    ap.add_argument('--write-passed', metavar='FILE')
    ap.add_argument('--label', default='conformance')
    a = ap.parse_args()

    tests, runs = parse(a.output)
    counts = OrderedDict((k, 0) for k in ('passed', 'failed', 'skipped', 'unfinished'))
    per_suite = OrderedDict()
    for t in tests.values():
        counts[t.status] += 1
        c = per_suite.setdefault('%s.%s' % (family(t.suite), t.suite),
                                 OrderedDict((k, 0) for k in counts))
        c[t.status] += 1

    print('%-34s %6s %6s %7s %10s' % ('suite', 'passed', 'failed', 'skipped', 'unfinished'))
    for k, c in per_suite.items():
        print('%-34s %6d %6d %7d %10s' % (k, c['passed'], c['failed'], c['skipped'],
                                          c['unfinished'] or ''))
    print()
    bad_runs = [(s, rc) for s, rc in runs if rc not in (0, 1)]
    for s, rc in bad_runs:
        print('run %s ended with status %d%s' % (s, rc, ' (timed out)' if rc == 124 else ''))

    failed = [t for t in tests.values() if t.status in ('failed', 'unfinished')]
    if failed:
        print('failed / unfinished tests:')
        for t in failed:
            print('  %s: %s' % (t.name, t.status))
            for w in list(OrderedDict.fromkeys(t.why))[:3]:
                print('      ' + w)
        print()

    rc = 0
    if a.expected:
        expected = read_expected(a.expected)
        problems = []
        for name in expected:
            t = tests.get(name)
            if t is None:
                problems.append('%s: did not run' % name)
            elif t.status != 'passed':
                problems.append('%s: %s' % (name, t.status))
        unexpected = [t.name for t in tests.values()
                      if t.status == 'passed' and t.name not in set(expected)]
        if not expected:
            print('expected-pass list %s is empty: no test is enforced' % a.expected)
        elif problems:
            print('EXPECTED TO PASS but did not (%d of %d):' % (len(problems), len(expected)))
            for p in problems:
                print('  ' + p)
            rc = 1
        else:
            print('all %d expected-pass tests passed' % len(expected))
        if unexpected:
            print('%d passing tests are not in %s yet (candidates to add):' %
                  (len(unexpected), a.expected))
            for n in unexpected:
                print('  ' + n)
        print()

    if a.write_passed:
        with open(a.write_passed, 'w') as f:
            for t in tests.values():
                if t.status == 'passed':
                    f.write(t.name + '\n')

    total = sum(counts.values())
    if total == 0:
        print('no test ran at all')
        rc = 1
    print('%s: tests run %d, passed %d, failed %d, skipped %d%s' % (
        a.label, total, counts['passed'], counts['failed'], counts['skipped'],
        ', unfinished %d' % counts['unfinished'] if counts['unfinished'] else ''))
    return rc


if __name__ == '__main__':
    sys.exit(main())
