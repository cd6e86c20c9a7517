/** Counts of one pytest run, read from its JUnit XML report. */
export interface TestCounts {
  /** Test cases that passed. */
  passed: number;
  /** Test cases with a failed assertion. */
  failed: number;
  /** Test cases that raised outside an assertion (setup included). */
  errors: number;
  /** Test cases skipped. */
  skipped: number;
}

/** Count passed/failed/errored/skipped test cases in a JUnit XML report (pytest's `--junitxml`). */
export function parseJunit(xml: string): TestCounts {
  const counts: TestCounts = { passed: 0, failed: 0, errors: 0, skipped: 0 };
  for (const m of xml.matchAll(/<testcase\b[^>]*?(?:\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const body = m[1] ?? '';
    if (/<failure\b/.test(body)) counts.failed++;
    else if (/<error\b/.test(body)) counts.errors++;
    else if (/<skipped\b/.test(body)) counts.skipped++;
    else counts.passed++;
  }
  return counts;
}
