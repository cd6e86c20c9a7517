import { describe, expect, it } from 'vitest';
import { parseJunit } from './pytest-report.js';

describe('parseJunit', () => {
  it('counts passed, failed, errored and skipped test cases', () => {
    const xml = `<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="1" failures="1" skipped="1" tests="5">
<testcase classname="t" name="test_a[x]" time="0.01" />
<testcase classname="t" name="test_b" time="0.01"><failure message="assert 1 == 2">boom</failure></testcase>
<testcase classname="t" name="test_c" time="0.01"><error message="fixture">err</error></testcase>
<testcase classname="t" name="test_d" time="0.00"><skipped type="pytest.skip" message="no" /></testcase>
<testcase classname="t" name="test_e" time="0.01"></testcase>
</testsuite></testsuites>`;
    expect(parseJunit(xml)).toEqual({ passed: 2, failed: 1, errors: 1, skipped: 1 });
  });

  it('gives zeros for a report without test cases', () => {
    expect(parseJunit('<testsuites><testsuite tests="0"></testsuite></testsuites>')).toEqual({
      passed: 0,
      failed: 0,
      errors: 0,
      skipped: 0,
    });
  });
});
